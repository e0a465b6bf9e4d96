/// When a running unit's silence is a hang: the decision, as a value, from what the daemon
/// observed (issue 17, item 1).
///
/// A unit's silence is measured from when it *started computing* — the worker writes a heartbeat
/// the moment a thread takes the unit, and every two seconds after — so a unit waiting in a worker's
/// queue behind the job's other units, or in Slurm's queue, never counts as silent. That alone
/// would miss a worker that hangs before any of its units starts, so a task is also judged as a
/// whole: silent since it began running (the local worker process started, Slurm said RUNNING)
/// or since any of its units last reported, whichever is later.
///
/// Local and Slurm workers follow the same protocol (the spool's progress files), so one rule
/// serves both executors.
struct StallRule: Sendable, Equatable {
    /// Silence after which a unit is warned about (`stall_warning`).
    var warning: Duration
    /// Silence after which its task is killed; its units resume from their checkpoints (`stall_kill`).
    var kill: Duration

    /// What the daemon knows of one unfinished unit of a task that has not ended.
    struct Unit: Sendable, Equatable {
        var task: Int
        /// When it last reported (a heartbeat, a checkpoint); nil while it has not started.
        var lastHeard: ContinuousClock.Instant?
        /// A warning about its silence was logged (and not yet taken back).
        var warned: Bool
    }

    /// What to do now.
    struct Decision: Sendable, Equatable {
        /// Units to warn about, with their silence.
        var warn: [Int64: Duration] = [:]
        /// Warned units that report again.
        var recovered: Set<Int64> = []
        /// Tasks to kill, with the silence that decided it.
        var kill: [Int: Duration] = [:]
    }

    /// - Parameters:
    ///   - units: the unfinished units of the submission's running tasks, by unit id.
    ///   - taskRunningSince: when each task began running, for the tasks known to run (a Slurm task
    ///     still pending has none: waiting in a queue never counts).
    ///   - alreadyKilled: tasks killed before (their end is awaited, not killed again).
    func decide(units: [Int64: Unit], taskRunningSince: [Int: ContinuousClock.Instant], alreadyKilled: Set<Int>,
                now: ContinuousClock.Instant) -> Decision {
        var decision = Decision()
        for (id, unit) in units {
            guard let heard = unit.lastHeard else { continue }
            let silence = now - heard
            if silence >= kill {
                if !alreadyKilled.contains(unit.task) { decision.kill[unit.task] = max(decision.kill[unit.task] ?? .zero, silence) }
            } else if silence >= warning {
                if !unit.warned { decision.warn[id] = silence }
            } else if unit.warned {
                decision.recovered.insert(id)
            }
        }
        // A task none of whose units has reported since it began running (hung before its first
        // unit started, or every started unit finished and the next never began).
        let unitsByTask = Dictionary(grouping: units.values, by: \.task)
        for (task, since) in taskRunningSince where !alreadyKilled.contains(task) && decision.kill[task] == nil {
            guard let taskUnits = unitsByTask[task], !taskUnits.isEmpty else { continue }
            let latest = taskUnits.compactMap(\.lastHeard).reduce(since) { max($0, $1) }
            let silence = now - latest
            if silence >= kill { decision.kill[task] = silence }
        }
        return decision
    }
}
