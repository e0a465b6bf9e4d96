import SGDynCore

/// What a job asks for (jobs.md `kind`).
public enum JobKind: String, Sendable, CaseIterable {
    case simulate
    case ode
    case compare
}

/// How the ODEs are integrated (jobs.md `ode`).
public struct ODEOptions: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable { case adaptive, euler, rk4 }
    public var method: Method = .adaptive
    /// Relative and absolute tolerances of `adaptive`.
    public var rtol: Double = 1e-8
    public var atol: Double = 1e-12
    /// Step of `euler` and `rk4`.
    public var dt: Double = 0.01

    public init() {}
}

/// One point of a sweep: the swept keys' values and the simulation parameters they give
/// (seed not yet set).
public struct SweepPoint: Sendable {
    /// Position in the cartesian product, in file order of the sweep keys (last key fastest).
    public var index: Int
    /// The swept keys and their values at this point, in file order.
    public var assignments: [(key: String, value: JSONValue)]
    public var parameters: SimulationParameters

    /// Sub-folder of the bundle for this point: `K=4_lr=0.5`; empty for a job without sweep.
    public var folder: String {
        assignments.map { "\($0.key)=\(SweepPoint.text($0.value))" }.joined(separator: "_")
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return value.literal
        }
    }
}

/// A validated job file: everything needed to run it, with every default filled in.
public struct JobSpec: Sendable {
    public var kind: JobKind
    /// Names the result bundle; `[A-Za-z0-9._-]{1,64}`.
    public var name: String
    /// Free text for the user's own notes (sgdyn extension).
    public var description: String?
    /// Seeds of the independent runs at every sweep point.
    public var seeds: [UInt64]
    public var priority: Int
    public var ode: ODEOptions
    /// Explicit initial order parameters for `ode` jobs.
    public var initial: OrderParameters?
    /// The sweep points (a single point when there is no sweep).
    public var points: [SweepPoint]
    /// The swept keys in file order.
    public var sweepKeys: [String]
    /// Things that are allowed but probably not what the user wants.
    public var warnings: [String]
    /// The job as sgdyn understood it: every key with its value or default (for result.json).
    public var normalised: JSONValue
    /// Where the job asks to run on a Slurm cluster; nil when it does not say.
    public var slurm: SlurmRequest?
    /// `teacher_from`: the earlier run whose teacher every run of the job takes.
    public var teacherFrom: WeightReference?
    /// `student_from`: the earlier run whose student (initial, or final) every run starts from.
    public var studentFrom: WeightReference?
    /// The weights those name, once read (`readingWeights(outbox:)`); nil before, and for jobs without them.
    public var startWeights: StartWeights?
    /// The files they were read from, for result.json.
    public var weightsFrom: [ResultDocument.WeightSource]?

    /// The simulation parameters of every run: sweep points × seeds, point-major.
    public var runs: [(point: SweepPoint, seed: UInt64, parameters: SimulationParameters)] {
        points.flatMap { point in
            seeds.map { seed in
                var p = point.parameters
                p.seed = seed
                return (point, seed, p)
            }
        }
    }
}
