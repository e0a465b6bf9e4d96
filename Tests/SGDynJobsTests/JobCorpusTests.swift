import Foundation
import SGDynCore
import Testing
@testable import SGDynJobs

/// Every job of Tests/Fixtures/job-corpus (and every example) against the recorded outcome:
/// the exact error message and key, or every field of the validated job and its normalised form
/// byte for byte. A refactor of the job schema must leave `expected.txt` unchanged; a deliberate
/// change regenerates it (`SGDYN_UPDATE_CORPUS=1 swift test --filter JobCorpusTests`) and the
/// diff shows exactly what users will see differently.
@Suite("Job files: corpus of valid and invalid jobs")
struct JobCorpusTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/job-corpus").standardizedFileURL
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples").standardizedFileURL

    /// The corpus: `=== NAME` lines start a job whose default name is NAME; the lines up to the
    /// next `===` are its bytes (joined by newlines, no final newline). Then the examples, then a
    /// few byte sequences that a text file cannot hold.
    static func jobs() throws -> [(name: String, bytes: [UInt8])] {
        let text = try String(contentsOf: folder.appendingPathComponent("corpus.txt"), encoding: .utf8)
        var jobs: [(name: String, lines: [Substring])] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("=== ") {
                jobs.append((String(line.dropFirst(4)), []))
            } else if !jobs.isEmpty {
                jobs[jobs.count - 1].lines.append(line)
            }
        }
        if let last = jobs.last, last.lines.last == "" { jobs[jobs.count - 1].lines.removeLast() }
        var result = jobs.map { (name: $0.name, bytes: Array($0.lines.joined(separator: "\n").utf8)) }
        for sub in ["", "quick/"] {
            let dir = examples.appendingPathComponent(sub)
            for file in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where file.hasSuffix(".json") {
                result.append(("example-" + sub.replacingOccurrences(of: "/", with: "-") + String(file.dropLast(5)),
                               [UInt8](try Data(contentsOf: dir.appendingPathComponent(file)))))
            }
        }
        result += [
            ("nul-byte", Array(#"{"N": 50"#.utf8) + [0] + Array(#", "t_max": 1}"#.utf8)),
            ("invalid-utf8", [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D]),
            ("binary", [0x7B, 0xFF, 0xFE, 0x7D]),
            ("byte-order-mark", [0xEF, 0xBB, 0xBF] + Array("{}".utf8)),
        ]
        return result
    }

    /// Everything parsing a job yields, as text: the error, or every field of the spec.
    static func outcome(_ bytes: [UInt8], name: String) -> String {
        let spec: JobSpec
        do {
            spec = try JobParser.parse(bytes, defaultName: name)
        } catch {
            return "error: \(error.description)\nkey: \(error.key ?? "-") line: \(error.line.map(String.init) ?? "-") column: \(error.column.map(String.init) ?? "-")\n"
        }
        return describe(spec)
    }

    /// Every field of a validated job, numbers in their exact (shortest round-trip) form.
    static func describe(_ spec: JobSpec) -> String {
        var out = "kind: \(spec.kind.rawValue)\nname: \(spec.name)\ndescription: \(spec.description.map { JSONValue.string($0).literal } ?? "-")\n"
        out += "seeds: \(spec.seeds.count <= 20 ? spec.seeds.map(String.init).joined(separator: ",") : "\(spec.seeds.count) seeds, last \(spec.seeds.last!)")\n"
        out += "priority: \(spec.priority)\node: \(spec.ode.method.rawValue) rtol \(spec.ode.rtol) atol \(spec.ode.atol) dt \(spec.ode.dt)\n"
        if let initial = spec.initial {
            out += "initial: K \(initial.K) M \(initial.M) Q \(initial.Q) R \(initial.R) T \(initial.T) v \(initial.v) vstar \(initial.vstar)\n"
        }
        if let slurm = spec.slurm {
            out += "slurm: partition \(slurm.partition ?? "-") time limit \(slurm.timeLimitSeconds.map { "\($0) s" } ?? "-")\n"
        }
        out += "sweep keys: \(spec.sweepKeys.joined(separator: ","))\n"
        for warning in spec.warnings { out += "warning: \(warning)\n" }
        for point in spec.points {
            let p = point.parameters
            out += "point \(point.index) [\(point.folder)] \(point.assignments.map { "\($0.key)=\($0.value.literal)" }.joined(separator: " ")):"
            out += " N \(p.N) M \(p.M) K \(p.K) \(p.teacherActivation.rawValue)/\(p.studentActivation.rawValue) lr \(p.learningRate)"
            out += " lr2 \(p.secondLayerLearningRate) sigma \(p.noise) wd \(p.weightDecay) B \(p.batchSize) v \(p.trainSecondLayer)"
            out += " init \(p.studentInit.rawValue) v* \(p.teacherSecondLayer) alpha \(p.trainingSetRatio.map { "\($0)" } ?? "-")"
            out += " t_max \(p.tMax) points \(p.points) seed \(p.seed) mc \(p.monteCarloTestSize.map(String.init) ?? "-")\n"
        }
        out += JSONWriter.string(spec.normalised)
        return out
    }

    /// The schema's key lists appear in messages ("known keys: …", "sweepable keys: …") as
    /// placeholders, so that a new key does not change the transcript of every job with a typo:
    /// the lists themselves are derived from `JobSchema` and checked by `JobSchemaTests`.
    static let keyLists = [(JobSchema.knownKeys.joined(separator: ", "), "‹JobSchema.knownKeys›"),
                           (JobSchema.sweepableKeys.sorted().joined(separator: ", "), "‹JobSchema.sweepableKeys›")]

    static func transcript() throws -> String {
        let text = try jobs().map { "=== \($0.name)\n" + outcome($0.bytes, name: $0.name) }.joined()
        return keyLists.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    @Test("every corpus job and example gives exactly the recorded error or validated job")
    func corpus() throws {
        let actual = try Self.transcript()
        let expectedURL = Self.folder.appendingPathComponent("expected.txt")
        if ProcessInfo.processInfo.environment["SGDYN_UPDATE_CORPUS"] == "1" {
            try Data(actual.utf8).write(to: expectedURL)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        let actualBlocks = actual.components(separatedBy: "=== "), expectedBlocks = expected.components(separatedBy: "=== ")
        for (a, e) in zip(actualBlocks, expectedBlocks) where a != e {
            Issue.record("differs from expected.txt:\n--- expected\n\(e)--- actual\n\(a)")
        }
        #expect(actualBlocks.count == expectedBlocks.count)
    }
}
