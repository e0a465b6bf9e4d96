import SGDynCore

/// One unit of a job with where its result belongs: a simulation or an ODE integration of one
/// sweep point and seed.
public struct PlannedUnit: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case simulation
        case ode
    }

    public var kind: Kind
    /// The sweep point (`SweepPoint.index`).
    public var pointIndex: Int
    /// The seed whose weights it uses; nil for an ODE from explicit initial conditions.
    public var seed: UInt64?
    public var work: WorkUnit
    /// Its length for progress and ETAs: SGD steps for a simulation, `JobPlan.odeProgressSteps` for
    /// an ODE integration (its progress is the fraction of the time span done).
    public var totalSteps: Int64
}

/// How a job splits into units, the same for `sgdyn run`, the daemon's local workers and Slurm
/// tasks: first the simulations (sweep point-major, then seed — the order of `JobSpec.runs`), then
/// the ODE integrations (for `ode` jobs one per point and seed, or one per point from explicit
/// initial conditions; for `compare` jobs one per simulation, from its exact initial state and
/// recorded at its record times).
public enum JobPlan {
    /// The nominal length of an ODE unit for progress (see `PlannedUnit.totalSteps`).
    public static let odeProgressSteps: Int64 = 1000

    public static func units(of spec: JobSpec) -> [PlannedUnit] {
        var units: [PlannedUnit] = []
        if spec.kind != .ode {
            for run in spec.runs {
                units.append(PlannedUnit(kind: .simulation, pointIndex: run.point.index, seed: run.seed,
                                         work: WorkUnit(.simulation(run.parameters), start: spec.startWeights), totalSteps: Int64(run.parameters.totalSteps)))
            }
        }
        let method = JobODEs.method(spec.ode)
        switch spec.kind {
        case .simulate:
            break
        case .ode:
            for point in spec.points {
                let seeds: [UInt64?] = spec.initial == nil ? spec.seeds.map { $0 } : [nil]
                for seed in seeds {
                    var parameters = point.parameters
                    parameters.seed = seed ?? 0
                    let start: ODEWork.Start = spec.initial.map { .explicit($0) } ?? .drawn
                    units.append(PlannedUnit(kind: .ode, pointIndex: point.index, seed: seed,
                                             work: WorkUnit(.ode(ODEWork(parameters: parameters, method: method, start: start, times: .requested))),
                                             totalSteps: odeProgressSteps))
                }
            }
        case .compare:
            for run in spec.runs {
                units.append(PlannedUnit(kind: .ode, pointIndex: run.point.index, seed: run.seed,
                                         work: WorkUnit(.ode(ODEWork(parameters: run.parameters, method: method, start: .drawn,
                                                                     times: .simulationRecords))),
                                         totalSteps: odeProgressSteps))
            }
        }
        return units
    }
}
