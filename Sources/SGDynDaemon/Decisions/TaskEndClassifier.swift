import SGDynJobs
import SGDynStore

/// How the end of one task settles its units: the decision, as a value, from how the executor says
/// the task ended (`TaskEnd`), whether the daemon had killed it for silence, and what each of its
/// units reported through the spool (issue 19, item 2).
///
/// The spool decides, never the executor's memory of the task: a unit whose outcome file says it
/// finished (done, diverged, failed) is finished however its task ended — which is why a task
/// Slurm no longer remembers (`MinJobAge`, no accounting) loses nothing. The end only decides
/// whether the *unfinished* units count a crash when they resume: a crash when the worker died on
/// its own (a trap, the OOM killer, a failing exit status, or a clean exit that left no readable
/// outcome — else such a unit would restart for ever) or when the daemon killed it for silence;
/// no crash when it stopped on request (exit 75: SIGTERM, SIGUSR1 before a time limit, a full disk)
/// or was lost to the outside (a node failure, preemption, an administrator's `scancel`, `TIMEOUT`).
struct TaskEndClassifier: Sendable, Equatable {
    /// `stall_kill` in seconds, named in the reason recorded for a task killed for silence.
    var stallKill: Double

    /// What the daemon knows of one unit of the ended task, after its last reports were imported.
    struct Unit: Sendable, Equatable {
        var id: UnitID
        /// The outcome its worker reported, nil when none was read.
        var outcome: UnitOutcome.Kind?
    }

    /// What becomes of one unit.
    enum Verdict: Sendable, Equatable {
        /// It reported how it ended (done, diverged, failed): nothing to settle.
        case finished
        /// It resumes from its last checkpoint and counts a crash.
        case resumeWithCrash
        /// It resumes from its last checkpoint without a crash.
        case resumeWithoutCrash
    }

    /// What is said about the task's end in the job's log.
    enum Report: Sendable, Equatable {
        /// Nothing (every unit finished, or they stopped on request).
        case none
        /// `count` units crashed: logged at error, with the job's crash count (`CrashPolicy`).
        case crashed(count: Int, reason: String)
        /// `count` units were interrupted from outside and resume: logged at notice.
        case interrupted(count: Int, why: String)
    }

    /// The settlement of a task's units.
    struct Settlement: Sendable, Equatable {
        var verdicts: [UnitID: Verdict]
        /// Why the crashing units crashed (recorded with each of them).
        var crashReason: String
        var report: Report

        /// The units that resume counting a crash, in id order.
        var crashed: [UnitID] { verdicts.filter { $0.value == .resumeWithCrash }.map(\.key).sorted() }
        /// The units that resume without a crash, in id order.
        var resumed: [UnitID] { verdicts.filter { $0.value == .resumeWithoutCrash }.map(\.key).sorted() }
    }

    /// Whether an end counts as a crash of the units it left unfinished, and why.
    func crash(_ end: TaskEnd, killedForStall killed: Bool) -> (crashed: Bool, reason: String) {
        let stallReason = "stall kill: killed after \(Int(stallKill)) s without progress"
        switch end {
        case .exited(0):
            // A worker exits 0 only once every unit has its outcome; a unit without a readable
            // one (the import's warnings say why) would otherwise be restarted for ever.
            return (true, "its worker exited without leaving a readable outcome")
        case .exited:
            return (false, "its worker stopped")
        case .crashed(let why):
            return (true, killed ? stallReason : why)
        case .lost(let why):
            // Killed by the daemon for silence (its `scancel` reads as lost): still a crash.
            return (killed, killed ? stallReason : why)
        }
    }

    /// Settles every unit of the task. A unit that reported `stopped` resumes without a crash
    /// whatever the end; one without an outcome crashes when the end is a crash.
    func settle(_ end: TaskEnd, killedForStall killed: Bool, units: [Unit]) -> Settlement {
        let (crashed, reason) = crash(end, killedForStall: killed)
        var verdicts: [UnitID: Verdict] = [:]
        for unit in units {
            switch unit.outcome {
            case nil: verdicts[unit.id] = crashed ? .resumeWithCrash : .resumeWithoutCrash
            case .stopped?: verdicts[unit.id] = .resumeWithoutCrash
            case .done?, .diverged?, .failed?: verdicts[unit.id] = .finished
            }
        }
        let crashing = verdicts.values.filter { $0 == .resumeWithCrash }.count
        let unfinished = verdicts.values.filter { $0 != .finished }.count
        let report: Report
        if crashing > 0 {
            report = .crashed(count: crashing, reason: reason)
        } else if case .lost(let why) = end, unfinished > 0 {
            report = .interrupted(count: unfinished, why: why)
        } else {
            report = .none
        }
        return Settlement(verdicts: verdicts, crashReason: reason, report: report)
    }
}
