/// The outbox's `index.html`, the morning view: what the daemon is doing, then one row per
/// bundle, newest first — status (and why, when it failed or was rejected), when it finished
/// and how long it took, the setup, the headline numbers and a lazy thumbnail of its main plot,
/// each linking to the bundle's own page. Static HTML with a few lines of inline script that
/// only filter rows by status and search text; without script every row is shown.
public enum OutboxIndexPage {
    public static func html(entries: [OutboxEntry], activity: DaemonActivity?, now: Double) -> String {
        var out = PageStyle.head(title: "sgdyn outbox — \(entries.count) bundle(s)")
        out += "<body>\n<header>\n<h1>sgdyn outbox</h1>\n"
        out += "<p class=\"meta\">Written <time>\(ReportTime.local(now))</time> (times in \(ReportTime.zone(now))) by sgdyn "
            + "\(HTML.escape(SGDynVersion.string)). \(entries.count) bundle(s)"
        let groups = groupCounts(entries)
        if !groups.isEmpty { out += ": " + groups.map { "\($0.count) \($0.group)" }.joined(separator: ", ") }
        out += ".</p>\n</header>\n"
        if let activity { out += daemonSection(activity) }
        out += "<h2>Bundles, newest first</h2>\n"
        if entries.isEmpty {
            out += "<p>No bundles yet.</p>\n"
        } else {
            out += filterBar(groups)
            out += "<table class=\"cards\" id=\"bundles\">\n<thead><tr><th>plot</th><th>bundle</th><th>status</th><th>finished</th>"
                + "<th>setup</th><th>final ε<sub>g</sub></th></tr></thead>\n<tbody>\n"
            for entry in entries { out += row(entry) }
            out += "</tbody>\n</table>\n"
        }
        out += "<footer>Each bundle's page and files are in its folder; this page is rewritten by the daemon and by "
            + "<code>sgdyn report</code>.</footer>\n"
        if !entries.isEmpty { out += "<script>\n\(script)</script>\n" }
        out += "</body>\n</html>\n"
        return out
    }

    static func groupCounts(_ entries: [OutboxEntry]) -> [(group: String, count: Int)] {
        let order = ["done", "diverged", "failed", "cancelled", "rejected", "other", "unreadable"]
        return order.compactMap { group in
            let count = entries.filter { $0.group == group }.count
            return count > 0 ? (group, count) : nil
        }
    }

    static func daemonSection(_ activity: DaemonActivity) -> String {
        var out = "<section id=\"daemon\">\n<h2>The daemon now</h2>\n"
        if let problem = activity.problem {
            return out + "<p class=\"notice n-failed\">The job store could not be read: \(HTML.escape(problem))</p>\n</section>\n"
        }
        let running = activity.jobs.filter { $0.state == "running" }.count
        out += "<p>\(running) running, \(activity.jobs.count - running) waiting"
        let finished = activity.counts.filter { !["running", "queued", "interrupted"].contains($0.state) && $0.count > 0 }
        if !finished.isEmpty { out += " · all time: " + finished.map { "\($0.count) \(HTML.escape($0.state))" }.joined(separator: ", ") }
        out += ".</p>\n"
        guard !activity.jobs.isEmpty else { return out + "<p class=\"muted\">Nothing is running or queued.</p>\n</section>\n" }
        out += "<table class=\"cards\" id=\"jobs\">\n<thead><tr><th>job</th><th>state</th><th>progress</th><th>steps/s per thread</th>"
            + "<th>ETA</th><th>latest ε<sub>g</sub></th><th>runs running / done / all</th></tr></thead>\n<tbody>\n"
        for job in activity.jobs {
            let group = ["running", "queued", "interrupted"].contains(job.state) ? job.state : "other"
            let percent = BundleReadme.short((100 * job.progress * 10).rounded() / 10)
            out += "<tr class=\"job\"><td data-label=\"job\">\(HTML.escape(job.name))"
            if let submitter = job.submitter { out += " <span class=\"meta submitter\">by \(HTML.escape(submitter))</span>" }
            if job.priority != 0 { out += " <span class=\"meta\">priority \(job.priority)</span>" }
            if job.cancelRequested { out += " <span class=\"reason\">cancelling</span>" }
            out += "</td><td data-label=\"state\">\(PageStyle.badge(job.state == "interrupted" ? "to resume" : job.state, group: group))"
            if job.attempts > 1 { out += " <span class=\"meta\">attempt \(job.attempts)</span>" }
            out += "</td><td class=\"num\" data-label=\"progress\"><progress max=\"1000\" value=\"\(Int((job.progress * 1000).rounded()))\">"
                + "\(percent) %</progress> \(percent) %</td>"
            out += "<td class=\"num\" data-label=\"steps/s\">\(job.stepsPerSecond.map { "\(Int($0.rounded()))" } ?? "–")</td>"
            out += "<td class=\"num\" data-label=\"ETA\">\(job.etaSeconds.map(ReportTime.duration) ?? "–")</td>"
            out += "<td class=\"num\" data-label=\"latest ε_g\">\(job.latestEg.map(BundleReadme.short) ?? "–")</td>"
            out += "<td class=\"num\" data-label=\"runs\">\(job.unitsRunning) / \(job.unitsDone) / \(job.unitCount)</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    static func filterBar(_ groups: [(group: String, count: Int)]) -> String {
        var out = "<div class=\"filters\" id=\"filters\" hidden>\n"
        out += "<input type=\"search\" id=\"search\" placeholder=\"Search names, descriptions, reasons, parameters\" aria-label=\"Search bundles\">\n"
        for (group, count) in groups {
            out += "<label><input type=\"checkbox\" value=\"\(group)\" checked> \(PageStyle.badge(group, group: group)) \(count)</label>\n"
        }
        return out + "<span class=\"meta\" id=\"shown\"></span>\n</div>\n"
    }

    static func row(_ entry: OutboxEntry) -> String {
        let folder = HTML.url(entry.folder)
        let link: String? = entry.page.map { folder + "/" + HTML.url($0) } ?? (entry.isFolder ? folder + "/" : nil)
        func linked(_ inner: String) -> String {
            link.map { "<a href=\"\($0)\">\(inner)</a>" } ?? inner
        }
        let summary = entry.summary
        var out = "<tr class=\"bundle\" data-group=\"\(entry.group)\">"
        if let thumbnail = entry.thumbnail {
            let what = thumbnail.hasSuffix("sweep.svg") ? "final ε_g against the swept parameters" : "ε_g against t"
            out += "<td class=\"thumb\">" + linked("<img src=\"\(folder)/\(HTML.url(thumbnail))\" loading=\"lazy\" width=\"168\" height=\"90\" "
                + "alt=\"\(HTML.escape("Plot of \(entry.folder): \(what)"))\" title=\"\(HTML.escape("\(entry.folder): \(what)"))\">") + "</td>"
        } else {
            out += "<td class=\"thumb\"><span class=\"noplot\">no plot</span></td>"
        }
        out += "<td class=\"name\" data-label=\"bundle\">" + linked(HTML.escape(entry.folder))
        if let name = summary?.name, name != entry.folder, !entry.folder.hasPrefix(name + "-") {
            out += " <span class=\"meta\">job “\(HTML.escape(name))”</span>"
        }
        if let kind = summary?.kind { out += " <span class=\"meta\">\(HTML.escape(kind))</span>" }
        if let submitter = summary?.submitter { out += " <span class=\"meta submitter\">by \(HTML.escape(submitter))</span>" }
        if let description = summary?.description { out += "<p class=\"desc meta\">\(HTML.escape(description))</p>" }
        out += "</td><td class=\"status\" data-label=\"status\">" + PageStyle.badge(summary?.status ?? "unreadable", group: entry.group)
        // Long reasons are clamped to a few lines; the title holds all of it (already escaped).
        if let reason = reason(entry) { out += "<p class=\"reason\" title=\"\(reason)\">\(reason)</p>" }
        out += "</td><td class=\"num\" data-label=\"finished\">\(ReportTime.local(entry.time))"
        if let wall = summary?.wallSeconds { out += "<br><span class=\"meta\">took \(ReportTime.duration(wall))</span>" }
        if let resumes = summary?.resumes, resumes > 0 { out += "<br><span class=\"meta\">resumed \(resumes)×</span>" }
        out += "</td><td class=\"setup\" data-label=\"setup\">\(HTML.escape(setup(summary)))</td>"
        out += "<td class=\"num\" data-label=\"final ε_g\">\(numbers(summary))</td></tr>\n"
        return out
    }

    /// Why a row is not simply done, as escaped HTML; nil for done bundles.
    static func reason(_ entry: OutboxEntry) -> String? {
        guard let summary = entry.summary else { return entry.problem.map(HTML.escape) }
        var parts: [String] = []
        if let message = summary.errorMessage { parts.append(HTML.escape(message)) }
        let place = summary.errorPlace
        if !place.isEmpty { parts.append("(" + HTML.escape(place.joined(separator: "; ")) + ")") }
        if summary.divergedRuns > 0 {
            var text = "\(summary.divergedRuns) run(s) diverged"
            if let first = summary.firstDivergence {
                let at = [first.point.isEmpty ? nil : first.point, first.seed.map { "seed \($0)" },
                          first.t.map { "t = \(BundleReadme.short($0))" }].compactMap { $0 }
                if !at.isEmpty { text += ", first " + at.joined(separator: ", ") }
            }
            parts.append(HTML.escape(text))
        }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    static func setup(_ summary: BundleSummary?) -> String {
        guard let summary else { return "–" }
        var parts = summary.setup
        if !summary.sweep.isEmpty { parts.append("sweep " + summary.sweep.joined(separator: " · ")) }
        return parts.isEmpty ? "–" : parts.joined(separator: " · ")
    }

    /// The headline numbers as escaped HTML: one point's mean ± s.e. and ODE, or a sweep's range.
    static func numbers(_ summary: BundleSummary?) -> String {
        guard let s = summary else { return "–" }
        var lines: [String] = []
        if let mean = s.egMean {
            lines.append(BundleReadme.short(mean) + (s.egStandardError.map { " ± " + BundleReadme.short($0) } ?? "")
                         + (s.egSeeds.map { " <span class=\"meta\">(\($0) run\($0 == 1 ? "" : "s"))</span>" } ?? ""))
        } else if let range = s.egRange, range.count == 2 {
            lines.append(BundleReadme.short(range[0]) + " … " + BundleReadme.short(range[1]) + " <span class=\"meta\">over \(s.pointCount) points</span>")
        }
        if let ode = s.egODE {
            lines.append("ODE " + BundleReadme.short(ode))
        } else if let range = s.egODERange, range.count == 2 {
            lines.append("ODE " + BundleReadme.short(range[0]) + " … " + BundleReadme.short(range[1]))
        }
        if let deviation = s.deviation {
            lines.append("sim. vs ODE ≤ " + ReportTime.percent(deviation) + (s.deviationTime.map { " <span class=\"meta\">(t = \(BundleReadme.short($0)))</span>" } ?? ""))
        }
        return lines.isEmpty ? "–" : lines.joined(separator: "<br>")
    }

    /// Status checkboxes and the search box; rows keep their text in lower case once, so
    /// typing stays quick with 2,000 rows.
    static let script = """
        (function () {
          var bar = document.getElementById('filters');
          var rows = Array.prototype.slice.call(document.querySelectorAll('#bundles tbody tr'));
          var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
          var boxes = Array.prototype.slice.call(bar.querySelectorAll('input[type=checkbox]'));
          var search = document.getElementById('search');
          var shown = document.getElementById('shown');
          function apply() {
            var on = {};
            boxes.forEach(function (b) { on[b.value] = b.checked; });
            var words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
            var count = 0;
            rows.forEach(function (r, i) {
              var ok = on[r.getAttribute('data-group')] !== false && words.every(function (w) { return texts[i].indexOf(w) >= 0; });
              r.hidden = !ok;
              if (ok) count++;
            });
            shown.textContent = count + ' of ' + rows.length + ' shown';
          }
          bar.addEventListener('input', apply);
          bar.addEventListener('change', apply);
          bar.hidden = false;
          apply();
        })();

        """
}
