import Testing
@testable import SGDynJobs

/// Every kind of invalid job file gets its own clear message, naming the key at fault.
@Suite("Job files: rejections")
struct JobRejectionTests {
    static func error(_ text: String, name: String = "job") -> JobError? {
        do {
            _ = try JobParser.parse(Array(text.utf8), defaultName: name)
            return nil
        } catch {
            return error
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var json: String
        var key: String?
        var fragment: String
        var testDescription: String { json }
    }

    static let cases: [Case] = [
        // Classification, sparse teachers, early stop (issue 21).
        Case(json: #"{"task": "classification"}"#, key: "task", fragment: "one of \"regress\", \"classify\""),
        Case(json: #"{"kind": "ode", "task": "classify"}"#, key: "task", fragment: "\"classify\" has no ODEs"),
        Case(json: #"{"kind": "compare", "sweep": {"task": ["regress", "classify"]}}"#, key: "task", fragment: "kind \"compare\" cannot run it"),
        Case(json: #"{"label_flip": 0.1}"#, key: "label_flip", fragment: "needs \"task\": \"classify\""),
        Case(json: #"{"task": "classify", "label_flip": 1.5}"#, key: "label_flip", fragment: "a number from 0 to 1"),
        Case(json: #"{"task": "classify", "sigma": 0.1}"#, key: "sigma", fragment: "\"label_flip\""),
        Case(json: #"{"teacher_sparsity": 1}"#, key: "teacher_sparsity", fragment: "from 0 to less than 1"),
        Case(json: #"{"teacher_sparsity": -0.1}"#, key: "teacher_sparsity", fragment: "from 0 to less than 1"),
        Case(json: #"{"kind": "ode", "K": 1, "M": 1, "teacher_sparsity": 0.5, "initial": {"Q": [[1]], "R": [[0]], "T": [[1]], "v": [1], "vstar": [1]}}"#,
             key: "teacher_sparsity", fragment: "explicit \"initial\""),
        Case(json: #"{"stop_below": 0}"#, key: "stop_below", fragment: "a number > 0"),
        Case(json: #"{"stop_below": "low"}"#, key: "stop_below", fragment: "a number > 0"),
        Case(json: #"{"kind": "ode", "stop_below": 0.01}"#, key: "stop_below", fragment: "kind \"ode\" runs none"),
        Case(json: #"{"kind": "ode", "store_weights": true}"#, key: "store_weights", fragment: "kind \"ode\" runs none"),
        Case(json: #"{"store_weights": 1}"#, key: "store_weights", fragment: "true or false"),
        Case(json: #"{"batch_size": "full"}"#, key: "batch_size", fragment: "it needs \"training_set\""),
        Case(json: #"{"batch_size": "all", "training_set": 2}"#, key: "batch_size", fragment: "must be an integer ≥ 1, got a string"),
        Case(json: #"{"kind": "compare", "batch_size": "full", "training_set": 2}"#, key: "training_set", fragment: "online learning"),
        // Unknown keys, with a suggestion.
        Case(json: #"{"learning_rate": 0.1}"#, key: "learning_rate", fragment: "did you mean 'lr'"),
        Case(json: #"{"t_mx": 10}"#, key: "t_mx", fragment: "did you mean 't_max'"),
        Case(json: #"{"ode": {"method": "euler", "step": 0.1}}"#, key: "ode.step", fragment: "unknown key"),
        // Wrong types.
        Case(json: #"{"N": "500"}"#, key: "N", fragment: "must be an integer ≥ 1, got a string \"500\""),
        Case(json: #"{"K": 2.5}"#, key: "K", fragment: "integer"),
        Case(json: #"{"lr": true}"#, key: "lr", fragment: "must be a number > 0"),
        Case(json: #"{"train_second_layer": "yes"}"#, key: "train_second_layer", fragment: "true or false"),
        Case(json: #"{"activation": "tanh2"}"#, key: "activation", fragment: #"one of "erf", "relu", "linear", "tanh""#),
        Case(json: #"{"kind": "train"}"#, key: "kind", fragment: #""simulate", "ode", "compare""#),
        Case(json: #"{"seeds": []}"#, key: "seeds", fragment: "non-empty list"),
        Case(json: #"{"seeds": [1, 1]}"#, key: "seeds", fragment: "twice"),
        Case(json: #"{"teacher_second_layer": "half"}"#, key: "teacher_second_layer", fragment: "or a number"),
        Case(json: #"{"sweep": {"K": 3}}"#, key: "sweep.K", fragment: "non-empty list"),
        Case(json: #"{"name": "../etc"}"#, key: "name", fragment: "1 to 64 characters"),
        // Out of range.
        Case(json: #"{"lr": -1}"#, key: "lr", fragment: "got -1"),
        Case(json: #"{"sigma": -0.1}"#, key: "sigma", fragment: "≥ 0"),
        Case(json: #"{"points": 1}"#, key: "points", fragment: "from 2 to"),
        Case(json: #"{"t_max": 0}"#, key: "t_max", fragment: "> 0"),
        Case(json: #"{"sweep": {"lr": [0.1, -0.2]}}"#, key: "sweep.lr", fragment: "got -0.2"),
        Case(json: #"{"sweep": {"K": [2, 2]}}"#, key: "sweep.K", fragment: "twice"),
        Case(json: #"{"sweep": {"seeds": [1, 2]}}"#, key: "sweep.seeds", fragment: "cannot be swept"),
        Case(json: #"{"ode": {"rtol": 2}}"#, key: "ode.rtol", fragment: "(0, 0.1]"),
        // Impossible combinations.
        Case(json: #"{"student_init": "informed", "K": 1, "M": 2}"#, key: "student_init", fragment: "needs K ≥ M"),
        Case(json: #"{"student_init": "denoise", "K": 4}"#, key: "student_init", fragment: "train_second_layer"),
        Case(json: #"{"student_init": "informed", "sweep": {"K": [1, 2]}}"#, key: "student_init", fragment: "at sweep point K=1"),
        // Every pair has ODEs now; a smooth non-polynomial student's joint quadrature grows like
        // (71 nodes)^(K+M−1) for tanh (JointGaussianQuadrature.estimatedSeconds, the last level
        // tabulated): over the bound at K + M = 6, where the conditional pair quadrature takes over,
        // growing like K²·(K + M)² (ConditionalPairQuadrature.estimatedSeconds): over the bound at
        // K = M = 14 (K = M = 12 before 0.6.0).
        Case(json: #"{"kind": "compare", "activation": "tanh", "K": 14, "M": 14}"#, key: "K", fragment: "(tanh) would take about"),
        // A kinked teacher at M = 1 has its level in closed form; at M = 2 the teachers-first rule
        // (KinkedTeacherQuadrature): K = M = 2 runs (≈ 48 ms), K = 3 is over the bound (≈ 2 s).
        Case(json: #"{"kind": "ode", "student_activation": "tanh", "teacher_activation": "relu", "K": 3, "M": 2}"#, key: "K", fragment: "(student tanh, teacher relu) would take about"),
        Case(json: #"{"kind": "ode", "student_activation": "sign"}"#, key: "student_activation", fragment: "can only be a teacher's"),
        Case(json: #"{"teacher_activation": "erf", "student_activation": "sign"}"#, key: "student_activation", fragment: "can only be a teacher's"),
        Case(json: #"{"activation": "sign"}"#, key: "student_activation", fragment: "can only be a teacher's"),
        Case(json: #"{"activation": "swish"}"#, key: "activation", fragment: "\"he3\""),
        // Hermite-expansion teachers (issue 20).
        Case(json: #"{"teacher_activation": {"hermite": [0, 0, 0, 0]}}"#, key: "teacher_activation.hermite", fragment: "only zero coefficients"),
        Case(json: #"{"teacher_activation": {"hermite": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}}"#, key: "teacher_activation.hermite", fragment: "degree 9, more than the 8"),
        Case(json: #"{"teacher_activation": {"hermite": [0, 1e400]}}"#, key: "teacher_activation.hermite[1]", fragment: "a finite number"),
        Case(json: #"{"teacher_activation": {"hermite": [0, "1"]}}"#, key: "teacher_activation.hermite[1]", fragment: "a finite number"),
        Case(json: #"{"teacher_activation": {"hermite": []}}"#, key: "teacher_activation.hermite", fragment: "at least one coefficient"),
        Case(json: #"{"teacher_activation": {"hermite": 3}}"#, key: "teacher_activation.hermite", fragment: "list of coefficients"),
        Case(json: #"{"teacher_activation": {"legendre": [0, 1]}}"#, key: "teacher_activation", fragment: "the one key \"hermite\""),
        Case(json: #"{"student_activation": {"hermite": [0, 1]}}"#, key: "student_activation", fragment: "only be the teacher's activation"),
        Case(json: #"{"activation": {"hermite": [0, 1]}}"#, key: "activation", fragment: "give it as teacher_activation"),
        Case(json: #"{"sweep": {"student_activation": ["erf", {"hermite": [0, 1]}]}}"#, key: "sweep.student_activation", fragment: "only be the teacher's"),
        Case(json: #"{"kind": "ode", "teacher_activation": {"hermite": [0, 0, 0, 1]}, "student_activation": "tanh", "K": 12, "M": 12}"#, key: "K", fragment: "(student tanh, teacher Hermite(0, 0, 0, 1)) would take about"),
        Case(json: #"{"kind": "compare", "training_set": 2}"#, key: "training_set", fragment: "online learning"),
        Case(json: #"{"initial": {"Q": [[1]]}}"#, key: "initial", fragment: "only used by kind \"ode\""),
        Case(json: #"{"kind": "ode", "K": 2, "M": 1, "initial": {"Q": [[1, 0], [0, 1]], "R": [[0], [0]], "T": [[1]], "v": [1]}}"#, key: "initial.v", fragment: "list of 2 numbers"),
        Case(json: #"{"kind": "ode", "initial": {"Q": [[1, 0], [0, 1]]}}"#, key: "initial.R", fragment: "missing"),
        Case(json: #"{"kind": "ode", "mc_test_set": 10}"#, key: "mc_test_set", fragment: "runs none"),
        // Resource limits, with the numbers.
        Case(json: #"{"N": 200000000, "K": 2}"#, key: "N", fragment: "GiB"),
        Case(json: #"{"seeds": 100, "sweep": {"K": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "lr": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1]}}"#,
             key: "sweep", fragment: "110 sweep points × 100 seeds = 11000 runs, over the limit of 10000"),
        Case(json: #"{"N": 100000, "t_max": 1e12}"#, key: "t_max", fragment: "over the limit"),
        // The jobs that took the daemon down (issue 9): the ODE integration, the checkpoint, the records.
        Case(json: #"{"kind":"ode","K":500,"M":2,"t_max":20,"points":10}"#, key: "K", fragment: "one evaluation of the ODE right-hand side for K = 500, M = 2 (erf) would take about 38 s"),
        Case(json: #"{"kind":"compare","K":500,"M":2,"N":1000,"t_max":1,"points":10}"#, key: "K", fragment: "ODE right-hand side"),
        Case(json: #"{"N":8000000,"K":16,"M":1}"#, key: "N", fragment: "each run would need 5.0 GiB of memory"),
        Case(json: #"{"N":1,"K":512,"M":512,"t_max":100,"points":200}"#, key: "K", fragment: "checkpoint would be 404 MiB"),
        Case(json: #"{"N":1000,"K":64,"M":64,"t_max":10,"points":2000,"seeds":4}"#, key: "K", fragment: "result bundle would be about 1.4 GiB"),
        Case(json: #"{"N":1000,"K":16,"M":16,"t_max":10,"points":9000,"seeds":100}"#, key: "seeds", fragment: "every record of the job in memory"),
        Case(json: #"{"seeds": 10000}"#, key: "seeds", fragment: "every record of the job in memory"),
        Case(json: #"{"kind": "ode", "K": 20, "M": 2, "t_max": 100, "points": 80000}"#, key: "points", fragment: "each ODE integration's checkpoint and result would be 284 MiB (80001 records"),
        Case(json: #"{"kind": "ode", "K": 20, "M": 2, "t_max": 100, "points": 30000, "seeds": 5}"#, key: "points", fragment: "every record of the job in memory: 579 MiB"),
        Case(json: #"{"kind": "ode", "N": 40000000, "K": 2}"#, key: "N", fragment: "drawing the initial conditions"),
        // α·N beyond any integer used to trap in the validator.
        Case(json: #"{"training_set": 1e300}"#, key: "training_set", fragment: "α·N = 5e+302 samples"),
    ]

    @Test("each invalid job gets a message naming its key", arguments: cases)
    func rejected(_ c: Case) {
        let error = Self.error(c.json)
        #expect(error != nil)
        #expect(error?.key == c.key)
        #expect(error?.description.contains(c.fragment) == true, "\(String(describing: error))")
    }

    @Test("JSON syntax errors carry line and column")
    func syntax() {
        let e1 = Self.error("{\n  \"N\": 500,\n  \"K\": 2,\n}")
        #expect(e1?.line == 4 && e1?.column == 1 && e1?.key == nil, "\(String(describing: e1))")
        let e2 = Self.error("{\"N\": 50O}")
        #expect(e2?.line == 1 && e2?.column == 9)
        let e3 = Self.error("{\"lr\": 0.1, \"lr\": 0.2}")
        #expect(e3?.message.contains("duplicate key \"lr\"") == true && e3?.column == 13)
        #expect(Self.error("")?.message.contains("empty") == true)
        #expect(Self.error("[1, 2]")?.message.contains("must be a JSON object") == true)
        #expect(Self.error("{'N': 5}")?.message.contains("key in double quotes") == true)
        let binary = String(decoding: [0x7B, 0xFF, 0xFE, 0x7D], as: UTF8.self)
        #expect(Self.error(binary) != nil)
        do {
            _ = try JobParser.parse([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x7D], defaultName: "x")
            Issue.record("invalid UTF-8 accepted")
        } catch {
            #expect(error.message.contains("UTF-8") && error.column == 3)
        }
    }

    @Test("a file name that is not a valid job name needs a name key")
    func badFileName() {
        #expect(Self.error("{}", name: "my job")?.key == "name")
        #expect(Self.error(#"{"name": "ok"}"#, name: "my job") == nil)
    }
}

/// A size just over a limit never prints as the limit itself.
@Suite struct LimitFormattingTests {
    @Test func justOverTheLimitShowsMoreDigits() {
        #expect(JobLimits.format(256 << 20) == "256 MiB")
        #expect(JobLimits.format((256 << 20) + 8_000, over: 256 << 20) == "256.01 MiB")
        #expect(JobLimits.format((2 << 30) + 50_000, over: 2 << 30) == "2147533648 B")  // closer than three decimals
        #expect(JobLimits.format((2 << 30) + 5_000_000, over: 2 << 30) == "2.005 GiB")
        #expect(JobLimits.format(404 << 20, over: 256 << 20) == "404 MiB")
        #expect(JobLimits.format(256 << 20, over: 256 << 20) == "256 MiB")
    }
}
