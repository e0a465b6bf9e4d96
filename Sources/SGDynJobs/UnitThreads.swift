import Foundation
import SGDynCore

/// One unit for `UnitThreads`: how to make its computation (fresh, or restored from a checkpoint),
/// done only when a thread takes it, so a job of thousands of units holds the state of `threads`
/// of them at a time. `make` returns nil for a unit that is not to run here after all (another
/// process runs it).
public struct ThreadedUnit: Sendable {
    /// The caller's identifier for the unit (an index, a database id).
    public var id: Int64
    public var make: @Sendable () throws -> UnitComputation?

    public init(id: Int64, make: @escaping @Sendable () throws -> UnitComputation?) {
        self.id = id
        self.make = make
    }
}

/// What happens to units while they run, reported from the threads running them.
public enum UnitEvent: Sendable {
    /// A thread took the unit and is about to run it.
    case started(id: Int64, stepsDone: Int64, totalSteps: Int64)
    /// A chunk is done: `steps` more, `eg` the latest recorded ε_g.
    case progress(id: Int64, steps: Int64, stepsDone: Int64, totalSteps: Int64, eg: Double?)
    /// A periodic snapshot of a unit that goes on running.
    case checkpoint(id: Int64, snapshot: [UInt8], stepsDone: Int64, totalSteps: Int64, eg: Double?)
    /// The unit reached its end, or diverged (`computation.divergence`).
    case finished(id: Int64, computation: UnitComputation)
    /// It stopped early because a stop was requested; its snapshot lets it resume later.
    case stopped(id: Int64, snapshot: [UInt8], stepsDone: Int64, totalSteps: Int64, eg: Double?)
    /// Its computation could not be made (a checkpoint or work that cannot be read).
    case failed(id: Int64, message: String)
}

/// Runs units on dedicated threads — never on the Swift cooperative pool, which long CPU loops
/// would starve — at most `threads` at once, each in chunks of a few milliseconds so that
/// checkpoints and stop requests are served promptly.
public struct UnitThreads: Sendable {
    public var threads: Int
    /// Time between checkpoints of a running unit; nil for none.
    public var checkpointInterval: Duration?

    public init(threads: Int, checkpointInterval: Duration? = nil) {
        self.threads = max(1, threads)
        self.checkpointInterval = checkpointInterval
    }

    /// Runs `units` until each finishes or `stopRequested` returns true, and returns when all
    /// threads are done. `events` is called on the running threads; it must be thread-safe.
    public func run(_ units: [ThreadedUnit], events: @escaping @Sendable (UnitEvent) -> Void,
                    stopRequested: @escaping @Sendable () -> Bool = { false }) {
        let queue = Locked(units.reversed() as [ThreadedUnit])
        let group = DispatchGroup()
        let interval = checkpointInterval
        for _ in 0..<min(threads, units.count) {
            group.enter()
            let thread = Thread {
                while !stopRequested(), let unit = queue.withLock({ $0.popLast() }) {
                    UnitThreads.run(unit, checkpointInterval: interval, events: events, stopRequested: stopRequested)
                }
                group.leave()
            }
            thread.name = "sgdyn-unit"
            thread.stackSize = 1 << 22
            thread.start()
        }
        group.wait()
    }

    static func run(_ unit: ThreadedUnit, checkpointInterval: Duration?, events: @Sendable (UnitEvent) -> Void,
                    stopRequested: @Sendable () -> Bool) {
        var computation: UnitComputation
        do {
            guard let made = try unit.make() else { return }
            computation = made
        } catch {
            events(.failed(id: unit.id, message: "\(error)"))
            return
        }
        events(.started(id: unit.id, stepsDone: computation.stepsDone, totalSteps: computation.totalSteps))
        var lastCheckpoint = ContinuousClock.now
        while !computation.isFinished {
            if stopRequested() {
                events(.stopped(id: unit.id, snapshot: computation.snapshot(), stepsDone: computation.stepsDone,
                                totalSteps: computation.totalSteps, eg: computation.latestEg))
                return
            }
            let done = computation.advance()
            events(.progress(id: unit.id, steps: done, stepsDone: computation.stepsDone, totalSteps: computation.totalSteps,
                             eg: computation.latestEg))
            if let interval = checkpointInterval, !computation.isFinished, ContinuousClock.now - lastCheckpoint >= interval {
                events(.checkpoint(id: unit.id, snapshot: computation.snapshot(), stepsDone: computation.stepsDone,
                                   totalSteps: computation.totalSteps, eg: computation.latestEg))
                lastCheckpoint = ContinuousClock.now
            }
        }
        events(.finished(id: unit.id, computation: computation))
    }
}
