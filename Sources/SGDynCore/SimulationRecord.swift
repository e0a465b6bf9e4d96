/// The state of a run at one output time: what ends up as one CSV row.
public struct SimulationRecord: Sendable, Equatable {
    /// SGD steps done so far.
    public var step: Int
    /// Time t = step/N.
    public var t: Double
    /// Analytic generalisation error of the current order parameters; for classification, the
    /// test-set estimate ½·mean (sign(φ*) − φ)² (the closed form does not apply to sign labels).
    public var eg: Double
    /// Q (K×K), R (K×M) row-major, and v (K), at this time.
    public var orderParameters: OrderParameters

    // The optional errors are stored as Doubles with NaN for "absent" (a record never holds a
    // non-finite value), so that four of them take the room two `Double?` took: a record's size
    // is what the memory limits of every job count (`SimulationResources.recordBytes`), and
    // it stays as it was before the classification errors were added.
    private var storedTrainingError: Double
    private var storedMonteCarloError: Double
    private var storedClassificationError = Double.nan
    private var storedTrainingClassificationError = Double.nan

    /// Training error ε_t = ½·mean (y − φ)² over the finite training set (finite-set mode only).
    public var trainingError: Double? {
        get { storedTrainingError.isNaN ? nil : storedTrainingError }
        set { storedTrainingError = newValue ?? .nan }
    }
    /// ε_g estimated on the fixed Monte-Carlo test set (only when one was requested).
    public var monteCarloError: Double? {
        get { storedMonteCarloError.isNaN ? nil : storedMonteCarloError }
        set { storedMonteCarloError = newValue ?? .nan }
    }
    /// Classification only: the fraction of the fixed test set whose sign the student gets wrong.
    public var classificationError: Double? {
        get { storedClassificationError.isNaN ? nil : storedClassificationError }
        set { storedClassificationError = newValue ?? .nan }
    }
    /// Classification with a finite training set: the fraction of its (possibly flipped) labels
    /// whose sign the student gets wrong.
    public var trainingClassificationError: Double? {
        get { storedTrainingClassificationError.isNaN ? nil : storedTrainingClassificationError }
        set { storedTrainingClassificationError = newValue ?? .nan }
    }

    public init(step: Int, t: Double, eg: Double, orderParameters: OrderParameters,
                trainingError: Double? = nil, monteCarloError: Double? = nil) {
        self.step = step
        self.t = t
        self.eg = eg
        self.orderParameters = orderParameters
        self.storedTrainingError = trainingError ?? .nan
        self.storedMonteCarloError = monteCarloError ?? .nan
    }

    public static func == (a: SimulationRecord, b: SimulationRecord) -> Bool {
        a.step == b.step && a.t == b.t && a.eg == b.eg && a.orderParameters == b.orderParameters
            && a.trainingError == b.trainingError && a.monteCarloError == b.monteCarloError
            && a.classificationError == b.classificationError && a.trainingClassificationError == b.trainingClassificationError
    }
}
