/// A work unit being computed: a simulation or an ODE integration, advanced in short chunks,
/// snapshotted, restored, and finally reduced to its result. What a worker thread runs, whatever
/// the unit's kind.
///
/// Exactly one of the two is set. They are optionals of a struct rather than cases of an enum so
/// that `advance` mutates the weights in place (`simulation!.advance`), never a copy of them.
public struct UnitComputation: Sendable {
    public private(set) var simulation: Simulation?
    public private(set) var ode: ODEIntegration?

    /// The nominal length of an ODE unit for progress: its progress is the fraction of the time
    /// span done, reported in thousandths so it adds up with simulation steps.
    public static let odeProgressSteps: Int64 = 1000

    public init(simulation: Simulation) { self.simulation = simulation }

    public init(ode: ODEIntegration) { self.ode = ode }

    /// A fresh start. Throws when an ODE's parameters or initial conditions are invalid (job
    /// validation catches that before; a unit that still fails it is reported as failed).
    /// A simulation's teacher or initial student taken from an earlier run (`teacher_from`,
    /// `student_from`) come with the unit (`WorkUnit.start`).
    public init(_ unit: WorkUnit) throws(ODEError) {
        switch unit.work {
        case .simulation(let parameters):
            self.init(simulation: Simulation(parameters: parameters, start: unit.start))
        case .ode(let work):
            let parameters = try ODEParameters(simulation: work.parameters)
            self.init(ode: try ODEIntegration(parameters: parameters, initial: work.initialConditions(), times: work.outputTimes,
                                              method: work.method))
        }
    }

    /// Restores a unit of `unit`'s kind from its `snapshot()`.
    public init(_ unit: WorkUnit, snapshot: [UInt8]) throws(SnapshotError) {
        switch unit.work {
        case .simulation: self.init(simulation: try Simulation(snapshot: snapshot, start: unit.start))
        case .ode: self.init(ode: try ODEIntegration(snapshot: snapshot))
        }
    }

    public var isFinished: Bool { simulation?.isFinished ?? ode?.isFinished ?? true }

    /// Where it ended early because its state became non-finite, if it did.
    public var divergence: Divergence? { simulation?.divergence ?? ode?.divergence }

    /// SGD steps done (simulation), or thousandths of the time span (ODE).
    public var stepsDone: Int64 {
        // A run that stopped early below `stop_below` has nothing left to do: it counts as whole.
        if let simulation { return Int64(simulation.earlyStop == nil ? simulation.step : simulation.totalSteps) }
        return Int64(((ode?.progress ?? 1) * Double(Self.odeProgressSteps)).rounded(.down))
    }

    public var totalSteps: Int64 { simulation.map { Int64($0.totalSteps) } ?? Self.odeProgressSteps }

    /// The latest recorded ε_g.
    public var latestEg: Double? { simulation?.records.last?.eg ?? ode?.records.last?.eg }

    /// Runs one chunk of a few milliseconds; returns the progress made (in `stepsDone` units).
    @discardableResult
    public mutating func advance() -> Int64 {
        let before = stepsDone
        if simulation != nil {
            simulation!.advance(maxSteps: Self.chunkSteps(simulation!.parameters))
        } else if ode != nil {
            ode!.advance(maxSteps: Self.chunkSteps(ode!))
        }
        return stepsDone - before
    }

    /// The complete state, to resume from.
    public func snapshot() -> [UInt8] {
        simulation?.snapshot() ?? ode?.snapshot() ?? []
    }

    /// What a finished (or diverged) unit leaves: its records (a simulation's without weights, an
    /// integration's with its statistics), as `UnitResult` decodes them.
    public func resultBytes() -> [UInt8] {
        if let simulation { return simulation.recordsSnapshot() }
        return ode?.snapshot() ?? []
    }

    /// Integrator steps per chunk: each costs six right-hand sides of about K²(K+M)² integrals
    /// (a few tens of flops each), so this is again a few milliseconds; at most 64.
    static func chunkSteps(_ o: ODEIntegration) -> Int {
        let K = o.initial.K, D = o.initial.K + o.initial.M
        return max(1, min(64, 20_000_000 / max(1, 6 * 30 * K * K * D * D)))
    }

    /// Steps per chunk of a simulation: about 20 M multiply–adds, a few milliseconds, so stop
    /// requests and checkpoints are served promptly.
    static func chunkSteps(_ p: SimulationParameters) -> Int {
        max(1, 20_000_000 / max(1, p.N * (p.K + p.M) * p.batchSize))
    }
}

/// A finished unit's records, decoded from `UnitComputation.resultBytes()`.
public enum UnitResult: Sendable {
    case simulation(SimulationRecords)
    case ode(ODEIntegration)

    /// Decodes a result of a unit of `kind`'s work.
    public init(_ unit: WorkUnit, bytes: [UInt8]) throws(SnapshotError) {
        switch unit.work {
        case .simulation: self = .simulation(try SimulationRecords(snapshot: bytes))
        case .ode: self = .ode(try ODEIntegration(snapshot: bytes))
        }
    }

    /// The result of a computation, without the encode–decode round trip (`sgdyn run`).
    public init(_ computation: UnitComputation) {
        if let simulation = computation.simulation {
            self = .simulation(SimulationRecords(simulation))
        } else {
            self = .ode(computation.ode!)
        }
    }

    public var divergence: Divergence? {
        switch self {
        case .simulation(let r): return r.divergence
        case .ode(let o): return o.divergence
        }
    }
}
