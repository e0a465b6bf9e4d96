import Foundation
import SGDynCore
import Testing
@testable import SGDynJobs

/// The files of a bundle that are made from result.json (result.json itself, README.txt,
/// index.html, summary.csv), for a bundle of every status and kind, pinned byte for byte
/// (timing fixed) in Tests/Fixtures/result-documents. The fixtures were written by the code
/// before result.json became a typed document (`ResultDocument`), so this is the results
/// contract for the statuses `sgdyn run` cannot produce (failed, cancelled, rejected).
/// `SGDYN_WRITE_GOLDEN=1 swift test --filter ResultGoldenTests` rewrites them: only for a
/// deliberate format change, which bumps the version. The `ref-*` cases (jobs whose runs and
/// integrations really diverge) are bundles of `sgdyn run` (ref-diverged-run of 0.2.0 at
/// 2f06e7d; the ODE ones of main at e876dc6, whose ODE divergence changed), compared outside
/// their timing and log. The cases after issues 18 and 21 (submitter, classify-stop,
/// rejected-submitter) were pinned from the typed document once its bundles matched main's.
@Suite("Result documents: golden bundles")
struct ResultGoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/result-documents").standardizedFileURL
    static let pinned = ["result.json", "README.txt", "index.html", "summary.csv"]
    static let timing = Timing(startedAt: Date(timeIntervalSince1970: 1_750_000_000), finishedAt: Date(timeIntervalSince1970: 1_750_000_042.5),
                               steps: 1234, resumes: 1)

    /// A case: its name and its bundle's files.
    static func cases() throws -> [(name: String, files: [BundleFile])] {
        var cases: [(String, [BundleFile])] = []
        func run(_ name: String, _ text: String, status: String = "done", error: String? = nil, submitter: String? = nil,
                 keep: (RunOutcome) -> Bool = { _ in true }) throws {
            let bytes = Array(text.utf8)
            let spec = try JobParser.parse(bytes, defaultName: name)
            let (runs, odes) = try JobRunner.run(spec, threads: 2)
            cases.append((name, ResultBundle.simulation(spec: spec, jobBytes: bytes, outcomes: runs.filter(keep), odes: odes, timing: timing,
                                                        log: ["line one", "line two"], status: status, error: error,
                                                        submitter: submitter)))
        }
        try run("simulate-sweep", #"{"description": "a sweep with a training set and a test set", "N": 40, "t_max": 2, "points": 4, "seeds": 2, "mc_test_set": 10, "sweep": {"training_set": [null, 2], "lr": [0.1, 0.3]}}"#)
        try run("compare", #"{"kind": "compare", "N": 60, "K": 2, "M": 2, "t_max": 2, "points": 4, "seeds": 2, "train_second_layer": true}"#)
        try run("ode-initial", #"{"kind": "ode", "K": 2, "M": 1, "t_max": 3, "points": 6, "initial": {"Q": [[1, 0.1], [0.1, 1]], "R": [[0.2], [0.3]], "T": [[1]], "v": [1, 1], "vstar": [1]}}"#)
        try run("ode-seeds", #"{"kind": "ode", "K": 2, "M": 2, "N": 50, "t_max": 2, "points": 4, "seeds": 2, "sweep": {"lr": [0.1, 0.2]}}"#)
        try run("diverged", #"{"N": 100, "K": 2, "M": 2, "activation": "linear", "lr": 3, "t_max": 20, "points": 20, "seeds": 2}"#, status: "diverged")
        try run("compare-diverged", #"{"kind": "compare", "N": 100, "K": 2, "M": 2, "activation": "linear", "lr": 3, "t_max": 20, "points": 10}"#, status: "diverged")
        try run("cancelled", #"{"N": 40, "t_max": 2, "points": 4, "seeds": [1, 2, 3]}"#, status: "cancelled",
                error: "cancelled by alice at 2025-06-01T02:03:04Z", keep: { $0.seed != 2 })
        try run("failed", #"{"N": 40, "t_max": 2, "points": 4, "seeds": 2, "sweep": {"K": [1, 2]}}"#, status: "failed",
                error: "worker killed (signal 9) three times; \"quarantined\"", keep: { _ in false })
        // The members added after the typed document (issues 18 and 21): a submitter; classification
        // with a training set, early stops and stored weights. Pinned from the typed document after
        // its bundles were compared with those of the code before it (scripts/compare_bundles.py).
        try run("submitter", #"{"N": 40, "t_max": 2, "points": 4, "seeds": 2}"#, submitter: "alice")
        try run("classify-stop", #"{"N": 60, "K": 2, "M": 2, "task": "classify", "label_flip": 0.1, "teacher_sparsity": 0.5, "training_set": 2, "mc_test_set": 200, "lr": 0.5, "stop_below": 0.42, "store_weights": true, "t_max": 4, "points": 8, "seeds": 3, "sweep": {"batch_size": [1, 4]}}"#)
        for (name, text) in [("rejected-key", #"{"lr": -1}"#), ("rejected-syntax", "{\n  \"N\": 10,\n  oops\n}"), ("rejected-plain", "[1]")] {
            let bytes = Array(text.utf8)
            let error = try #require(throws: JobError.self) { try JobParser.parse(bytes, defaultName: name) }
            cases.append((name, ResultBundle.rejection(name: name, jobBytes: bytes, error: error, log: ["rejected"], keptAt: "/var/lib/x")))
        }
        let bytes = Array(#"{"lr": -1}"#.utf8)
        let error = try #require(throws: JobError.self) { try JobParser.parse(bytes, defaultName: "rejected-submitter") }
        cases.append(("rejected-submitter", ResultBundle.rejection(name: "rejected-submitter", jobBytes: bytes, error: error, log: ["rejected"],
                                                                   keptAt: "/var/lib/x", submitter: "bob")))
        return cases
    }

    @Test("every pinned file of every case has the bytes recorded before the typed document")
    func golden() throws {
        let write = ProcessInfo.processInfo.environment["SGDYN_WRITE_GOLDEN"] == "1"
        for (name, files) in try Self.cases() {
            let caseFolder = Self.folder.appendingPathComponent(name)
            if write { try FileManager.default.createDirectory(at: caseFolder, withIntermediateDirectories: true) }
            for file in files where Self.pinned.contains(file.path) {
                let url = caseFolder.appendingPathComponent(file.path)
                if write { try Data(file.bytes).write(to: url) }
                let expected = try [UInt8](Data(contentsOf: url))
                #expect(file.bytes == expected, "\(name)/\(file.path) differs from the fixture")
            }
        }
    }

    /// What may differ between two runs of a job: result.json's `timing`, README.txt's time
    /// taken, index.html's marked timing and log parts (as scripts/compare_bundles.py).
    static func withoutTiming(_ path: String, _ bytes: [UInt8]) throws -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        switch path {
        case "result.json":
            guard case .object(let members) = try JSONParser.parse(bytes) else { return text }
            text = JSONWriter.string(.object(members.filter { $0.key != "timing" }))
        case "README.txt":
            text = text.replacing(/\ in [0-9.]+ (s|min|h)(, resumed [0-9]+ time\(s\) from checkpoints)?\.\n/, with: "")
        case "index.html":
            text = text.replacing(/<!-- sgdyn:timing -->.*?<!-- \/sgdyn:timing -->/.dotMatchesNewlines(), with: "")
                .replacing(/<!-- sgdyn:log -->.*?<!-- \/sgdyn:log -->/.dotMatchesNewlines(), with: "")
        default: break
        }
        return text
    }

    @Test("jobs that diverge give the bundle sgdyn 0.2.0 gave, outside timing and log", arguments: ["diverged-run", "diverged-compare", "diverged-ode"])
    func reference(_ name: String) throws {
        let folder = Self.folder.appendingPathComponent("ref-" + name)
        let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent("job.json")))
        let spec = try JobParser.parse(bytes, defaultName: name)
        let (runs, odes) = try JobRunner.run(spec, threads: 2)
        let diverged = runs.contains { $0.divergence != nil } || odes.contains { $0.result.divergence != nil }
        #expect(diverged)
        let timing = Timing(startedAt: Self.timing.startedAt, finishedAt: Self.timing.finishedAt, steps: runs.reduce(0) { $0 + $1.steps })
        let files = ResultBundle.simulation(spec: spec, jobBytes: bytes, outcomes: runs, odes: odes, timing: timing, log: ["x"],
                                            status: diverged ? "diverged" : "done")
        for file in files where Self.pinned.contains(file.path) {
            let expected = try [UInt8](Data(contentsOf: folder.appendingPathComponent(file.path)))
            #expect(try Self.withoutTiming(file.path, file.bytes) == Self.withoutTiming(file.path, expected), "\(name)/\(file.path)")
        }
    }
}
