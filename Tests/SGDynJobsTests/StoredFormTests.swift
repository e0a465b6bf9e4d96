import Foundation
import SGDynCore
import Testing
@testable import SGDynJobs

/// `JobSpec.storedForm()` and `init(storedForm:)`: lossless, and bundles built from a decoded
/// spec are byte-identical to bundles built from the parsed one.
@Suite("Job specs: the stored form")
struct StoredFormTests {
    static func validSpecs() throws -> [(name: String, spec: JobSpec)] {
        try JobCorpusTests.jobs().compactMap { job in
            (try? JobParser.parse(job.bytes, defaultName: job.name)).map { (job.name, $0) }
        }
    }

    /// Bundle files without the parts that depend on the clock.
    static func bundle(_ spec: JobSpec, outcomes: [RunOutcome], odes: [ODEOutcome] = [], status: String = "done") -> [BundleFile] {
        let timing = Timing(startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 1), steps: 1)
        return ResultBundle.simulation(spec: spec, jobBytes: Array("{}".utf8), outcomes: outcomes, odes: odes, timing: timing,
                                       log: ["a line"], status: status)
    }

    /// A stand-in for finished runs (the first few runs of a job, with two made-up records each),
    /// so that every spec of the corpus can be turned into a bundle without simulating it.
    static func madeUpOutcomes(_ spec: JobSpec) -> [RunOutcome] {
        spec.runs.prefix(12).map { run in
            let p = run.parameters, K = p.K, M = p.M
            let records = (0..<2).map { i in
                SimulationRecord(step: i * p.N, t: Double(i), eg: 0.5 / Double(i + 1), orderParameters: OrderParameters(
                    K: K, M: M, Q: (0..<K * K).map { Double($0 % 7) * 0.1 }, R: (0..<K * M).map { Double($0 % 5) * 0.01 },
                    T: (0..<M * M).map { Double($0) }, v: Array(repeating: 1, count: K), vstar: Array(repeating: 1, count: M)))
            }
            return RunOutcome(pointIndex: run.point.index, seed: run.seed, records: records, steps: p.N)
        }
    }

    @Test("every valid job of the corpus and every example survives the stored form exactly")
    func lossless() throws {
        let specs = try Self.validSpecs()
        #expect(specs.count > 50)
        for (name, spec) in specs {
            let stored = spec.storedForm()
            let decoded = try JobSpec(storedForm: stored)
            #expect(JobCorpusTests.describe(decoded) == JobCorpusTests.describe(spec), "\(name)")
            #expect(decoded.storedForm() == stored, "\(name)")
            #expect(decoded.slurm == spec.slurm && decoded.normalised == spec.normalised, "\(name)")
            for (a, b) in zip(decoded.points, spec.points) {
                #expect(a.parameters == b.parameters && a.assignments.map(\.key) == b.assignments.map(\.key)
                        && a.assignments.map(\.value) == b.assignments.map(\.value), "\(name)")
                // == on Doubles calls −0 and 0 equal; the bits must be the same too.
                let bits = { (p: SimulationParameters) in
                    [p.learningRate, p.secondLayerLearningRate, p.noise, p.weightDecay, p.tMax, p.trainingSetRatio ?? 1,
                     p.teacherSecondLayer.studentValue(K: 1)].map(\.bitPattern)
                }
                #expect(bits(a.parameters) == bits(b.parameters), "\(name)")
            }
            // Bundles of the huge-K jobs at the edge of the limits take seconds; their fields are checked above.
            guard spec.points.allSatisfy({ $0.parameters.K * $0.parameters.M <= 4096 }) else { continue }
            let made = Self.madeUpOutcomes(spec)
            let original = Self.bundle(spec, outcomes: made, status: "cancelled")
            let fromStored = Self.bundle(decoded, outcomes: made, status: "cancelled")
            #expect(original.map(\.path) == fromStored.map(\.path) && original.map(\.bytes) == fromStored.map(\.bytes), "\(name)")
        }
    }

    @Test("running a decoded spec gives the same bundle bytes as running the parsed one", arguments: [
        #"{"kind": "simulate", "name": "x1", "description": "every key", "N": 1e3, "M": 3, "K": 4, "teacher_activation": "relu", "student_activation": "linear", "lr": 0.2, "lr2": 0.05, "sigma": 0.1, "weight_decay": 0.01, "batch_size": 4, "train_second_layer": true, "student_init": "informed", "teacher_second_layer": 0.5, "training_set": 2.5, "t_max": 3, "points": 12, "seeds": [5, 9], "mc_test_set": 20, "priority": -3, "ode": {"method": "rk4", "dt": 0.001}, "slurm": {"partition": "p", "time_limit": 5}}"#,
        #"{"kind": "compare", "N": 500, "K": 2, "M": 2, "lr": 0.5, "sigma": 0.01, "t_max": 3, "points": 10, "seeds": 2, "sweep": {"lr": [0.3, 5e-1]}}"#,
        #"{"kind": "ode", "K": 2, "M": 1, "t_max": 5, "points": 10, "initial": {"Q": [[1, 0.1], [0.10000000000001, 1]], "R": [[0.2], [0.3]], "T": [[1]], "v": [1, 1], "vstar": [1]}}"#,
        #"{"kind": "ode", "K": 3, "M": 2, "N": 300, "t_max": 4, "points": 8, "seeds": [3, 1], "activation": "relu", "ode": {"method": "euler", "dt": 0.05}}"#,
        #"{"N": 40, "t_max": 2, "points": 5, "seeds": 2, "sweep": {"teacher_second_layer": ["mix", -0.0, "random"], "training_set": [null, 1.5], "activation": ["erf", "relu"], "batch_size": [1, 3]}}"#,
    ])
    func sameBundleWhenRun(_ text: String) throws {
        let spec = try JobParser.parse(Array(text.utf8), defaultName: "stored")
        let decoded = try JobSpec(storedForm: spec.storedForm())
        let (runs, odes) = try JobRunner.run(spec, threads: 2), (decodedRuns, decodedODEs) = try JobRunner.run(decoded, threads: 2)
        let a = Self.bundle(spec, outcomes: runs, odes: odes), b = Self.bundle(decoded, outcomes: decodedRuns, odes: decodedODEs)
        #expect(a.map(\.path) == b.map(\.path))
        for (x, y) in zip(a, b) { #expect(x.bytes == y.bytes, "\(x.path)") }
    }

    @Test("a damaged stored form is an error naming the field, never a trap")
    func damaged() throws {
        let spec = try JobParser.parse(Array(#"{"K": 3, "M": 2, "sweep": {"lr": [0.1, 0.2]}}"#.utf8), defaultName: "d")
        let good = String(decoding: spec.storedForm(), as: UTF8.self)
        func error(_ text: String) -> JobError? {
            do { _ = try JobSpec(storedForm: Array(text.utf8)); return nil } catch { return error }
        }
        #expect(error(good) == nil)
        #expect(error(String(good.dropLast(10)))?.key == "stored")
        #expect(error(good.replacingOccurrences(of: #""version":1"#, with: #""version":2"#))?.key == "stored.version")
        #expect(error(good.replacingOccurrences(of: #""format":"sgdyn-job-spec""#, with: #""format":"x""#))?.key == "stored.format")
        #expect(error(good.replacingOccurrences(of: #""priority":0,"#, with: ""))?.key == "stored.priority")
        #expect(error(good.replacingOccurrences(of: #""priority":0,"#, with: #""priority":0,"extra":1,"#))?.key == "stored.extra")
        #expect(error(good.replacingOccurrences(of: #""K":3,"#, with: #""K":0,"#))?.key == "stored.points[0].parameters.K")
        #expect(error(good.replacingOccurrences(of: #""student_init":"large""#, with: #""student_init":"informed""#)) == nil)
        #expect(error(good.replacingOccurrences(of: #""M":2,"K":3"#, with: #""M":4,"K":3"#)
            .replacingOccurrences(of: #""student_init":"large""#, with: #""student_init":"informed""#))?.key == "stored.points[0].parameters")
        #expect(error(good.replacingOccurrences(of: #""training_set":null"#, with: #""training_set":1e300"#))?.key == "stored.points[0].parameters")
        #expect(error(good.replacingOccurrences(of: #""seed":0"#, with: #""seed":-1"#))?.key == "stored.points[0].parameters.seed")
        #expect(error(good.replacingOccurrences(of: #""index":1"#, with: #""index":0"#))?.key == "stored.points")
        #expect(error(good.replacingOccurrences(of: #""initial":null"#, with: #""initial":{"K":2,"M":1,"Q":[1],"R":[0,0],"T":[1],"v":[1,1],"vstar":[1]}"#))?.key == "stored.initial.Q")
        #expect(error("[]")?.key == "stored")
    }
}
