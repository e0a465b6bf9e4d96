import SGDynCore

/// A job file being read: the values seen so far, the schema's defaults for the rest. `finish`
/// checks the combinations and limits and expands the sweep.
struct JobDraft {
    // `init()` sets every field from JobSchema's defaults; the values written here are only
    // there because Swift wants every stored property initialised before that.
    var kind = JobKind.simulate
    var name: String?
    var description: String?
    /// The keys that map one to one onto simulation parameters (N, M, K, lr, sigma, …); the
    /// activations and lr2, which have defaults that follow other keys, are resolved by `parameters`.
    var simulation = SimulationParameters()
    var activation = Activation.erf
    var teacherActivation: Activation?
    var studentActivation: Activation?
    var lr2: Double?
    /// `batch_size: "full"`: the batch is the whole training set (`parameters` sets its size).
    var fullBatch = false
    var seeds: [UInt64] = []
    var ode = ODEOptions()
    var initial: JSONValue?
    var sweep: [(key: String, values: [JSONValue])] = []
    var priority = 0
    var slurm: SlurmRequest?
    var teacherFrom: WeightReference?
    var studentFrom: WeightReference?

    init() {
        self = JobField.applyingDefaults(JobSchema.fields, to: self)
    }

    /// Reads one key. `errorKey` is what errors call it (`sweep.K` for a sweep value).
    mutating func apply(key: String, value: JSONValue, errorKey: String) throws(JobError) {
        guard let field = JobSchema.field(named: key) else { throw JobError("unknown key", key: errorKey) }
        try field.apply(&self, value, errorKey)
    }

    mutating func applySweep(_ value: JSONValue) throws(JobError) {
        guard case .object(let members) = value, !members.isEmpty else {
            throw JobError("must be a non-empty object mapping job keys to lists of values, e.g. {\"K\": [2, 4]}", key: "sweep")
        }
        var size = 1
        for (key, listValue) in members {
            let k = "sweep.\(key)"
            guard JobSchema.field(named: key)?.sweepable == true else {
                throw JobError("cannot be swept (sweepable keys: \(JobSchema.sweepableKeys.sorted().joined(separator: ", ")))", key: k)
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
        (1...64).contains(s.utf8.count) && !s.hasPrefix(".") && s.utf8.allSatisfy(isNameByte)
    }

    /// A byte of `[A-Za-z0-9._-]`, the characters of job and partition names.
    static func isNameByte(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
            || b == UInt8(ascii: "-")
    }

    /// The simulation parameters these values give (seed 0).
    var parameters: SimulationParameters {
        var p = simulation
        p.teacherActivation = teacherActivation ?? activation
        p.studentActivation = studentActivation ?? activation
        p.secondLayerLearningRate = lr2 ?? simulation.learningRate
        p.seed = 0
        if fullBatch {
            p.fullBatch = true
            // As a Double first: `trainingSetSize` traps for sizes beyond Int; `checkCombination` rejects those.
            let samples = (p.trainingSetRatio ?? 0) * Double(p.N)
            p.batchSize = samples >= 0.5 && samples.rounded() <= Double(Int32.max) ? (p.trainingSetSize ?? 1) : 1
        }
        return p
    }
}
