import Foundation
import Logging
import SGDynJobs
import SGDynStore

/// Where units run: worker processes on this machine (`LocalExecutor`), Slurm array tasks
/// (`SlurmExecutor`), or any other executor registered in `ExecutorRegistry`. All run the same
/// `sgdyn worker` on the same spool files, so the daemon's bookkeeping — preparing the spool,
/// importing what workers report, settling units when a task ends — is one path for all; an
/// executor only plans, starts, follows and stops tasks, and says how the daemon should treat
/// them (`scheduling`, `tasksOutliveDaemon`, `spoolRoot`). The daemon never asks which executor
/// it is talking to: everything it needs is here.
public protocol Executor: AnyObject, Sendable {
    /// Its kind, stored with each submission (`ExecutorKind.rawValue`).
    var kind: ExecutorKind { get }
    /// Its name in log lines ("Slurm"); by default the kind's tag.
    var displayName: String { get }
    /// What happens to the tasks it runs; the daemon reads it for the whole of its life. It must
    /// be unbounded (`AsyncStream`'s default): the daemon forwards each event as a control event
    /// (`DaemonMailbox`), never dropped. Work an executor does off the daemon's loop (an external
    /// command, a poll) reports back through this stream, or through `Daemon.offLoop`.
    var events: AsyncStream<ExecutorEvent> { get }
    /// How the daemon hands it work (see `ExecutorScheduling`).
    var scheduling: ExecutorScheduling { get }
    /// Whether its tasks go on running when the daemon exits (Slurm: yes, the cluster runs them;
    /// local: no, workers die with the daemon). At shutdown the daemon asks the tasks that do not
    /// outlive it to checkpoint and waits for them (killing those that do not stop in time); the
    /// others it leaves running, and the next daemon adopts them (`adopt`).
    var tasksOutliveDaemon: Bool { get }
    /// The folder its tasks read their work from and report into (Slurm: a folder shared with the
    /// compute nodes); nil: the state folder's own spool.
    var spoolRoot: String? { get }
    /// How `units` (runnable, in order) are grouped into tasks, and the threads each task may use,
    /// when `free` slots are free (`freeSlots`).
    func plan(_ units: [UnitRecord], free: Int) -> TaskPlan
    /// How many more units it could start now (free worker threads; Slurm: the room left in the
    /// cluster's queue).
    func freeSlots() async -> Int
    /// The most tasks one submission may have (Slurm: the cluster's MaxArraySize; local: one
    /// process, any number of units).
    func maxTasksPerSubmission() async -> Int
    /// Starts every task of a prepared submission; returns the executor's id for it when it has one
    /// at once (a local worker's pid). Slurm returns nil at once and reports the job id later
    /// (`submissionIdentified`, or `submissionFailed`): the daemon never waits for sbatch.
    /// Throws when it could not be submitted at all.
    func submit(_ submission: PreparedSubmission) async throws(ExecutorError) -> String?
    /// Asks the tasks of a submission to checkpoint and stop (shutdown, cancel). Their end is
    /// reported as usual.
    func stop(_ submission: SubmissionID) async
    /// Ends the tasks of a submission at once (a hung worker); their last checkpoints remain.
    func kill(_ submission: SubmissionID) async
    /// Ends one task of a submission at once (its units stopped reporting: `StallRule`); the
    /// others go on. An executor with one task per submission may kill the whole submission.
    func kill(_ submission: SubmissionID, task: Int) async
    /// Takes the reloaded configuration (SIGHUP): the settings that may change while it runs
    /// (local: the thread budget; Slurm: partitions, limits). Running tasks keep theirs.
    func reconfigure(_ configuration: DaemonConfiguration)
    /// After a daemon restart: takes over the submissions a previous daemon left open — those it
    /// can still follow are followed, the others reported as ended (`events`).
    func adopt(_ submissions: [SubmissionRecord]) async
    /// Stops following everything (the daemon is exiting); tasks that outlive the daemon go on.
    func shutDown() async
    /// The job's log line once the executor took the submission under `externalID`.
    func submittedMessage(externalID: String, taskCount: Int) -> String
}

extension Executor {
    public var displayName: String { kind.rawValue }

    public func submittedMessage(externalID: String, taskCount: Int) -> String {
        "submitted to the \(displayName) executor as \(externalID) (\(taskCount) task(s))"
    }
}

/// How the daemon hands an executor work: the two scheduling policies it has.
public enum ExecutorScheduling: Sendable, Equatable {
    /// Its tasks share the daemon's `workers` threads, which `FairShare` divides between
    /// submitters (pausing a run for another's turn); a job goes in batches (`LocalBatch`), one
    /// submission at a time, of one task that runs from `submit` on — the daemon watches it for
    /// stalls from then, shows its units `waiting` until each reports and `running` once it has.
    case workerThreads
    /// It queues tasks itself (a cluster): a job's runnable units all go, in as many submissions
    /// as its limits allow, also while other tasks of the job still run (a unit whose task ended
    /// is resubmitted at once); it reports its tasks' states itself (`unitStates`).
    case ownQueue
}

/// How units are grouped into the tasks of one submission.
public struct TaskPlan: Sendable, Equatable {
    /// The units of each task, in order.
    public var tasks: [[UnitID]]
    /// Threads each task may use.
    public var threadsPerTask: Int

    public init(tasks: [[UnitID]], threadsPerTask: Int) {
        self.tasks = tasks
        self.threadsPerTask = threadsPerTask
    }
}

/// An executor task's state as `sgdyn status` shows it (the store keeps its `word`).
public enum ExecutorTaskState: Sendable, Hashable, CustomStringConvertible {
    /// A local worker's unit waits for one of its threads.
    case waiting
    /// Queued by its executor (Slurm: PENDING).
    case pending
    /// Computing.
    case running
    /// Silent for `stall_warning` seconds (the daemon's word, not an executor's).
    case stalled
    /// Another word of the executor's own (Slurm: CONFIGURING, COMPLETING, SUSPENDED, …).
    case other(String)

    /// From an executor's word; the known words read as their cases.
    public init(word: String) {
        switch word {
        case "WAITING": self = .waiting
        case "PENDING": self = .pending
        case "RUNNING": self = .running
        case "STALLED": self = .stalled
        default: self = .other(word)
        }
    }

    /// The word stored in the job store and shown by `sgdyn status` (scripts and users read it:
    /// it must not change).
    public var word: String {
        switch self {
        case .waiting: return "WAITING"
        case .pending: return "PENDING"
        case .running: return "RUNNING"
        case .stalled: return "STALLED"
        case .other(let word): return word
        }
    }

    public var description: String { word }
}

/// A submission ready to start: recorded in the store, its spool files written.
public struct PreparedSubmission: Sendable {
    public var id: SubmissionID
    public var jobID: JobID
    public var jobName: String
    /// Unique across stores; Slurm's `--comment`, so an orphaned array can be found again.
    public var token: String
    /// The job's spool folder.
    public var spoolFolder: String
    /// Number of tasks (units per task are in the spool's tasks file, as `Executor.plan` grouped them).
    public var taskCount: Int
    /// Threads each task may use.
    public var threadsPerTask: Int
    public var checkpointInterval: Double
    /// Memory a task needs (the largest of its units, from job validation), for Slurm's `--mem`.
    public var memoryBytesPerTask: Int
    /// The job's own request (a partition, a time limit), already checked against the config.
    public var slurm: SlurmRequest?
}

/// What an executor reports.
public enum ExecutorEvent: Sendable, Equatable {
    /// One task of a submission ended.
    case taskEnded(SubmissionID, task: Int, TaskEnd)
    /// The executor's states of tasks changed (Slurm: PENDING, RUNNING, …), by task.
    case unitStates(SubmissionID, [Int: ExecutorTaskState])
    /// The executor accepted the submission but it can never run (Slurm: a pending reason such as
    /// PartitionTimeLimit); its tasks were cancelled.
    case submissionFailed(SubmissionID, reason: String)
    /// The executor has the submission under this id: Slurm accepted it (or a submission the
    /// daemon did not live to see accepted was found in the queue by its token).
    case submissionIdentified(SubmissionID, externalID: String)
    /// What a task that crashed printed (the end of its output file), for the job's log.
    case taskOutput(SubmissionID, task: Int, String)
    /// Something the operator should know (Slurm unreachable, …), at this log level.
    case notice(String, level: Logger.Level)
}

extension ExecutorEvent {
    /// Whether the store must record it, retrying until it can (everything but informational events).
    var mustBeRecorded: Bool {
        switch self {
        case .taskEnded, .submissionFailed, .submissionIdentified: return true
        case .unitStates, .taskOutput, .notice: return false
        }
    }
}

/// How a task ended, as far as its executor can tell. Units it ran that reported an outcome in the
/// spool are settled by that outcome; this decides what happens to the others.
public enum TaskEnd: Sendable, Equatable, CustomStringConvertible {
    /// It exited by itself with this status (0: all done, 75: stopped on request).
    case exited(Int32)
    /// It died on its own (a trap, the OOM killer, a failing exit status): its unfinished units
    /// count a crash, and three crashes quarantine the job.
    case crashed(String)
    /// It was ended from outside and not by its own fault (node failure, an administrator's
    /// cancel, preemption, a daemon that gave up on it): its unfinished units resume.
    case lost(String)

    public var description: String {
        switch self {
        case .exited(let status): return "exited with status \(status)"
        case .crashed(let why): return why
        case .lost(let why): return why
        }
    }
}

/// Why a submission could not be made.
public enum ExecutorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// May pass (the controller is down, a fork failed): keep the units queued and retry.
    case temporary(String)
    /// Will not pass (a partition that does not exist): the job cannot run here.
    case permanent(String)

    public var description: String {
        switch self {
        case .temporary(let why), .permanent(let why): return why
        }
    }
}
