import Foundation
import SGDynCore
import Testing
@testable import SGDynJobs

/// `teacher_from` and `student_from` (issue 21, item 5): a job takes its teacher or initial student
/// from the `.npy` files an earlier bundle stored (`store_weights`), read beneath the outbox only.
@Suite("Weights reused across jobs")
struct WeightReuseTests {
    /// The source job: a sweep-free run with stored weights; small N and t_max so it takes milliseconds.
    static let source = #"{"name": "src", "N": 40, "M": 2, "K": 3, "t_max": 2, "points": 8, "seeds": 2, "store_weights": true}"#

    static func spec(_ json: String) throws(JobError) -> JobSpec { try JobParser.parse(Array(json.utf8), defaultName: "job") }

    /// Runs `json` (its weights read from `outbox`) and writes its bundle there.
    @discardableResult
    static func runBundle(_ json: String, outbox: URL) throws -> URL {
        let spec = try spec(json).readingWeights(outbox: outbox.path)
        let outcomes = try JobRunner.run(spec, threads: 2).runs
        let timing = Timing(startedAt: Date(), finishedAt: Date(), steps: outcomes.reduce(0) { $0 + $1.steps })
        let files = ResultBundle.simulation(spec: spec, jobBytes: Array(json.utf8), outcomes: outcomes, timing: timing, log: [])
        return try BundleWriter.write(files, name: spec.name, outbox: outbox)
    }

    /// An outbox holding the source bundle.
    static func outboxWithSource() throws -> URL {
        let outbox = BundleTests.temporaryFolder()
        try runBundle(source, outbox: outbox)
        return outbox
    }

    static func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test("a job given the teacher of a run with the same parameters and seed repeats that run exactly: the same CSV, T bit for bit")
    func teacherReuseRepeatsTheRun() throws {
        let outbox = try Self.outboxWithSource()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let job = #"{"name": "reuse", "N": 40, "M": 2, "K": 3, "t_max": 2, "points": 8, "seeds": 2, "teacher_from": "src/seed-0"}"#
        let bundle = try Self.runBundle(job, outbox: outbox)
        // Seed 0 draws the same student and samples as the source's seed 0, and now has its teacher:
        // every column (ε_g, Q, R, v) is the same, to the last digit.
        #expect(try Self.text(bundle.appendingPathComponent("seed-0.csv")) == Self.text(outbox.appendingPathComponent("src/seed-0.csv")))
        // Seed 1 keeps its own student (Q as the source's seed 1) but learns seed 0's teacher (R differs).
        let reusedRows = try Self.text(bundle.appendingPathComponent("seed-1.csv")).split(separator: "\n")
        let sourceRows = try Self.text(outbox.appendingPathComponent("src/seed-1.csv")).split(separator: "\n")
        let q = { (row: Substring) in row.split(separator: ",")[2..<8].joined(separator: ",") }
        #expect(q(reusedRows[1]) == q(sourceRows[1]))
        #expect(reusedRows[1] != sourceRows[1])
        // T of every run is the source teacher's T exactly (the same B, the same sums).
        let spec = try Self.spec(job).readingWeights(outbox: outbox.path)
        var p = spec.points[0].parameters
        p.seed = 1
        let reused = Simulation(parameters: p, start: spec.startWeights).orderParameters
        p.seed = 0
        #expect(reused.T == Simulation(parameters: p).orderParameters.T)
        // result.json and README.txt say where the teacher came from, with the files' hashes.
        let result = ResultDocument(json: try JSONParser.parse(Array(try Self.text(bundle.appendingPathComponent("result.json")).utf8)))
        let sources = try #require(result.weightsFrom)
        #expect(sources.map(\.path) == ["src/weights/seed-0/B.npy", "src/weights/seed-0/vstar.npy"])
        let bytes = try [UInt8](Data(contentsOf: outbox.appendingPathComponent("src/weights/seed-0/B.npy")))
        #expect(sources[0].sha256 == SHA256.hexDigest(bytes))
        #expect(try Self.text(bundle.appendingPathComponent("README.txt")).contains("taken from the stored weights of src/seed-0"))
        #expect(try Self.text(bundle.appendingPathComponent("index.html")).contains("src/weights/seed-0/B.npy"))
    }

    @Test("student_from …/final starts where the source run ended: its first Q and R are the source's last, to rounding")
    func continueFromTheFinalStudent() throws {
        let outbox = try Self.outboxWithSource()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let job = #"{"name": "more", "N": 40, "M": 2, "K": 3, "t_max": 1, "points": 4, "teacher_from": "src/seed-0", "student_from": "src/seed-0/final", "store_weights": true}"#
        let bundle = try Self.runBundle(job, outbox: outbox)
        let first = try Self.text(bundle.appendingPathComponent("seed-0.csv")).split(separator: "\n")[1].split(separator: ",")
        let last = try Self.text(outbox.appendingPathComponent("src/seed-0.csv")).split(separator: "\n").last!.split(separator: ",")
        // Columns 1..<14: eg, Q (6), R (6). The final record and the new start are computed from
        // the same W by the same sums, so they agree to the last bit; 1e-12 only allows for a
        // change in how a record is summed.
        for column in 1..<14 {
            let a = Double(first[column])!, b = Double(last[column])!
            #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "column \(column): \(a) vs \(b)")
        }
        // Its own stored weights hold what it started from: the source's final W.
        let stored = try [UInt8](Data(contentsOf: bundle.appendingPathComponent("weights/seed-0/W-initial.npy")))
        let sourceFinal = try [UInt8](Data(contentsOf: outbox.appendingPathComponent("src/weights/seed-0/W-final.npy")))
        #expect(stored == sourceFinal)
    }

    /// The error of `json` read against `outbox`, or nil when it is accepted.
    static func rejection(_ json: String, outbox: URL) -> JobError? {
        do {
            _ = try spec(json).readingWeights(outbox: outbox.path)
            return nil
        } catch {
            return error
        }
    }

    static func job(_ extra: String, N: Int = 40, M: Int = 2, K: Int = 3) -> String {
        #"{"name": "bad", "N": \#(N), "M": \#(M), "K": \#(K), "t_max": 1, "points": 4, \#(extra)}"#
    }

    @Test("every bad source is a rejection naming its key: missing, symlinked, outside the outbox, of the wrong shape, corrupt, not finite")
    func badSources() throws {
        let outbox = try Self.outboxWithSource()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let fm = FileManager.default
        let weights = outbox.appendingPathComponent("src/weights/seed-0")
        // A copy of the source bundle to spoil in different ways.
        func spoilt(_ name: String, _ spoil: (URL) throws -> Void) throws {
            try fm.copyItem(at: outbox.appendingPathComponent("src"), to: outbox.appendingPathComponent(name))
            try spoil(outbox.appendingPathComponent(name + "/weights/seed-0"))
        }
        try fm.createSymbolicLink(at: outbox.appendingPathComponent("linked"), withDestinationURL: outbox.appendingPathComponent("src"))
        try spoilt("filelink") { folder in
            try fm.removeItem(at: folder.appendingPathComponent("B.npy"))
            try fm.createSymbolicLink(at: folder.appendingPathComponent("B.npy"), withDestinationURL: weights.appendingPathComponent("B.npy"))
        }
        try spoilt("header") { folder in
            var bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent("B.npy")))
            bytes.replaceSubrange(10..<20, with: Array("{'descr': ".utf8).map { _ in UInt8(ascii: "?") })
            try Data(bytes).write(to: folder.appendingPathComponent("B.npy"))
        }
        try spoilt("dtype") { folder in
            var bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent("B.npy")))
            let pattern = Array("<f8".utf8)
            let at = try #require((0..<(bytes.count - 3)).first { Array(bytes[$0..<($0 + 3)]) == pattern })
            bytes.replaceSubrange(at..<(at + 3), with: Array("<f4".utf8))
            try Data(bytes).write(to: folder.appendingPathComponent("B.npy"))
        }
        try spoilt("nan") { folder in
            var values = NPYFile.decode(try [UInt8](Data(contentsOf: folder.appendingPathComponent("B.npy"))))!.values
            values[7] = .nan
            try Data(NPYFile.encode(values, shape: [2, 40])).write(to: folder.appendingPathComponent("B.npy"))
        }
        try spoilt("short") { folder in
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent("vstar.npy")))
            try Data(bytes.dropLast(8)).write(to: folder.appendingPathComponent("vstar.npy"))
        }
        let outside = BundleTests.temporaryFolder()
        defer { try? fm.removeItem(at: outside) }
        try fm.copyItem(at: outbox.appendingPathComponent("src"), to: outside.appendingPathComponent("src"))

        let cases: [(String, String, String, Int, Int, Int, String)] = [
            // (key, value, words the message must contain, N, M, K, why)
            ("teacher_from", "nothing/seed-0", "nothing does not exist", 40, 2, 3, "a missing bundle"),
            ("teacher_from", "src/seed-7", "src/weights/seed-7 does not exist", 40, 2, 3, "a run the bundle does not have"),
            ("teacher_from", "linked/seed-0", "linked is a symbolic link", 40, 2, 3, "a symlinked bundle"),
            ("teacher_from", "filelink/seed-0", "B.npy is a symbolic link", 40, 2, 3, "a symlinked file"),
            ("teacher_from", "../\(outside.lastPathComponent)/src/seed-0", "\"..\" component", 40, 2, 3, "a path leaving the outbox"),
            ("teacher_from", "\(outside.path)/src/seed-0", "absolute path", 40, 2, 3, "an absolute path"),
            ("teacher_from", "src/seed-0", "has shape (2, 40), but the job needs (2, 50)", 50, 2, 3, "a different N"),
            ("teacher_from", "src/seed-0", "has shape (2, 40), but the job needs (3, 40)", 40, 3, 3, "a different M"),
            ("student_from", "src/seed-0", "has shape (3, 40), but the job needs (4, 40)", 40, 2, 4, "a different K"),
            ("teacher_from", "header/seed-0", "no 'descr'", 40, 2, 3, "a corrupt header"),
            ("teacher_from", "dtype/seed-0", "dtype '<f4'", 40, 2, 3, "float32"),
            ("teacher_from", "nan/seed-0", "non-finite value (nan) at flat index 7", 40, 2, 3, "a NaN inside"),
            ("teacher_from", "short/seed-0", "bytes of data", 40, 2, 3, "a truncated file"),
            ("student_from", "src/seed-0/last", "must name a run", 40, 2, 3, "a run followed by something else"),
            ("teacher_from", "src", "must name a run", 40, 2, 3, "a bundle without a run"),
        ]
        for (key, value, words, N, M, K, why) in cases {
            let json = Self.job("\"\(key)\": \"\(value)\"", N: N, M: M, K: K)
            let error = Self.rejection(json, outbox: outbox)
            #expect(error?.key == key, "\(why): \(String(describing: error))")
            #expect(error?.message.contains(words) == true, "\(why): \(error?.message ?? "accepted")")
        }
        // The sources themselves are fine: the same job with a good value is accepted.
        #expect(Self.rejection(Self.job(#""teacher_from": "src/seed-1", "student_from": "src/seed-1""#), outbox: outbox) == nil)
    }

    @Test("combinations that cannot hold are rejected before any file is read, naming the key")
    func combinations() {
        let cases: [(String, String)] = [
            (#""kind": "compare", "teacher_from": "src/seed-0""#, "teacher_from"),
            (#""kind": "ode", "student_from": "src/seed-0""#, "student_from"),
            (#""teacher_from": "src/seed-0", "sweep": {"N": [40, 50]}"#, "teacher_from"),
            (#""student_from": "src/seed-0", "sweep": {"K": [3, 4]}"#, "student_from"),
            (#""teacher_from": "src/seed-0", "teacher_sparsity": 0.5"#, "teacher_sparsity"),
            (#""student_from": "src/seed-0", "student_init": "small""#, "student_init"),
            (#""teacher_from": 3"#, "teacher_from"),
        ]
        for (extra, key) in cases {
            do {
                _ = try Self.spec(Self.job(extra))
                Issue.record("accepted: \(extra)")
            } catch {
                #expect(error.key == key, "\(extra): \(error)")
            }
        }
    }

    @Test("units carry the weights read (their binary form keeps them), and a unit resumed from a checkpoint ends as one that never stopped")
    func unitsCarryTheWeights() throws {
        let outbox = try Self.outboxWithSource()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let job = #"{"name": "carried", "N": 40, "M": 2, "K": 3, "t_max": 2, "points": 8, "seeds": 2, "teacher_from": "src/seed-1", "student_from": "src/seed-0/final"}"#
        let spec = try Self.spec(job).readingWeights(outbox: outbox.path)
        let units = JobPlan.units(of: spec)
        #expect(units.count == 2 && units.allSatisfy { $0.work.start == spec.startWeights && $0.work.start != nil })
        let decoded = try WorkUnit(encoded: units[1].work.encoded())
        #expect(decoded == units[1].work)
        // A worker holds the carried arrays beside the run: B, v* (2×40 + 2) and W, v (3×40 + 3).
        #expect(WorkUnitResources.memoryBytes(decoded) == WorkUnitResources.memoryBytes(WorkUnit(decoded.work)) + 8 * (82 + 123))
        // Uninterrupted, and stopped after a few chunks, snapshotted and restored from the bytes.
        var whole = try UnitComputation(decoded)
        while !whole.isFinished { whole.advance() }
        var first = try UnitComputation(decoded)
        first.advance()
        var resumed = try UnitComputation(decoded, snapshot: first.snapshot())
        while !resumed.isFinished { resumed.advance() }
        #expect(resumed.resultBytes() == whole.resultBytes())
        // A unit of a job without the keys has no start and the bytes of before (version 1).
        let plain = JobPlan.units(of: try Self.spec(#"{"N": 40, "t_max": 1}"#))[0].work
        #expect(plain.start == nil && Array(plain.encoded()[8..<16]) == [1, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(units[0].work.encoded()[8..<16]) == [3, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("the stored form keeps where the weights came from; a job without them stores what it stored before")
    func storedForm() throws {
        let outbox = try Self.outboxWithSource()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let spec = try Self.spec(Self.job(#""teacher_from": "src/seed-0""#)).readingWeights(outbox: outbox.path)
        let back = try JobSpec(storedForm: spec.storedForm())
        #expect(back.weightsFrom == spec.weightsFrom && back.weightsFrom?.count == 2)
        let plain = try Self.spec(Self.source)
        #expect(!String(decoding: plain.storedForm(), as: UTF8.self).contains("weights_from"))
        #expect(try JobSpec(storedForm: plain.storedForm()).weightsFrom == nil)
    }

    @Test("a job without the keys reads nothing and is unchanged")
    func untouched() throws {
        let spec = try Self.spec(Self.source)
        let read = try spec.readingWeights(outbox: "/nonexistent-outbox")
        #expect(read.startWeights == nil && read.weightsFrom == nil && read.weightSources.isEmpty)
    }
}
