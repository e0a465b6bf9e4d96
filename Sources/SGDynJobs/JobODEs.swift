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

/// The ODE part of `ode` and `compare` jobs (science.md §5), shared by `sgdyn run` and the daemon.
public enum JobODEs {
    /// The integration method a job asks for.
    public static func method(_ options: ODEOptions) -> ODEMethod {
        switch options.method {
        case .adaptive: return .adaptive(rtol: options.rtol, atol: options.atol)
        case .euler: return .euler(dt: options.dt)
        case .rk4: return .rk4(dt: options.dt)
        }
    }

    /// Integrates what `spec` asks for. `ode`: every sweep point from the explicit initial
    /// conditions, or from each seed's initial weights, at the job's output times. `compare`:
    /// for each simulation in `simulations`, from its exact initial order parameters at its
    /// record times, with the deviation. `simulate`: nothing.
    public static func compute(_ spec: JobSpec, simulations: [RunOutcome]) throws(JobError) -> [ODEOutcome] {
        let method = method(spec.ode)
        do {
            switch spec.kind {
            case .simulate:
                return []
            case .ode:
                var outcomes: [ODEOutcome] = []
                for point in spec.points {
                    let parameters = try ODEParameters(simulation: point.parameters)
                    let seeds: [UInt64?] = spec.initial == nil ? spec.seeds.map { $0 } : [nil]
                    for seed in seeds {
                        var p = point.parameters
                        p.seed = seed ?? 0
                        let initial = spec.initial ?? ODEInitialConditions.drawn(for: p)
                        let result = try ODE.integrate(parameters, from: initial, tMax: p.tMax, points: p.points, method: method)
                        outcomes.append(ODEOutcome(pointIndex: point.index, seed: seed, result: result, deviation: nil))
                    }
                }
                return outcomes
            case .compare:
                return try simulations.compactMap { run in
                    guard let first = run.records.first else { return nil }
                    let point = spec.points[run.pointIndex]
                    let result = try ODE.integrate(try ODEParameters(simulation: point.parameters), from: first.orderParameters,
                                                   times: run.records.map(\.t), method: method)
                    // A diverged ODE has records up to its divergence only: compare there.
                    let deviation = try ODEComparison.largestRelativeDeviation(simulation: run.records, ode: result.records,
                                                                               upTo: result.divergence?.t)
                    return ODEOutcome(pointIndex: run.pointIndex, seed: run.seed, result: result, deviation: deviation)
                }
            }
        } catch let error as ODEError {
            throw JobError(error.message, key: error.key)
        } catch {
            throw JobError("the ODE integration failed: \(error)")
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
