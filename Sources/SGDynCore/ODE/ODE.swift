/// Integration of the N → ∞ dynamics (science.md §5) from given initial order parameters,
/// recorded at arbitrary times: a job's output schedule, or exactly a simulation's record times
/// step/N for `compare`.
public enum ODE {
    /// Integrates from `initial` (validated with `ODEInitialConditions.validate`) and records at
    /// each of `times`, which must be finite, ≥ 0 and non-decreasing (0 records the start).
    /// Throws `ODEError` for invalid input, and when the solution diverges (overflow, e.g. ηK
    /// beyond the stability limit), naming the time.
    public static func integrate(_ parameters: ODEParameters, from initial: OrderParameters, times: [Double],
                                 method: ODEMethod = .standard) throws -> ODEResult {
        try parameters.validate()
        try method.validate()
        let start = try ODEInitialConditions.validate(initial)
        guard !times.isEmpty else { throw ODEError(key: nil, "no output times requested") }
        for (index, t) in times.enumerated() {
            guard t.isFinite && t >= 0 else { throw ODEError(key: "t_max", "output time \(t) is not a finite number ≥ 0") }
            guard index == 0 || t >= times[index - 1] else {
                throw ODEError(key: nil, "output times must be non-decreasing (\(times[index - 1]) then \(t))")
            }
        }

        let rhs = ODERightHandSide(parameters: parameters, fixed: start)
        let layout = rhs.layout
        let y0 = layout.pack(start)
        let g = parameters.activation
        var records: [ODERecord] = []
        records.reserveCapacity(times.count)
        let record: (Int, UnsafePointer<Double>) -> Void = { index, y in
            let op = layout.unpack(y, fixed: start)
            records.append(ODERecord(t: times[index], eg: GeneralisationError.analytic(op, teacher: g, student: g),
                                     orderParameters: op))
        }
        let statistics: ODEIntegrationStatistics
        switch method {
        case .euler, .rk4:
            statistics = try FixedStepIntegrator.integrate(rhs, initial: y0, times: times, method: method, output: record)
        case .adaptive(let rtol, let atol):
            statistics = try DormandPrince.integrate(rhs, initial: y0, times: times, rtol: rtol, atol: atol, output: record)
        }
        return ODEResult(parameters: parameters, records: records, statistics: statistics)
    }

    /// Integrates to `tMax`, recording at a job's output times `OutputSchedule.times(tMax:points:)`.
    public static func integrate(_ parameters: ODEParameters, from initial: OrderParameters, tMax: Double, points: Int,
                                 method: ODEMethod = .standard) throws -> ODEResult {
        guard tMax.isFinite && tMax > 0 else { throw ODEError(key: "t_max", "must be a finite number > 0") }
        guard points >= 1 else { throw ODEError(key: "points", "must be an integer ≥ 1") }
        return try integrate(parameters, from: initial, times: OutputSchedule.times(tMax: tMax, points: points), method: method)
    }

    /// The ODE counterpart of a simulation: same parameters, started from the simulation's exact
    /// initial order parameters (its first record), recorded at its record times step/N.
    public static func companion(of simulation: Simulation, method: ODEMethod = .standard) throws -> ODEResult {
        guard let first = simulation.records.first else { throw ODEError(key: nil, "the simulation has no records") }
        let times = simulation.recordSteps.map { Double($0) / Double(simulation.parameters.N) }
        return try integrate(ODEParameters(simulation: simulation.parameters), from: first.orderParameters,
                             times: times, method: method)
    }
}
