/// A bundle's `index.html`: README.txt as a page — status and reason, the headline numbers of
/// every sweep point, every plot, warnings, the normalised job, links to every file and the
/// tail of the log. Rendered from the bundle's own result.json document, so it says exactly
/// what result.json says, and deterministic: the same job gives the same bytes apart from the
/// parts between `<!-- sgdyn:timing -->` and `<!-- sgdyn:log -->` markers (and their closing
/// `<!-- /sgdyn:… -->`), which hold the timing and the log, and, in a daemon's bundle, between
/// `<!-- sgdyn:submitter -->` markers, which hold who submitted it (`sgdyn run` has no submitter).
public enum BundlePage {
    /// The markers around the parts that differ between two runs of the same job.
    public static let timingMarkers = ("<!-- sgdyn:timing -->", "<!-- /sgdyn:timing -->")
    public static let logMarkers = ("<!-- sgdyn:log -->", "<!-- /sgdyn:log -->")
    public static let submitterMarkers = ("<!-- sgdyn:submitter -->", "<!-- /sgdyn:submitter -->")

    /// Lines of the log shown on the page; log.txt has all of them.
    static let logTail = 40
    /// Sweep points shown with their plots and table rows; beyond that, summary.csv and the folders.
    static let maxPoints = 200
    /// Above this many trajectory files, their links fold away.
    static let foldFiles = 24

    /// The page for the bundle whose result.json is `result` and whose files are `files`
    /// (paths relative to the bundle; `index.html` and `manifest.json` are added if missing).
    public static func html(result: ResultDocument, files: [String], log: [String]) -> String {
        let summary = (try? BundleSummary(document: result)) ?? BundleSummary(unknown: result)
        let name = summary.name ?? "unnamed bundle"
        var out = PageStyle.head(title: "\(name) — \(summary.status) · sgdyn")
        out += "<body>\n<p class=\"meta\"><a href=\"../index.html\">← all bundles in this outbox</a></p>\n"
        out += "<header>\n<h1>\(HTML.escape(name))</h1>\n<p>\(PageStyle.badge(summary.status, group: summary.group))"
        if let kind = summary.kind { out += " <span class=\"meta\">\(HTML.escape(kind)) job</span>" }
        if let submitter = summary.submitter {
            out += submitterMarkers.0 + " <span class=\"meta submitter\">submitted by \(HTML.escape(submitter))</span>" + submitterMarkers.1
        }
        out += "</p>\n"
        if case .string(let description)? = result.job?["description"] {
            out += "<p class=\"desc\">\(HTML.escape(description))</p>\n"
        }
        out += "</header>\n"
        out += notice(summary, result: result)
        out += timingSection(result.timing)
        out += setupLine(summary)
        let fileSet = Set(files)
        if let points = result.points, !points.isEmpty {
            out += pointsTable(points, compare: summary.kind == "compare", hasSummary: fileSet.contains("summary.csv"))
        }
        out += plots(result: result, files: fileSet)
        if let sources = result.weightsFrom, !sources.isEmpty {
            // teacher_from / student_from: where the weights came from, and the files' hashes as read.
            out += "<h2>Weights taken from earlier runs</h2>\n<ul>\n"
            for source in sources {
                out += "<li><code>\(HTML.escape(source.key ?? ""))</code>: <code>\(HTML.escape(source.path ?? ""))</code>"
                    + " (SHA-256 <code>\(HTML.escape(source.sha256 ?? ""))</code>)</li>\n"
            }
            out += "</ul>\n"
        }
        if let warnings = result.warnings, !warnings.isEmpty {
            out += "<h2>Warnings</h2>\n<ul>\n" + warnings.map { "<li>\(HTML.escape($0))</li>\n" }.joined() + "</ul>\n"
        }
        if let job = result.job {
            out += "<h2>The job</h2>\n<p class=\"meta\">As sgdyn understood it, every default filled in"
            out += fileSet.contains("job.json") ? "; the file as submitted is <a href=\"job.json\">job.json</a>.</p>\n" : ".</p>\n"
            out += "<pre>\(HTML.escape(JSONWriter.string(job)))</pre>\n"
        } else if fileSet.contains("job.json") {
            out += "<h2>The job</h2>\n<p>The file as submitted: <a href=\"job.json\">job.json</a>.</p>\n"
        }
        out += fileList(files)
        out += logSection(log, linked: fileSet.contains("log.txt"))
        out += "<footer>Written by sgdyn \(HTML.escape(summary.version ?? SGDynVersion.string)) with the bundle."
        out += fileSet.contains("README.txt") ? " <a href=\"README.txt\">README.txt</a> says the same in plain text.</footer>\n" : "</footer>\n"
        out += "</body>\n</html>\n"
        return out
    }

    /// The coloured box under the title: why a bundle is not simply done.
    static func notice(_ s: BundleSummary, result: ResultDocument) -> String {
        let group = s.group
        var text: String
        switch group {
        case "done": return ""
        case "diverged":
            text = "<strong>Diverged:</strong> the order parameters of \(s.divergedRuns) run(s) became infinite or NaN"
            if let first = s.firstDivergence {
                text += " (first: " + [first.seed.map { "seed \(HTML.escape($0))" }, first.point.isEmpty ? nil : HTML.escape(first.point),
                                       first.t.map { "t = \(BundleReadme.short($0))" }, first.step.map { "step \($0)" }]
                    .compactMap { $0 }.joined(separator: ", ") + ")"
            }
            text += "; their records stop there."
        case "failed": text = "<strong>Failed.</strong>"
        case "cancelled": text = "<strong>Cancelled</strong> before it finished; what had finished is shown."
        case "rejected": text = "<strong>Rejected:</strong> the job file was not run."
        default: text = "<strong>Status “\(HTML.escape(s.status))”</strong>, which this version of sgdyn does not know."
        }
        if let message = result.error?.message {
            text += " <span class=\"reason\">\(HTML.escape(message))</span>"
            let place = s.errorPlace
            if !place.isEmpty { text += " <span class=\"meta\">(" + HTML.escape(place.joined(separator: "; ")) + ")</span>" }
        }
        return "<p class=\"notice n-\(group)\">\(text)</p>\n"
    }

    static func timingSection(_ timing: ResultDocument.Timing?) -> String {
        var parts: [String] = []
        if let timing {
            if let started = timing.startedAt, let finished = timing.finishedAt {
                parts.append("Started \(HTML.escape(ReportTime.readable(started))), finished \(HTML.escape(ReportTime.readable(finished)))")
            }
            if let wall = timing.wallSeconds { parts.append("took \(ReportTime.duration(wall))") }
            if let steps = timing.steps, steps > 0 {
                parts.append("\(steps) SGD steps" + (timing.stepsPerSecond.map { " (\(Int($0)) steps/s)" } ?? ""))
            }
            if let resumes = timing.resumes, resumes > 0 { parts.append("resumed \(resumes) time(s) from checkpoints") }
        }
        let text = parts.isEmpty ? "" : "<p class=\"meta\">\(parts.joined(separator: "; ")).</p>"
        return timingMarkers.0 + text + timingMarkers.1 + "\n"
    }

    static func setupLine(_ s: BundleSummary) -> String {
        var parts = s.setup
        if !s.sweep.isEmpty { parts.append("sweep " + s.sweep.joined(separator: " · ") + " = \(s.pointCount) points") }
        guard !parts.isEmpty else { return "" }
        return "<p>\(HTML.escape(parts.joined(separator: " · ")))</p>\n"
    }

    static func pointsTable(_ points: [ResultDocument.Point], compare: Bool, hasSummary: Bool) -> String {
        // Classification jobs have a column for the classification error (and eg is its test-set estimate).
        let classify = points.contains { $0.finalCerrMean != nil }
        var out = "<h2>Final generalisation error ε<sub>g</sub></h2>\n"
        if classify {
            out += "<p class=\"meta\">Classification: ε<sub>g</sub> is ½·mean (sign(φ*) − φ)² on the fixed test set, next to the fraction of wrong signs there.</p>\n"
        }
        out += "<table class=\"cards\">\n<thead><tr><th>point</th><th>finished runs</th>"
            + "<th>simulation, mean ± s.e.</th><th>ODE</th>" + (compare ? "<th>largest deviation sim. vs ODE</th>" : "")
            + (classify ? "<th>classification error, mean ± s.e.</th>" : "") + "</tr></thead>\n<tbody>\n"
        for point in points.prefix(maxPoints) {
            let label = point.label
            let runs = point.runs.count
            let complete = point.runs.filter { $0.complete == true }.count
            let diverged = point.runs.filter { $0.divergedAt != nil }.count
            let mean = point.finalEgMean.map { m in
                BundleReadme.short(m) + (point.finalEgStderr.map { " ± " + BundleReadme.short($0) } ?? "")
            } ?? "–"
            out += "<tr><td data-label=\"point\">\(label.isEmpty ? "(no sweep)" : HTML.escape(label))</td>"
            out += "<td class=\"num\" data-label=\"finished runs\">\(runs == 0 ? "–" : "\(complete) of \(runs)")"
            if diverged > 0 { out += " <span class=\"badge b-diverged\">\(diverged) diverged</span>" }
            if let stopped = point.stoppedEarly, stopped > 0 {
                let at = point.meanStopT?.finiteOrNil.map { ", mean t = " + BundleReadme.short($0) } ?? ""
                out += " <span class=\"meta\">(\(stopped) stopped early below stop_below\(at))</span>"
            }
            out += "</td>"
            out += "<td class=\"num\" data-label=\"simulation\">\(mean)</td>"
            out += "<td class=\"num\" data-label=\"ODE\">\(point.finalEgODE.map(BundleReadme.short) ?? "–")"
            if let from = (point.ode ?? []).compactMap(\.underResolvedFrom).min() {
                out += " <span class=\"badge b-diverged\" title=\"the fields outgrew the quadrature's cap on the work: later records "
                    + "may be off by more than the tolerance\">under-resolved from t = \(BundleReadme.short(from))</span>"
            }
            out += "</td>"
            if compare {
                let deviation = point.maxRelDeviation
                let text = deviation?.value.map { v in
                    ReportTime.percent(v) + (deviation?.t.map { " at t = " + BundleReadme.short($0) } ?? "")
                } ?? "–"
                out += "<td class=\"num\" data-label=\"deviation\">\(text)</td>"
            }
            if classify {
                let cerr = point.finalCerrMean?.finiteOrNil.map { m in
                    BundleReadme.short(m) + (point.finalCerrStderr?.finiteOrNil.map { " ± " + BundleReadme.short($0) } ?? "")
                } ?? "–"
                out += "<td class=\"num\" data-label=\"classification error\">\(cerr)</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if points.count > maxPoints { out += "<p class=\"meta\">The first \(maxPoints) of \(points.count) points.</p>\n" }
        if hasSummary { out += "<p class=\"meta\">The same numbers as CSV: <a href=\"summary.csv\">summary.csv</a>.</p>\n" }
        return out
    }

    static func plots(result: ResultDocument, files: Set<String>) -> String {
        var figures: [String] = []
        if files.contains("sweep.svg") {
            figures.append(figure("sweep.svg", alt: "Plot: final generalisation error against each swept parameter, simulation mean ± s.e. and ODE",
                                  caption: "Final ε_g against the swept parameters"))
        }
        var folders: [(folder: String, label: String)] = []
        if let points = result.points {
            folders = points.prefix(maxPoints).map { ($0.folder ?? "", $0.label) }
        }
        if folders.isEmpty { folders = [("", "")] }
        for (folder, label) in folders where folder.isEmpty || HTML.isSafeRelativePath(folder) {
            let prefix = folder.isEmpty ? "" : folder + "/"
            let at = label.isEmpty ? "" : " at " + label
            if files.contains(prefix + "eg.svg") {
                figures.append(figure(prefix + "eg.svg", alt: "Plot: generalisation error against time\(at): every seed, their mean ± s.e., the ODE dashed",
                                      caption: "ε_g against t" + at))
            }
            if files.contains(prefix + "order-parameters.svg") {
                figures.append(figure(prefix + "order-parameters.svg", alt: "Plot: order parameters R, Q and v of the first seed against time\(at)",
                                      caption: "Order parameters" + at))
            }
        }
        guard !figures.isEmpty else { return "" }
        return "<h2>Plots</h2>\n<div class=\"plots\">\n" + figures.joined() + "</div>\n"
    }

    static func figure(_ path: String, alt: String, caption: String) -> String {
        "<figure><a href=\"\(HTML.url(path))\"><img src=\"\(HTML.url(path))\" alt=\"\(HTML.escape(alt))\" width=\"860\" loading=\"lazy\"></a>"
            + "<figcaption>\(HTML.escape(caption))</figcaption></figure>\n"
    }

    static func fileList(_ files: [String]) -> String {
        var all = files
        for extra in ["index.html", "manifest.json"] where !all.contains(extra) { all.append(extra) }
        let safe = all.filter(HTML.isSafeRelativePath)
        let main = safe.filter { !$0.contains("/") && !$0.hasSuffix(".svg") && $0 != "index.html" }
            .sorted { (order($0), $0) < (order($1), $1) }
        let trajectories = safe.filter { $0.hasSuffix(".csv") && $0 != "summary.csv" }.sorted()
        let others = safe.filter { $0.contains("/") && !$0.hasSuffix(".csv") && !$0.hasSuffix(".svg") }.sorted()
        func items(_ paths: [String]) -> String {
            "<ul class=\"files\">\n" + paths.map { "<li><a href=\"\(HTML.url($0))\">\(HTML.escape($0))</a></li>\n" }.joined() + "</ul>\n"
        }
        var out = "<h2>Files</h2>\n"
        let weights = safe.filter { $0.hasSuffix(".npy") }
        if !weights.isEmpty {
            // store_weights: say what the .npy files are before the (long) list that holds them.
            out += "<p class=\"meta\">Stored weights (\(weights.count) NumPy .npy files, <code>numpy.load</code> reads each): per run, "
                + (weights.contains { $0.hasSuffix("/B.npy") }
                    ? "<code>weights/seed-S/</code> holds the teacher’s <code>B.npy</code> (M×N) and <code>vstar.npy</code>, and the student’s "
                    : "<code>weights/seed-S/</code> holds (a run on a data set has no teacher) the student’s ")
                + "<code>W-initial.npy</code>, <code>v-initial.npy</code>, <code>W-final.npy</code>, <code>v-final.npy</code>; "
                + (weights.contains { $0.hasSuffix("/B.npy") } ? "W Wᵀ/N and W Bᵀ/N are the Q and R" : "W Wᵀ/N is the Q")
                + " of the run’s first and last CSV rows.</p>\n"
        }
        out += items(main.filter { !trajectories.contains($0) } + others)
        if !trajectories.isEmpty {
            let title = "Trajectories: \(trajectories.count) CSV file(s), one per run and per ODE integration"
            out += trajectories.count > foldFiles
                ? "<details><summary>\(title)</summary>\n\(items(trajectories))</details>\n"
                : "<p class=\"meta\">\(title):</p>\n" + items(trajectories)
        }
        return out
    }

    private static func order(_ path: String) -> Int {
        ["README.txt", "result.json", "summary.csv", "job.json", "log.txt", "manifest.json"].firstIndex(of: path) ?? 99
    }

    static func logSection(_ log: [String], linked: Bool) -> String {
        let tail = log.suffix(logTail)
        var body = "<p class=\"meta\">"
        body += log.count > tail.count ? "The last \(tail.count) of \(log.count) lines" : "All \(log.count) line(s)"
        body += linked ? " of <a href=\"log.txt\">log.txt</a>.</p>" : ".</p>"
        if !tail.isEmpty { body += "<pre>" + HTML.escape(tail.joined(separator: "\n")) + "</pre>" }
        return "<h2>Log</h2>\n" + logMarkers.0 + body + logMarkers.1 + "\n"
    }
}

extension BundleSummary {
    /// For a document without a status (which `BundleWriter` never writes): shown as such.
    init(unknown result: ResultDocument) {
        self.status = "unknown"
        name = result.name
    }
}
