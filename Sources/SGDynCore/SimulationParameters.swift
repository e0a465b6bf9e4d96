/// How the student's weights start (science.md §3).
public enum StudentInit: String, Sendable, CaseIterable, Codable {
    /// w_k = ξ (Q_kk ≈ 1); v_k = ξ when trained.
    case large
    /// w_k = 10⁻³ξ; v_k = 10⁻³ξ when trained.
    case small
    /// w_k = ξ/√N; v_k = ξ/√K when trained.
    case mixed
    /// 10⁻⁹ξ plus the teacher's w*_k (and v*_k) on the first M units; needs K ≥ M.
    case informed
    /// Copies of the teacher units, w_k = w*_{k mod M}, v_k = v*_{k mod M}/copies; needs K ≥ M
    /// and a trained second layer.
    case denoise
}

/// The teacher's second layer v* (science.md §3). When the student's second layer is not
/// trained, the student's v follows the same convention with K in place of M (see `studentValue`).
public enum TeacherSecondLayer: Sendable, Equatable, Codable {
    case ones
    /// Entries i.i.d. N(0, 1), drawn from the teacher stream after B.
    case random
    /// All entries 1/M.
    case normalise
    /// All entries 1/√M.
    case meanfield
    /// ±1, with the sign of the odd-indexed entries (v*_2, v*_4, … counting from 1) flipped.
    case mix
    /// All entries equal to this value.
    case constant(Double)

    /// The value of a fixed (untrained) student second-layer weight with K units: 1 for `ones`,
    /// `random` and `mix`, 1/K for `normalise`, 1/√K for `meanfield`, a for a constant a.
    public func studentValue(K: Int) -> Double {
        switch self {
        case .ones, .random, .mix: return 1
        case .normalise: return 1 / Double(K)
        case .meanfield: return 1 / Double(K).squareRoot()
        case .constant(let a): return a
        }
    }
}

/// What the student learns (job key `task`).
public enum LearningTask: String, Sendable, CaseIterable, Codable {
    /// Labels y = φ* + σζ (science.md §1); ε_g is the analytic closed form.
    case regress
    /// Labels y = sign(φ*) (0 counted as +1), each replaced with probability `labelFlip` by a
    /// random ±1; the student still learns by the squared loss. ε_g and the classification error
    /// are measured on a fixed Monte-Carlo test set with the clean labels.
    case classify
}

/// Everything that defines one simulation run: one sweep point with one seed.
///
/// Its invariants are listed once, in `invariantProblem`: job validation reports them to users,
/// the decoders refuse stored parameters that break them, and `check()` traps on them.
public struct SimulationParameters: Sendable, Equatable, Codable {
    /// Input dimension N.
    public var N: Int
    /// Teacher hidden units M.
    public var M: Int
    /// Student hidden units K.
    public var K: Int
    public var teacherActivation: Activation
    public var studentActivation: Activation
    /// η, the first-layer learning rate.
    public var learningRate: Double
    /// η_v, the second-layer learning rate.
    public var secondLayerLearningRate: Double
    /// σ, the standard deviation of the label noise.
    public var noise: Double
    /// κ, the weight decay.
    public var weightDecay: Double
    /// B, the mini-batch size.
    public var batchSize: Int
    public var trainSecondLayer: Bool
    public var studentInit: StudentInit
    public var teacherSecondLayer: TeacherSecondLayer
    /// α: a finite training set of α·N samples; nil for online learning.
    public var trainingSetRatio: Double?
    /// Final time, in units of steps/N.
    public var tMax: Double
    /// Number of log-spaced output times after t = 0.
    public var points: Int
    /// The seed of this run.
    public var seed: UInt64
    /// Size of a fixed Monte-Carlo test set on which ε_g is also estimated (nil: analytic only).
    public var monteCarloTestSize: Int?
    /// Regression (the default) or classification by sign labels.
    public var task: LearningTask = .regress
    /// Classification only: the probability that a label is replaced by a random ±1.
    public var labelFlip: Double = 0
    /// The fraction of each teacher row's N weights set to zero (0: a dense teacher).
    public var teacherSparsity: Double = 0
    /// A run ends at the first record whose ε_g is below this (nil: runs to t_max).
    public var stopBelow: Double?
    /// Keep the final student weights in the run's result, so that the bundle can hold the
    /// teacher's and the student's initial and final weights (job key `store_weights`).
    public var storeWeights = false
    /// Full-batch gradient descent on the finite training set (`batch_size: "full"`): every step
    /// takes the gradient over all P samples, in index order; `batchSize` is then P.
    public var fullBatch = false
    /// A real data set instead of a teacher (job key `data`): M is 0, the training set is the
    /// data's P samples, and ε_g is measured on its test set.
    public var data: DataSetReference?

    /// The keys added after the binary extension block was fixed: each is stored in its tail
    /// as (tag, a Double) when not at its default, so adding one here is all its binary forms
    /// need (work units, snapshots, finished runs; `StableTagTests` pins the tags). Never reuse
    /// or change a tag.
    public static let laterKeys: [LaterKey] = []

    /// Test-set size of a classification run when the job gives none.
    public static let defaultClassificationTestSize = 10_000

    /// Whether any key beyond the original ones (those `init` takes) differs from its default:
    /// the binary codec writes those only in its newer format versions' extension block. Derived
    /// from `init`, so a new stored property with a default counts without a change here.
    public var usesExtensions: Bool {
        self != SimulationParameters(
            N: N, M: M, K: K, teacherActivation: teacherActivation, studentActivation: studentActivation,
            learningRate: learningRate, secondLayerLearningRate: secondLayerLearningRate, noise: noise, weightDecay: weightDecay,
            batchSize: batchSize, trainSecondLayer: trainSecondLayer, studentInit: studentInit, teacherSecondLayer: teacherSecondLayer,
            trainingSetRatio: trainingSetRatio, tMax: tMax, points: points, seed: seed, monteCarloTestSize: monteCarloTestSize)
    }

    /// The size of the fixed Monte-Carlo test set actually used (classification always has one).
    public var effectiveTestSize: Int? {
        task == .classify ? (monteCarloTestSize ?? Self.defaultClassificationTestSize) : monteCarloTestSize
    }

    public init(
        N: Int = 500, M: Int = 2, K: Int = 2,
        teacherActivation: Activation = .erf, studentActivation: Activation = .erf,
        learningRate: Double = 0.5, secondLayerLearningRate: Double? = nil,
        noise: Double = 0, weightDecay: Double = 0, batchSize: Int = 1,
        trainSecondLayer: Bool = false, studentInit: StudentInit = .large,
        teacherSecondLayer: TeacherSecondLayer = .ones, trainingSetRatio: Double? = nil,
        tMax: Double = 100, points: Int = 200, seed: UInt64 = 0, monteCarloTestSize: Int? = nil
    ) {
        self.N = N
        self.M = M
        self.K = K
        self.teacherActivation = teacherActivation
        self.studentActivation = studentActivation
        self.learningRate = learningRate
        self.secondLayerLearningRate = secondLayerLearningRate ?? learningRate
        self.noise = noise
        self.weightDecay = weightDecay
        self.batchSize = batchSize
        self.trainSecondLayer = trainSecondLayer
        self.studentInit = studentInit
        self.teacherSecondLayer = teacherSecondLayer
        self.trainingSetRatio = trainingSetRatio
        self.tMax = tMax
        self.points = points
        self.seed = seed
        self.monteCarloTestSize = monteCarloTestSize
    }

    /// Number of samples in the finite training set (nil for online learning).
    public var trainingSetSize: Int? {
        if let data { return data.trainCount }
        return trainingSetRatio.map { max(1, Int((($0 * Double(N)).rounded()))) }
    }

    /// Total SGD steps of the run: ⌈t_max·N⌉.
    public var totalSteps: Int { OutputSchedule.step(atTime: tMax, N: N) }

    /// Preconditions the simulator relies on (`invariantProblem`); job validation and the
    /// decoders report them first, so no valid job or stored file reaches this trap.
    public func check() {
        if let problem = invariantProblem { preconditionFailure("invalid simulation parameters: \(problem)") }
    }

    /// The first invariant these parameters break, or nil: the one list of what the simulator
    /// relies on. `JobDraft.checkCombination` reports it to users (its message, at its key, is
    /// what a job file's author reads), `decodingProblem` refuses stored parameters that break
    /// it, `check()` traps. A new key's rules go here and nowhere else. Comparisons are written
    /// so that NaN fails them, and nothing here converts a Double to Int before checking its range.
    public var invariantProblem: ParameterProblem? {
        func problem(_ key: String, _ message: String) -> ParameterProblem { ParameterProblem(key: key, message: message) }
        // Each key's own range (a job file's readers check these first, with their own messages).
        guard N >= 1 else { return problem("N", "must be ≥ 1, got \(N)") }
        // M = 0 exactly for a run on a real data set (no teacher).
        guard M >= 1 || (M == 0 && data != nil) else { return problem("M", "must be ≥ 1, got \(M)") }
        guard K >= 1 else { return problem("K", "must be ≥ 1, got \(K)") }
        guard batchSize >= 1 else { return problem("batch_size", "must be ≥ 1, got \(batchSize)") }
        guard points >= 2 else { return problem("points", "must be ≥ 2, got \(points)") }
        guard tMax > 0 else { return problem("t_max", "must be > 0, got \(tMax)") }
        guard learningRate > 0 else { return problem("lr", "must be > 0, got \(learningRate)") }
        guard secondLayerLearningRate > 0 else { return problem("lr2", "must be > 0, got \(secondLayerLearningRate)") }
        guard noise >= 0 else { return problem("sigma", "must be ≥ 0, got \(noise)") }
        guard weightDecay >= 0 else { return problem("weight_decay", "must be ≥ 0, got \(weightDecay)") }
        guard labelFlip >= 0, labelFlip <= 1 else { return problem("label_flip", "must be from 0 to 1, got \(labelFlip)") }
        guard teacherSparsity >= 0, teacherSparsity < 1 else { return problem("teacher_sparsity", "must be from 0 to less than 1, got \(teacherSparsity)") }
        if let stopBelow, !(stopBelow > 0 && stopBelow.isFinite) { return problem("stop_below", "must be > 0, got \(stopBelow)") }
        if let size = monteCarloTestSize, size < 1 { return problem("mc_test_set", "must be ≥ 1, got \(size)") }
        // Between keys, in the order job validation has always reported them.
        if let data {
            if studentInit == .informed || studentInit == .denoise {
                return problem("student_init", "\"\(studentInit.rawValue)\" starts from the teacher; a job with \"data\" has none")
            }
            guard M == 0, trainingSetRatio == nil, monteCarloTestSize == nil, labelFlip == 0, teacherSparsity == 0,
                  data.trainCount >= 1, data.testCount >= 1, data.trainCount <= Int(Int32.max),
                  8 * (Double(data.trainCount) + Double(data.testCount)) * (Double(N) + 1) <= Double(SimulationLimits.maxRunBytes) else {
                return problem("data", "a data set with teacher keys or sizes out of range")
            }
        }
        if studentInit == .informed || studentInit == .denoise, K < M {
            return problem("student_init", "\"\(studentInit.rawValue)\" needs K ≥ M, but K = \(K) and M = \(M)")
        }
        if studentInit == .denoise, !trainSecondLayer {
            return problem("student_init", "\"denoise\" needs \"train_second_layer\": true (its second layer divides v* among the copies)")
        }
        if !studentActivation.declaration.studentAllowed {
            return problem("student_activation", "\"\(studentActivation.rawValue)\" can only be a teacher's activation: SGD needs the student's g', and it has none (0 almost everywhere)")
        }
        if fullBatch, trainingSetRatio == nil, data == nil {
            return problem("batch_size", "\"full\" is gradient descent on the whole training set; it needs \"training_set\"")
        }
        if task == .regress, labelFlip != 0 {
            return problem("label_flip", "flips classification labels; it needs \"task\": \"classify\" (regression labels have \"sigma\")")
        }
        if task == .classify, noise != 0 {
            return problem("sigma", "is the noise of regression labels; classification labels are signs, whose noise is \"label_flip\"")
        }
        // As a Double first: `trainingSetSize` converts α·N to Int, which traps when it is too large.
        if let alpha = trainingSetRatio {
            let samples = alpha * Double(N)
            if !(samples >= 0.5) || !(samples.rounded() <= Double(Int32.max)) {
                return problem("training_set", "α·N = \(samples) samples; it must be between 1 and \(Int32.max)")
            }
        }
        // The first output time after 0 is t_max/100 (for t_max < 10): below about 5e-322 it is 0,
        // and the log-spaced times between become NaN, which trapped the run.
        if !(tMax / 100 > 0) {
            return problem("t_max", "t_max = \(tMax) is too small: the output times t_max/100 … t_max are not representable")
        }
        if fullBatch, trainingSetSize != batchSize {
            return problem("batch_size", "full-batch descent with a batch other than the training set (\(batchSize) samples)")
        }
        return nil
    }
}

/// A simulation parameter stored in the tail of the binary extension block, as one Double.
public struct LaterKey: Sendable {
    /// The stable tag it is stored under.
    public let tag: UInt8
    /// Its job key (`ParameterKeyTests` checks it is one).
    public let name: String
    /// Its value as stored, or nil at its default (then it is not stored).
    public let stored: @Sendable (SimulationParameters) -> Double?
    /// Sets it from a stored value (checked afterwards by `invariantProblem`).
    public let restore: @Sendable (inout SimulationParameters, Double) -> Void

    /// A Double property with its default.
    public static func double(_ tag: UInt8, _ name: String, _ property: WritableKeyPath<SimulationParameters, Double> & Sendable,
                              default value: Double) -> LaterKey {
        LaterKey(tag: tag, name: name, stored: { p in p[keyPath: property] == value ? nil : p[keyPath: property] },
                 restore: { p, stored in p[keyPath: property] = stored })
    }

    /// A Bool property, false by default, stored as 1.
    public static func flag(_ tag: UInt8, _ name: String, _ property: WritableKeyPath<SimulationParameters, Bool> & Sendable) -> LaterKey {
        LaterKey(tag: tag, name: name, stored: { p in p[keyPath: property] ? 1 : nil }, restore: { p, stored in p[keyPath: property] = stored == 1 })
    }
}

/// An invariant of `SimulationParameters` broken: the job key it is reported at and why, in the
/// words job validation shows (without the sweep point it happened at).
public struct ParameterProblem: Sendable, Equatable, CustomStringConvertible {
    /// The job-file key the problem is reported at.
    public let key: String
    public let message: String

    public var description: String { "\(key): \(message)" }
}
