import SGDynCore

/// A job file being read: the values seen so far, defaults for the rest. `finish` checks the
/// combinations and limits and expands the sweep.
struct JobDraft {
    var kind = JobKind.simulate
    var name: String?
    var description: String?
    var N = 500, M = 2, K = 2
    var activation = Activation.erf
    var teacherActivation: Activation?
    var studentActivation: Activation?
    var lr = 0.5
    var lr2: Double?
    var sigma = 0.0
    var weightDecay = 0.0
    var batchSize = 1
    var trainSecondLayer = false
    var studentInit = StudentInit.large
    var teacherSecondLayer = TeacherSecondLayer.ones
    var trainingSet: Double?
    var tMax = 100.0
    var points = 200
    var seeds: [UInt64] = [0]
    var mcTestSet: Int?
    var ode = ODEOptions()
    var initial: JSONValue?
    var sweep: [(key: String, values: [JSONValue])] = []
    var priority = 0

    /// Reads one key. `errorKey` is what errors call it (`sweep.K` for a sweep value).
    mutating func apply(key: String, value: JSONValue, errorKey: String) throws(JobError) {
        let k = errorKey
        switch key {
        case "kind": kind = try JobValues.choice(value, k, JobKind.self)
        case "name":
            let s = try JobValues.string(value, k)
            guard JobDraft.isValidName(s) else {
                throw JobError("must be 1 to 64 characters from A–Z, a–z, 0–9, '.', '_', '-' (not starting with '.'), got \(value.literal)", key: k)
            }
            name = s
        case "description": description = try JobValues.string(value, k)
        case "N": N = try JobValues.integer(value, k, min: 1)
        case "M": M = try JobValues.integer(value, k, min: 1, max: JobLimits.maxUnits)
        case "K": K = try JobValues.integer(value, k, min: 1, max: JobLimits.maxUnits)
        case "activation": activation = try JobValues.choice(value, k, Activation.self)
        case "teacher_activation": teacherActivation = try JobValues.choice(value, k, Activation.self)
        case "student_activation": studentActivation = try JobValues.choice(value, k, Activation.self)
        case "lr": lr = try JobValues.number(value, k, "a number > 0", { $0 > 0 })
        case "lr2": lr2 = try JobValues.number(value, k, "a number > 0", { $0 > 0 })
        case "sigma": sigma = try JobValues.number(value, k, "a number ≥ 0", { $0 >= 0 })
        case "weight_decay": weightDecay = try JobValues.number(value, k, "a number ≥ 0", { $0 >= 0 })
        case "batch_size": batchSize = try JobValues.integer(value, k, min: 1)
        case "train_second_layer": trainSecondLayer = try JobValues.bool(value, k)
        case "student_init": studentInit = try JobValues.choice(value, k, StudentInit.self)
        case "teacher_second_layer": teacherSecondLayer = try JobValues.teacherSecondLayer(value, k)
        case "training_set":
            trainingSet = value == .null ? nil : try JobValues.number(value, k, "a number α > 0 (a training set of α·N samples) or null", { $0 > 0 })
        case "t_max": tMax = try JobValues.number(value, k, "a number > 0", { $0 > 0 })
        case "points": points = try JobValues.integer(value, k, min: 2, max: JobLimits.maxPoints)
        case "seeds": seeds = try JobValues.seeds(value, k)
        case "mc_test_set":
            mcTestSet = value == .null ? nil : try JobValues.integer(value, k, min: 1, max: JobLimits.maxTestSet)
        case "priority": priority = try JobValues.integer(value, k, min: -1_000_000, max: 1_000_000)
        case "ode": try applyODE(value)
        case "initial":
            guard case .object = value else { throw JobError("must be an object {\"Q\", \"R\", \"T\", \"v\", \"vstar\"}", key: k) }
            initial = value
        case "sweep": try applySweep(value)
        default: throw JobError("unknown key", key: k)
        }
    }

    private mutating func applyODE(_ value: JSONValue) throws(JobError) {
        guard case .object(let members) = value else {
            throw JobError("must be an object such as {\"method\": \"adaptive\", \"rtol\": 1e-8}", key: "ode")
        }
        for (key, v) in members {
            let k = "ode.\(key)"
            switch key {
            case "method": ode.method = try JobValues.choice(v, k, ODEOptions.Method.self)
            case "rtol": ode.rtol = try JobValues.number(v, k, "a number in (0, 0.1]", { $0 > 0 && $0 <= 0.1 })
            case "atol": ode.atol = try JobValues.number(v, k, "a number in (0, 0.1]", { $0 > 0 && $0 <= 0.1 })
            case "dt": ode.dt = try JobValues.number(v, k, "a number in (0, 1]", { $0 > 0 && $0 <= 1 })
            default: throw JobError("unknown key (known: method, rtol, atol, dt)", key: k)
            }
        }
    }

    private mutating func applySweep(_ value: JSONValue) throws(JobError) {
        guard case .object(let members) = value, !members.isEmpty else {
            throw JobError("must be a non-empty object mapping job keys to lists of values, e.g. {\"K\": [2, 4]}", key: "sweep")
        }
        var size = 1
        for (key, listValue) in members {
            let k = "sweep.\(key)"
            guard JobParser.sweepableKeys.contains(key) else {
                throw JobError("cannot be swept (sweepable keys: \(JobParser.sweepableKeys.sorted().joined(separator: ", ")))", key: k)
            }
            guard case .array(let values) = listValue, !values.isEmpty else { throw JobError("must be a non-empty list of values", key: k) }
            var scratch = self
            for (i, v) in values.enumerated() {
                try scratch.apply(key: key, value: v, errorKey: k)
                if values[..<i].contains(v) { throw JobError("lists the value \(v.literal) twice", key: k) }
            }
            size *= values.count
            guard size <= JobLimits.maxRuns else {
                throw JobError("the sweep has more than \(JobLimits.maxRuns) points (the limit on sweep points × seeds)", key: "sweep")
            }
            sweep.append((key, values))
        }
    }

    static func isValidName(_ s: String) -> Bool {
        (1...64).contains(s.utf8.count) && !s.hasPrefix(".")
            && s.utf8.allSatisfy { b in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
                    || b == UInt8(ascii: "-")
            }
    }

    /// The simulation parameters these values give (seed 0).
    var parameters: SimulationParameters {
        SimulationParameters(
            N: N, M: M, K: K, teacherActivation: teacherActivation ?? activation,
            studentActivation: studentActivation ?? activation, learningRate: lr, secondLayerLearningRate: lr2 ?? lr,
            noise: sigma, weightDecay: weightDecay, batchSize: batchSize, trainSecondLayer: trainSecondLayer,
            studentInit: studentInit, teacherSecondLayer: teacherSecondLayer, trainingSetRatio: trainingSet,
            tMax: tMax, points: points, seed: 0, monteCarloTestSize: mcTestSet)
    }
}
