import Foundation
import SGDynJobs
import SGDynStore

/// Where units run: worker processes on this machine (`LocalExecutor`) or Slurm array tasks
/// (`SlurmExecutor`). Both run the same `sgdyn worker` on the same spool files, so the daemon's
/// bookkeeping — preparing the spool, importing what workers report, settling units when a task
/// ends — is one path for both; an executor only starts, follows and stops tasks.
public protocol Executor: AnyObject, Sendable {
    /// "local" or "slurm", as stored with each submission.
    var name: String { get }
    /// What happens to the tasks it runs; the daemon reads it for the whole of its life. It must
    /// be unbounded (`AsyncStream`'s default): the daemon forwards each event as a control event
    /// (`DaemonMailbox`), never dropped. Work an executor does off the daemon's loop (an external
    /// command, a poll) reports back through this stream, or through `Daemon.offLoop`.
    var events: AsyncStream<ExecutorEvent> { get }
    /// How many more units it could start now (free worker threads; Slurm: effectively unbounded,
    /// the cluster queues).
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
    /// After a daemon restart: takes over the submissions a previous daemon left open — those it
    /// can still follow are followed, the others reported as ended (`events`).
    func adopt(_ submissions: [SubmissionRecord]) async
    /// Stops following everything (the daemon is exiting); running Slurm tasks go on.
    func shutDown() async
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
    /// Number of tasks (units per task are in the spool's tasks file).
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
    /// The executor's own word for tasks' states changed (Slurm: PENDING, RUNNING, …), by task.
    case unitStates(SubmissionID, [Int: String])
    /// The executor accepted the submission but it can never run (Slurm: a pending reason such as
    /// PartitionTimeLimit); its tasks were cancelled.
    case submissionFailed(SubmissionID, reason: String)
    /// The executor has the submission under this id: Slurm accepted it (or a submission the
    /// daemon did not live to see accepted was found in the queue by its token).
    case submissionIdentified(SubmissionID, externalID: String)
    /// What a task that crashed printed (the end of its output file), for the job's log.
    case taskOutput(SubmissionID, task: Int, String)
    /// Something the operator should know (Slurm unreachable, …); `level` is a log level name.
    case notice(String, level: String)
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
