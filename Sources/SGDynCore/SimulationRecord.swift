/// The state of a run at one output time: what ends up as one CSV row.
public struct SimulationRecord: Sendable, Equatable {
    /// SGD steps done so far.
    public var step: Int
    /// Time t = step/N.
    public var t: Double
    /// Analytic generalisation error of the current order parameters.
    public var eg: Double
    /// Q (K×K), R (K×M) row-major, and v (K), at this time.
    public var orderParameters: OrderParameters
    /// Training error ε_t = ½·mean (y − φ)² over the finite training set (finite-set mode only).
    public var trainingError: Double?
    /// ε_g estimated on the fixed Monte-Carlo test set (only when one was requested).
    public var monteCarloError: Double?

    public init(step: Int, t: Double, eg: Double, orderParameters: OrderParameters,
                trainingError: Double? = nil, monteCarloError: Double? = nil) {
        self.step = step
        self.t = t
        self.eg = eg
        self.orderParameters = orderParameters
        self.trainingError = trainingError
        self.monteCarloError = monteCarloError
    }
}
