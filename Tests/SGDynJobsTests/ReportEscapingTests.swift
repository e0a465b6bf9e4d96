import Foundation
import Testing
@testable import SGDynJobs

@Suite("Report pages: escaping")
struct ReportEscapingTests {
    static let hostile = "<script>alert('x')</script> \"q\" & <img src=x onerror=alert(1)>"

    @Test("text and attribute values: &, <, >, \" and ' become references; forbidden control characters become U+FFFD")
    func escape() {
        #expect(HTML.escape(Self.hostile)
                == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;q&quot; &amp; &lt;img src=x onerror=alert(1)&gt;")
        #expect(HTML.escape("a\tb\nc\r") == "a\tb\nc\r")
        #expect(HTML.escape("bell\u{07} del\u{7F} c1\u{85}") == "bell\u{FFFD} del\u{FFFD} c1\u{FFFD}")
        #expect(HTML.escape("ε_g ± 1 s.e. — ok") == "ε_g ± 1 s.e. — ok")
        #expect(HTML.truncated("abcdef", to: 4) == "abc…" && HTML.truncated("abc", to: 4) == "abc")
    }

    @Test("links: each path segment percent-encoded, sweep folders kept readable, unsafe paths refused")
    func urls() {
        #expect(HTML.url("K=4_lr=0.5/seed-0.csv") == "K=4_lr=0.5/seed-0.csv")
        #expect(HTML.url("evil\"><img src=x>/index.html") == "evil%22%3E%3Cimg%20src=x%3E/index.html")
        #expect(HTML.url("a#b?c%d e") == "a%23b%3Fc%25d%20e")
        #expect(HTML.url("ε") == "%CE%B5")
        for unsafe in ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a/.", "a\\b", "a\nb"] {
            #expect(!HTML.isSafeRelativePath(unsafe), "\(unsafe)")
        }
        #expect(HTML.isSafeRelativePath("K=2/eg.svg") && HTML.isSafeRelativePath("sweep.svg"))
    }

    @Test("a bundle page shows a hostile name, description, error, warning and log as text")
    func bundlePage() {
        let result = JSONValue.object([
            ("status", .string("failed")), ("name", .string(Self.hostile)), ("kind", .string("simulate")),
            ("error", .object([("message", .string(Self.hostile))])),
            ("job", .object([("description", .string(Self.hostile))])),
            ("warnings", .array([.string(Self.hostile)])),
        ])
        let page = BundlePage.html(result: ResultDocument(json: result), files: ["result.json", "job.json", "log.txt"], log: [Self.hostile])
        #expect(!page.contains("<script") && !page.contains("<img src=x") && !page.contains("alert('x')"))
        // name (title and heading), description, error, warning, job JSON and log: all escaped.
        #expect(page.components(separatedBy: "&lt;script&gt;alert(&#39;x&#39;)").count - 1 >= 6)
        #expect(page.contains("<p class=\"notice n-failed\"><strong>Failed.</strong>"))
    }

    @Test("the outbox index shows hostile folder names, descriptions and reasons as text; its only script is its own")
    func indexPage() throws {
        var summary = try BundleSummary(result: .object([
            ("status", .string("rejected")), ("name", .string(Self.hostile)),
            ("error", .object([("message", .string(Self.hostile)), ("key", .string("<b>"))])),
            ("job", .object([("description", .string(Self.hostile))])),
        ]))
        summary.mainPlot = "eg.svg"
        let entries = [
            OutboxEntry(folder: Self.hostile, summary: summary, problem: nil, time: 0, modified: 0, page: "index.html", thumbnail: "eg.svg", isFolder: true),
            OutboxEntry(folder: "x\"onmouseover=\"alert(2)", summary: nil, problem: Self.hostile, time: 0, modified: 0, page: nil, thumbnail: nil, isFolder: true),
        ]
        let page = OutboxIndexPage.html(entries: entries, activity: DaemonActivity(jobs: [
            .init(name: Self.hostile, state: "<running>", priority: 0, progress: 0.5, stepsPerSecond: nil, etaSeconds: nil, latestEg: nil,
                  unitsRunning: 1, unitsDone: 0, unitCount: 2, attempts: 1, cancelRequested: false),
        ], counts: []), now: 0)
        #expect(page.components(separatedBy: "<script").count == 2, "one script element: the filter")
        #expect(!page.contains("<img src=x") && !page.contains("\"onmouseover") && !page.contains("<b>") && !page.contains("<running>"))
        #expect(page.contains("href=\"x%22onmouseover=%22alert%282%29/\""))
        #expect(page.contains("data-group=\"rejected\"") && page.contains("data-group=\"unreadable\""))
        #expect(page.contains("loading=\"lazy\"") && page.contains("title=\"&lt;script&gt;"))
    }
}
