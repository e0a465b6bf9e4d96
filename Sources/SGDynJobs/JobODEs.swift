import SGDynCore

/// One ODE integration of a job: for a sweep point and (unless the initial conditions were
/// explicit) a seed; for `compare` jobs, with its deviation from the simulation of that seed.
public struct ODEOutcome: Sendable {
    public var pointIndex: Int
    /// The seed whose initial weights the ODE starts from; nil for explicit initial conditions.
    public var seed: UInt64?
    public var result: ODEResult
    /// `compare` only: the largest relative deviation of ε_g, simulation vs ODE, and where
    /// (up to the ODE's divergence, if it diverged).
    public var deviation: EgDeviation?

    /// Set when the integration diverged; its records stop before `divergence.t`.
    public var divergence: Divergence? { result.divergence }
}

/// The ODE part of `ode` and `compare` jobs: the method a job asks for, and an integration's CSV.
public enum JobODEs {
    /// The integration method a job asks for.
    public static func method(_ options: ODEOptions) -> ODEMethod {
        switch options.method {
        case .adaptive: return .adaptive(rtol: options.rtol, atol: options.atol)
        case .euler: return .euler(dt: options.dt)
        case .rk4: return .rk4(dt: options.dt)
        }
    }

    /// The CSV of an ODE integration: the same columns as a simulation's, without `step`.
    public static func csv(_ result: ODEResult) -> String {
        guard let first = result.records.first else { return "" }
        let K = first.orderParameters.K, M = first.orderParameters.M
        var lines = [TrajectoryCSV.header(K: K, M: M, trainingError: false, monteCarlo: false, steps: false)]
        for r in result.records { lines.append(TrajectoryCSV.row(t: r.t, eg: r.eg, r.orderParameters)) }
        return lines.joined(separator: "\n") + "\n"
    }
}
