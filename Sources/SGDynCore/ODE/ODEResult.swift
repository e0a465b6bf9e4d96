/// The ODE state at one output time: the same quantities as a simulation record (t, ε_g, order
/// parameters), so both can be written as the same CSV row.
public struct ODERecord: Sendable, Equatable {
    public var t: Double
    /// GeneralisationError.analytic of this record's own order parameters.
    public var eg: Double
    public var orderParameters: OrderParameters

    public init(t: Double, eg: Double, orderParameters: OrderParameters) {
        self.t = t
        self.eg = eg
        self.orderParameters = orderParameters
    }
}

/// One ODE integration: its parameters, one record per requested output time (in the order
/// asked) — or, when the solution diverged, per output time before it — and what the
/// integrator did.
public struct ODEResult: Sendable, Equatable {
    public var parameters: ODEParameters
    public var records: [ODERecord]
    public var statistics: ODEIntegrationStatistics
    /// Set when the solution stopped being finite; `records` end before `divergence.t`.
    public var divergence: Divergence?

    public init(parameters: ODEParameters, records: [ODERecord], statistics: ODEIntegrationStatistics,
                divergence: Divergence? = nil) {
        self.parameters = parameters
        self.records = records
        self.statistics = statistics
        self.divergence = divergence
    }

    /// The record at the last output time; nil when the solution diverged before it.
    public var finalRecord: ODERecord? { divergence == nil ? records.last : nil }
}
