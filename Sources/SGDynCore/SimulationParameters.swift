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
/// Validation of user input happens where job files are parsed; `check()` only guards the
/// invariants the simulator relies on.
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

    /// Test-set size of a classification run when the job gives none.
    public static let defaultClassificationTestSize = 10_000

    /// Whether any key beyond the original ones differs from its default: the binary codec
    /// writes those only in its newer format versions' extension block.
    public var usesExtensions: Bool {
        task != .regress || labelFlip != 0 || teacherSparsity != 0 || stopBelow != nil || storeWeights || fullBatch || data != nil
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

    /// Preconditions the simulator relies on; job validation reports them to users first.
    public func check() {
        precondition(N >= 1 && (M >= 1 || (M == 0 && data != nil)) && K >= 1 && batchSize >= 1 && points >= 2, "sizes must be positive")
        precondition(tMax > 0 && learningRate > 0 && secondLayerLearningRate > 0, "rates and t_max must be positive")
        precondition(noise >= 0 && weightDecay >= 0, "noise and weight decay must be non-negative")
        if studentInit == .informed || studentInit == .denoise { precondition(K >= M, "\(studentInit) needs K ≥ M") }
        if studentInit == .denoise { precondition(trainSecondLayer, "denoise needs a trained second layer") }
        precondition(labelFlip >= 0 && labelFlip <= 1 && teacherSparsity >= 0 && teacherSparsity < 1, "probabilities out of range")
    }
}
