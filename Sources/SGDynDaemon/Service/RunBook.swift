import SGDynJobs
import SGDynStore

/// The submissions the daemon follows, each with what its units last reported through the spool.
/// Rebuilt from the store at start-up (for the executors that outlive a daemon).
struct RunBook {
    var open: [SubmissionID: OpenSubmission] = [:]
    /// When progress was last written to the store (it is batched).
    var lastProgressFlush = ContinuousClock.now

    func submissions(of job: JobID) -> [OpenSubmission] {
        open.values.filter { $0.jobID == job }
    }

    /// The slots of `executor` that submissions being prepared will take, which the executor does
    /// not count yet: threads on worker threads, tasks on an executor with its own queue.
    func preparingSlots(on executor: ExecutorKind, workerThreads: Bool) -> Int {
        open.values.filter { $0.preparing && $0.executor == executor }.reduce(0) { $0 + (workerThreads ? $1.threads : $1.taskCount) }
    }
}

/// Why the daemon asked a submission to stop.
enum StopReason: Sendable, Equatable {
    case cancel
    case shutdown
    /// Its units stopped reporting for too long (the tasks were killed).
    case stalled
    /// Another unit of the job crashed too often; the job is being quarantined.
    case quarantine
    /// Paused so that another submitter's job gets worker threads (`FairShare`); it resumes.
    case fairShare
}

/// One submission being followed.
struct OpenSubmission {
    let id: SubmissionID
    let jobID: JobID
    let jobName: String
    let claimedName: String
    let executor: ExecutorKind
    /// Its token, which every report of its units must name.
    let token: String
    let taskCount: Int
    var units: [UnitID: WatchedUnit]
    /// Its job's submitter's name ("" when not recorded) and priority, and the local worker
    /// threads it holds (0 on Slurm), for `FairShare`.
    var submitter = ""
    var priority = 0
    var threads = 0
    var endedTasks: [Int: TaskEnd] = [:]
    var stop: StopReason?
    /// Tasks the daemon killed because they stopped reporting: their end counts as a crash.
    var killedForStall: Set<Int> = []
    /// When each task began running (a local worker: when it was started; Slurm: when it was
    /// first seen RUNNING). A task not in here waits in a queue and is not watched.
    var taskRunningSince: [Int: ContinuousClock.Instant] = [:]
    /// Its spool is being written off the loop (`SpoolRequest`); its executor has not seen it yet.
    /// It holds its threads (local) or tasks (Slurm) in the scheduler's count meanwhile.
    var preparing = false

    var isOver: Bool { endedTasks.count >= taskCount }
}

/// One unit of an open submission, and what the daemon last saw of its spool files.
struct WatchedUnit {
    let id: UnitID
    let index: Int
    let task: Int
    let folder: UnitSpoolFolder
    /// What its reports must say they were computed for (`ReportIdentity`, with the token).
    let attempt: Int
    let workSHA256: String
    /// An outcome file refused (written for another unit, attempt or job): not read again unless it changes.
    var refusedOutcome: FileFingerprint?
    var checkpoint: FileFingerprint?
    var progress: FileFingerprint?
    /// When it last reported (a heartbeat — the worker writes one the moment a thread takes the
    /// unit — or a checkpoint); nil before it started computing, so waiting in a queue (a worker's,
    /// or Slurm's) is never taken for a hang.
    var lastHeard: ContinuousClock.Instant?
    /// Progress not yet written to the store.
    var unstoredProgress: UnitProgress?
    /// The outcome it reported, once imported.
    var outcome: UnitOutcome.Kind?
    /// A warning about its silence was logged.
    var stallWarned = false
    /// Recorded as `RUNNING` (computing) for `sgdyn status`.
    var shownRunning = false
}
