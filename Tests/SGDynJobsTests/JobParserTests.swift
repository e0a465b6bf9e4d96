import SGDynCore
import Testing
@testable import SGDynJobs

@Suite("Job files: valid jobs")
struct JobParserTests {
    static func parse(_ text: String, name: String = "job") throws -> JobSpec {
        try JobParser.parse(Array(text.utf8), defaultName: name)
    }

    @Test("an empty object gets every default of jobs.md")
    func defaults() throws {
        let spec = try Self.parse("{}", name: "my-job")
        #expect(spec.kind == .simulate && spec.name == "my-job" && spec.seeds == [0] && spec.priority == 0)
        #expect(spec.points.count == 1)
        let p = spec.points[0].parameters
        #expect(p == SimulationParameters(N: 500, M: 2, K: 2, teacherActivation: .erf, studentActivation: .erf,
                                         learningRate: 0.5, secondLayerLearningRate: 0.5, noise: 0, weightDecay: 0,
                                         batchSize: 1, trainSecondLayer: false, studentInit: .large,
                                         teacherSecondLayer: .ones, trainingSetRatio: nil, tMax: 100, points: 200, seed: 0))
        #expect(spec.ode == ODEOptions())
        #expect(spec.normalised["lr2"] == .number("0.5"))
        #expect(spec.normalised["seeds"] == .array([.number("0")]))
    }

    @Test("every key is read into the parameters")
    func allKeys() throws {
        let spec = try Self.parse("""
            {"kind": "simulate", "name": "x1", "N": 1e3, "M": 3, "K": 4, "teacher_activation": "relu",
             "student_activation": "linear", "lr": 0.2, "lr2": 0.05, "sigma": 0.1, "weight_decay": 0.01,
             "batch_size": 4, "train_second_layer": true, "student_init": "informed",
             "teacher_second_layer": 0.5, "training_set": 2.5, "t_max": 7, "points": 12, "seeds": [5, 9],
             "mc_test_set": 100, "priority": -3, "ode": {"method": "rk4", "dt": 0.001}}
            """)
        let p = spec.points[0].parameters
        #expect(p.N == 1000 && p.M == 3 && p.K == 4 && p.teacherActivation == .relu && p.studentActivation == .linear)
        #expect(p.learningRate == 0.2 && p.secondLayerLearningRate == 0.05 && p.noise == 0.1 && p.weightDecay == 0.01)
        #expect(p.batchSize == 4 && p.trainSecondLayer && p.studentInit == .informed && p.teacherSecondLayer == .constant(0.5))
        #expect(p.trainingSetRatio == 2.5 && p.trainingSetSize == 2500 && p.tMax == 7 && p.points == 12 && p.monteCarloTestSize == 100)
        #expect(spec.seeds == [5, 9] && spec.priority == -3 && spec.name == "x1")
        #expect(spec.ode.method == .rk4 && spec.ode.dt == 0.001 && spec.ode.rtol == 1e-8)
        #expect(spec.runs.map(\.parameters.seed) == [5, 9])
    }

    @Test("a sweep is the cartesian product in file order, last key fastest; lr2 follows a swept lr")
    func sweep() throws {
        let spec = try Self.parse(#"{"seeds": 2, "sweep": {"K": [2, 3, 4], "lr": [0.1, 0.5]}}"#)
        #expect(spec.points.count == 6 && spec.runs.count == 12 && spec.sweepKeys == ["K", "lr"])
        #expect(spec.points.map(\.folder) == ["K=2_lr=0.1", "K=2_lr=0.5", "K=3_lr=0.1", "K=3_lr=0.5", "K=4_lr=0.1", "K=4_lr=0.5"])
        #expect(spec.points.map(\.parameters.K) == [2, 2, 3, 3, 4, 4])
        #expect(spec.points.map(\.parameters.secondLayerLearningRate) == [0.1, 0.5, 0.1, 0.5, 0.1, 0.5])
        #expect(spec.normalised["lr2"] == .null)
        #expect(spec.runs.map(\.seed) == [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
    }

    @Test("activation sets both networks unless one is given explicitly")
    func activations() throws {
        let p = try Self.parse(#"{"activation": "relu", "student_activation": "erf"}"#).points[0].parameters
        #expect(p.teacherActivation == .relu && p.studentActivation == .erf)
    }

    @Test("a Hermite-expansion teacher: read, canonical in the normalised job, swept with safe folder names")
    func hermiteTeacher() throws {
        let spec = try Self.parse(#"{"kind": "compare", "M": 1, "teacher_activation": {"hermite": [0, 0.5, 0, 1, 0]}, "student_activation": "erf"}"#)
        let p = spec.points[0].parameters
        #expect(p.teacherActivation == .hermite(HermiteExpansion(coefficients: [0, 0.5, 0, 1])) && p.studentActivation == .erf)
        #expect(spec.normalised["teacher_activation"] == .object([(key: "hermite", value: .array([.number("0.0"), .number("0.5"), .number("0.0"), .number("1.0")]))]))
        #expect(spec.normalised["student_activation"] == .string("erf"))
        let swept = try Self.parse(#"{"sweep": {"teacher_activation": ["he3", {"hermite": [0, -0.25, 0, 1]}]}}"#)
        #expect(swept.points.map(\.folder) == ["teacher_activation=he3", "teacher_activation=hermite~0~-0.25~0~1"])
        #expect(swept.points[1].parameters.teacherActivation.rawValue == "Hermite(0, -0.25, 0, 1)")
        #expect(swept.points[1].parameters.studentActivation == .erf)
    }

    @Test("linear networks with lr·K ≥ 2 are allowed but warned about")
    func unstableWarning() throws {
        let spec = try Self.parse(#"{"activation": "linear", "lr": 1.5, "K": 2}"#)
        #expect(spec.warnings.count == 1 && spec.warnings[0].contains("diverge"))
        #expect(try Self.parse(#"{"activation": "linear", "lr": 0.5}"#).warnings.isEmpty)
    }

    @Test("explicit initial conditions for an ODE job are read with their shapes")
    func initialConditions() throws {
        let spec = try Self.parse("""
            {"kind": "ode", "K": 2, "M": 1, "initial": {"Q": [[1, 0.1], [0.1, 1]], "R": [[0.2], [0.3]], "T": [[1]],
             "v": [1, 1], "vstar": [1]}}
            """)
        #expect(spec.initial?.R == [0.2, 0.3] && spec.initial?.Q == [1, 0.1, 0.1, 1])
    }
}
