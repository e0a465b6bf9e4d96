import Foundation
import Testing
@testable import SGDynJobs

@Suite("Report pages: reading result.json and writing bundle pages")
struct ReportReadingTests {
    static func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test("skimming keeps exactly the projected parts, equal to a full parse, and steps over brackets and quotes in skipped strings")
    func skim() throws {
        let text = #"{"a": {"x": "]}\"[{", "y": [1, {"z": "}"}]}, "b": [{"k": 1, "drop": [[["\\"]]]}, {"k": 2}], "c": "ε\u00e9", "d": null}"#
        let projected = try JSONSkimmer.read(Array(text.utf8), keeping: .members(["b": .elements(.members(["k": .whole])), "c": .whole]))
        #expect(projected == .object([("b", .array([.object([("k", .number("1"))]), .object([("k", .number("2"))])])), ("c", .string("εé"))]))
        #expect(throws: JSONSkimError.self) { try JSONSkimmer.read(Array(#"{"a": [1, 2"#.utf8), keeping: .members([:])) }
        #expect(throws: JSONSkimError.self) { try JSONSkimmer.read(Array(#"{"a": 1} x"#.utf8), keeping: .members([:])) }

        // On a real result.json, the summary from the skimmed document equals the one from the whole.
        let outbox = BundleTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let bytes = [UInt8](try Data(contentsOf: try BundleTests.runBundle(into: outbox).appendingPathComponent("result.json")))
        let skimmed = try BundleSummary(result: JSONSkimmer.read(bytes, keeping: BundleSummary.projection))
        #expect(skimmed == (try BundleSummary(result: JSONParser.parse(bytes))))
        #expect(skimmed.pointCount == 2 && skimmed.sweep == ["lr ×2"] && skimmed.egRange?.count == 2 && skimmed.mainPlot == "sweep.svg")
        #expect(skimmed.setup == ["erf", "N=60", "M=2", "K=3", "t≤2.0", "2 seeds"])
    }

    @Test("every status: done, diverged (where), failed and rejected (why, where), unknown ones; no status is unreadable")
    func statuses() throws {
        let done = try BundleSummary(result: Self.json(#"""
            {"status": "done", "kind": "compare", "points": [{"final_eg_mean": 0.01, "final_eg_stderr": 0.001, "final_eg_ode": 0.011,
             "runs": [{"seed": 0, "complete": true}, {"seed": 1, "complete": true}]}], "max_rel_deviation": {"value": 0.0123, "t": 4.5},
             "timing": {"finished_at": "2025-06-01T02:03:04Z", "wall_seconds": 7.5, "resumes": 2}}
            """#))
        #expect(done.group == "done" && done.egMean == 0.01 && done.egSeeds == 2 && done.egODE == 0.011 && done.deviation == 0.0123)
        #expect(done.finishedAt == 1_748_743_384 && done.wallSeconds == 7.5 && done.resumes == 2)
        #expect(OutboxIndexPage.numbers(done) == "0.01 ± 0.001 <span class=\"meta\">(2 runs)</span><br>ODE 0.011<br>sim. vs ODE ≤ 1.23 % <span class=\"meta\">(t = 4.5)</span>")

        let diverged = try BundleSummary(result: Self.json(#"""
            {"status": "diverged", "points": [{"parameters": {"lr": 0.5}, "runs": [{"seed": 0}]},
             {"parameters": {"lr": 3}, "runs": [{"seed": 0}, {"seed": 7, "diverged_at": {"t": 12.5, "step": 625}}]}]}
            """#))
        #expect(diverged.group == "diverged" && diverged.divergedRuns == 1)
        #expect(diverged.firstDivergence == .init(point: "lr=3", seed: "7", t: 12.5, step: 625))
        #expect(OutboxIndexPage.reason(OutboxEntry(folder: "d", summary: diverged, problem: nil, time: 0, modified: 0, page: nil, thumbnail: nil,
                                                   isFolder: true)) == "1 run(s) diverged, first lr=3, seed 7, t = 12.5")

        let failed = try BundleSummary(result: Self.json(#"{"status": "failed", "error": {"message": "worker killed (signal 9)"}}"#))
        #expect(failed.group == "failed" && failed.errorMessage == "worker killed (signal 9)")
        let rejected = try BundleSummary(result: Self.json(#"{"status": "rejected", "error": {"message": "JSON syntax error at line 3, column 1: x", "line": 3, "column": 1}}"#))
        #expect(rejected.group == "rejected" && rejected.errorPlace.isEmpty, "the message says where already")
        let keyed = try BundleSummary(result: Self.json(#"{"status": "rejected", "error": {"message": "bad value", "key": "lr"}}"#))
        #expect(keyed.errorPlace == ["key “lr”"])
        #expect(try BundleSummary(result: Self.json(#"{"status": "exploded"}"#)).group == "other")
        #expect(throws: BundleSummary.Unreadable.self) { try BundleSummary(result: Self.json(#"{"name": "x"}"#)) }
        #expect(throws: BundleSummary.Unreadable.self) { try BundleSummary(result: Self.json("[1]")) }
        #expect(ReportTime.parse("2025-06-01T04:03:04+02:00") == 1_748_743_384 && ReportTime.parse("2025-06-01") == nil)
    }

    @Test("the same job gives the same bundle page apart from the timing and log between their markers")
    func deterministicPage() throws {
        let spec = try JobParser.parse(Array(BundleTests.job.utf8), defaultName: "tiny")
        let outcomes = try JobRunner.run(spec, threads: 2).runs
        func page(seconds: Double, log: [String], resumes: Int) throws -> String {
            let timing = Timing(startedAt: Date(timeIntervalSince1970: 1000), finishedAt: Date(timeIntervalSince1970: 1000 + seconds),
                                steps: 480, resumes: resumes)
            let files = ResultBundle.simulation(spec: spec, jobBytes: Array(BundleTests.job.utf8), outcomes: outcomes, timing: timing, log: log)
            return String(decoding: try #require(files.first { $0.path == "index.html" }).bytes, as: UTF8.self)
        }
        let a = try page(seconds: 3, log: ["one", "two"], resumes: 0)
        let b = try page(seconds: 700, log: ["other <b>"], resumes: 2)
        #expect(a != b)
        func withoutMarked(_ text: String) -> String {
            var out = text
            for (open, close) in [BundlePage.timingMarkers, BundlePage.logMarkers] {
                guard let start = out.range(of: open), let end = out.range(of: close, range: start.upperBound..<out.endIndex) else { return "markers missing" }
                out.removeSubrange(start.lowerBound..<end.upperBound)
            }
            return out
        }
        #expect(withoutMarked(a) == withoutMarked(b))
        #expect(a.contains("<img src=\"lr=0.2/eg.svg\"") && a.contains("<img src=\"sweep.svg\"") && a.contains("href=\"lr=0.6/seed-1.csv\""))
        #expect(b.contains("resumed 2 time(s) from checkpoints") && b.contains("other &lt;b&gt;"))
    }
}
