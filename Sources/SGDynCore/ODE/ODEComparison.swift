/// The largest relative deviation of ε_g between a simulation and the ODE, and where it occurs.
public struct EgDeviation: Sendable, Equatable {
    /// |ε_sim − ε_ode| / ε_ode at `t` (∞ when ε_ode = 0 < ε_sim; 0 when both are 0).
    public var relative: Double
    public var t: Double
    public var simulationEg: Double
    public var odeEg: Double

    public init(relative: Double, t: Double, simulationEg: Double, odeEg: Double) {
        self.relative = relative
        self.t = t
        self.simulationEg = simulationEg
        self.odeEg = odeEg
    }
}

/// `compare` jobs: simulation against the N → ∞ theory at the same times.
public enum ODEComparison {
    /// The largest |ε_sim − ε_ode|/ε_ode over the simulation's records (restricted to
    /// t ≤ `upTo` when given), the ODE taken at the same time. Every simulation time must have
    /// an ODE record at the same time (to 1e-12 relative): integrate the ODE at the
    /// simulation's record times (`ODE.companion(of:)` does).
    public static func largestRelativeDeviation(simulation: [SimulationRecord], ode: [ODERecord],
                                                upTo: Double? = nil) throws -> EgDeviation {
        try largestRelativeDeviation(simulation: simulation.map { ($0.t, $0.eg) }, ode: ode.map { ($0.t, $0.eg) }, upTo: upTo)
    }

    /// The same for plain (t, ε_g) series, each sorted by t.
    public static func largestRelativeDeviation(simulation: [(t: Double, eg: Double)], ode: [(t: Double, eg: Double)],
                                                upTo: Double? = nil) throws -> EgDeviation {
        var worst: EgDeviation?
        var j = 0
        for (t, simulationEg) in simulation {
            if let upTo, t > upTo { break }
            while j < ode.count && ode[j].t < t && !sameTime(ode[j].t, t) { j += 1 }
            guard j < ode.count, sameTime(ode[j].t, t) else {
                throw ODEError(key: nil, "the ODE has no record at the simulation time t = \(t)")
            }
            let odeEg = ode[j].eg
            let difference = abs(simulationEg - odeEg)
            let relative = difference == 0 ? 0 : (odeEg == 0 ? Double.infinity : difference / abs(odeEg))
            if worst == nil || relative > worst!.relative {
                worst = EgDeviation(relative: relative, t: t, simulationEg: simulationEg, odeEg: odeEg)
            }
        }
        guard let worst else { throw ODEError(key: nil, "no simulation records to compare") }
        return worst
    }

    private static func sameTime(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(1, abs(b)) }
}
