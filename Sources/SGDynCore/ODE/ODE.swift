/// Integration of the N → ∞ dynamics (science.md §5) from given initial order parameters,
/// recorded at arbitrary times: a job's output schedule, or exactly a simulation's record times
/// step/N for `compare`.
public enum ODE {
    /// Integrates from `initial` (validated with `ODEInitialConditions.validate`) and records at
    /// each of `times`, which must be finite, ≥ 0 and non-decreasing (0 records the start).
    /// Throws `ODEError` for invalid input. A solution that stops being finite (overflow, e.g. ηK
    /// beyond the stability limit) is a result with `divergence` set and the records before it.
    /// The same as running an `ODEIntegration` to the end in one go.
    public static func integrate(_ parameters: ODEParameters, from initial: OrderParameters, times: [Double],
                                 method: ODEMethod = .standard) throws(ODEError) -> ODEResult {
        var integration = try ODEIntegration(parameters: parameters, initial: initial, times: times, method: method)
        while !integration.isFinished { integration.advance(maxSteps: .max) }
        return integration.result
    }

    /// Integrates to `tMax`, recording at a job's output times `OutputSchedule.times(tMax:points:)`.
    public static func integrate(_ parameters: ODEParameters, from initial: OrderParameters, tMax: Double, points: Int,
                                 method: ODEMethod = .standard) throws(ODEError) -> ODEResult {
        guard tMax.isFinite && tMax > 0 else { throw ODEError(key: "t_max", "must be a finite number > 0") }
        guard points >= 1 else { throw ODEError(key: "points", "must be an integer ≥ 1") }
        return try integrate(parameters, from: initial, times: OutputSchedule.times(tMax: tMax, points: points), method: method)
    }

    /// The ODE counterpart of a simulation: same parameters, started from the simulation's exact
    /// initial order parameters (its first record), recorded at its record times step/N.
    public static func companion(of simulation: Simulation, method: ODEMethod = .standard) throws(ODEError) -> ODEResult {
        guard let first = simulation.records.first else { throw ODEError(key: nil, "the simulation has no records") }
        let times = simulation.recordSteps.map { Double($0) / Double(simulation.parameters.N) }
        return try integrate(ODEParameters(simulation: simulation.parameters), from: first.orderParameters,
                             times: times, method: method)
    }
}
