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
/// asked), and what the integrator did.
public struct ODEResult: Sendable, Equatable {
    public var parameters: ODEParameters
    public var records: [ODERecord]
    public var statistics: ODEIntegrationStatistics

    public init(parameters: ODEParameters, records: [ODERecord], statistics: ODEIntegrationStatistics) {
        self.parameters = parameters
        self.records = records
        self.statistics = statistics
    }

    /// The record at the last output time.
    public var finalRecord: ODERecord? { records.last }
}
