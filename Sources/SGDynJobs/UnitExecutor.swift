import Foundation
import SGDynCore
import Synchronization

/// One simulation to run: fresh from its parameters, or restored from a snapshot. The simulation
/// is only made when a thread starts it, so a job of thousands of runs holds the weights of
/// `threads` runs at a time, not of all of them.
public struct UnitWork: Sendable {
    /// The caller's identifier for the unit (a run index, a database id).
    public var id: Int64
    public var makeSimulation: @Sendable () -> Simulation

    public init(id: Int64, makeSimulation: @escaping @Sendable () -> Simulation) {
        self.id = id
        self.makeSimulation = makeSimulation
    }
}

/// What happens to units while they run, reported from the worker threads.
public enum UnitEvent: Sendable {
    /// A thread took the unit and is about to run it.
    case started(id: Int64)
    /// `steps` more steps done; `eg` is the latest recorded ε_g.
    case progress(id: Int64, steps: Int, eg: Double?)
    /// A periodic snapshot of a unit that goes on running.
    case checkpoint(id: Int64, snapshot: [UInt8], step: Int)
    /// A unit reached t_max.
    case finished(id: Int64, simulation: Simulation)
    /// A unit stopped early because a stop was requested; its snapshot lets it resume later.
    case stopped(id: Int64, snapshot: [UInt8], step: Int)
}

/// Runs simulations on dedicated threads — never on the Swift cooperative pool, which long CPU
/// loops would starve — at most `threads` at once, each in chunks of a few milliseconds so that
/// checkpoints and stop requests are served promptly.
public struct UnitExecutor: Sendable {
    public var threads: Int
    /// Time between checkpoints of a running unit; nil for none.
    public var checkpointInterval: Duration?

    public init(threads: Int, checkpointInterval: Duration? = nil) {
        self.threads = max(1, threads)
        self.checkpointInterval = checkpointInterval
    }

    /// Runs `units` until each finishes or `stopRequested` returns true, and returns when all
    /// threads are done. `events` is called on worker threads; it must be thread-safe.
    public func run(_ units: [UnitWork], events: @escaping @Sendable (UnitEvent) -> Void,
                    stopRequested: @escaping @Sendable () -> Bool = { false }) {
        let queue = Mutex(units.reversed() as [UnitWork])
        let group = DispatchGroup()
        let interval = checkpointInterval
        for _ in 0..<min(threads, units.count) {
            group.enter()
            let thread = Thread {
                while let unit = queue.withLock({ $0.popLast() }) {
                    UnitExecutor.runUnit(unit, checkpointInterval: interval, events: events, stopRequested: stopRequested)
                }
                group.leave()
            }
            thread.name = "sgdyn-simulation"
            thread.stackSize = 1 << 22
            thread.start()
        }
        group.wait()
    }

    static func runUnit(_ unit: UnitWork, checkpointInterval: Duration?, events: @Sendable (UnitEvent) -> Void,
                        stopRequested: @Sendable () -> Bool) {
        events(.started(id: unit.id))
        var simulation = unit.makeSimulation()
        let chunk = chunkSteps(simulation.parameters)
        var lastCheckpoint = ContinuousClock.now
        while !simulation.isFinished {
            if stopRequested() {
                events(.stopped(id: unit.id, snapshot: simulation.snapshot(), step: simulation.step))
                return
            }
            let done = simulation.advance(maxSteps: chunk)
            events(.progress(id: unit.id, steps: done, eg: simulation.records.last?.eg))
            if let interval = checkpointInterval, !simulation.isFinished, ContinuousClock.now - lastCheckpoint >= interval {
                events(.checkpoint(id: unit.id, snapshot: simulation.snapshot(), step: simulation.step))
                lastCheckpoint = ContinuousClock.now
            }
        }
        events(.finished(id: unit.id, simulation: simulation))
    }

    /// Steps per call to `advance`: about 20 M multiply–adds, a few milliseconds.
    static func chunkSteps(_ p: SimulationParameters) -> Int {
        max(1, 20_000_000 / (p.N * (p.K + p.M) * p.batchSize))
    }
}
