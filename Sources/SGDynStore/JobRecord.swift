import Foundation

/// A job row as stored, including the submitted bytes and the validated job; what the scheduler
/// and the publisher need.
public struct JobRecord: Sendable, Equatable {
    public var id: JobID
    /// The name the file was submitted under (`NAME` of `NAME.json`).
    public var name: String
    /// The name its bundle carries (the job's `name` key, defaulting to `name`).
    public var bundleName: String
    public var state: JobState
    /// What the bundle will say, once decided (state `publishing` and after).
    public var outcome: JobOutcome?
    public var priority: Int
    public var submittedAt: Date
    /// The file's name in the state folder's `claimed/` (later `rejected/`) folder: a name, not a
    /// path, so the same state folder reached by another path is the same store.
    public var claimedName: String
    public var jobBytes: [UInt8]
    public var jobSHA256: String
    /// The validated job (`JobSpec.storedForm()`); nil for a rejection, and for a job stored by
    /// sgdyn 0.1.0 until the daemon has converted it.
    public var spec: [UInt8]?
    /// Runs started so far, counted before each run begins (so a run that crashes still counts).
    public var attempts: Int
    /// Runs that resumed from at least one checkpoint.
    public var resumes: Int
    /// The last reason recorded with a transition (failure, interruption, quarantine, …).
    public var error: String?
    /// Why the file was rejected, for a rejection.
    public var rejection: Rejection?
    public var bundlePath: String?
    public var cancelRequested: Bool
    /// `sgdyn publish NAME` asked for the bundle of an unpublished job to be written again.
    public var publishRequested: Bool
    /// Failed attempts to write the bundle since the outcome was decided.
    public var publishAttempts: Int
    /// The earliest time of the next attempt to write the bundle (backoff), if one failed.
    public var publishAfter: Date?
    /// Where its current or last run went: "local" or "slurm".
    public var executor: String?
    /// Who submitted it; nil for jobs stored before submitters were recorded.
    public var submitter: Submitter?
    public var createdAt: Date
    public var updatedAt: Date
}

/// Why a claimed file was not accepted as a job, as its rejection bundle reports it.
public struct Rejection: Sendable, Equatable {
    public var message: String
    /// The job key at fault, when one is.
    public var key: String?
    /// Position of a JSON syntax error (1-based).
    public var line: Int?
    public var column: Int?

    public init(message: String, key: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.key = key
        self.line = line
        self.column = column
    }
}

/// One unit of a job as stored.
public struct UnitRecord: Sendable, Equatable {
    public var id: UnitID
    public var jobID: JobID
    /// Position in the job (run order: sweep point, then seed; ODE units after simulations).
    public var index: Int
    public var kind: UnitKind
    /// The sweep point it belongs to (-1 for a unit stored by sgdyn 0.1.0 not yet converted).
    public var pointIndex: Int
    /// The seed whose weights it uses; nil for an ODE from explicit initial conditions.
    public var seed: UInt64?
    /// What to compute (`WorkUnit` encoded); nil for a unit stored by sgdyn 0.1.0 not yet converted.
    public var spec: [UInt8]?
    public var state: UnitState
    public var stepsDone: Int64
    public var totalSteps: Int64
    /// Whether its records are stored (it finished). The records themselves (`JobStore.unitResult`)
    /// are read one unit at a time, by the bundle writer only: a job's records may be hundreds of
    /// MiB, which the daemon, reading units to schedule and review, must never hold.
    public var hasResult: Bool
    /// The time t at which it diverged, when it did.
    public var divergedAt: Double?
    public var wallSeconds: Double
    public var latestEg: Double?
    /// Runs of this unit that ended with its worker crashing.
    public var crashes: Int
    /// How many times the unit has been handed to a worker (names its spool folder).
    public var attempt: Int
    /// The executor's own word for it (Slurm: PENDING, RUNNING, …), for `sgdyn status`.
    public var executorState: String?
    public var error: String?
}

/// A job's row for `sgdyn status`: everything but the payloads, plus unit progress.
public struct JobSummary: Sendable, Equatable {
    public var id: JobID
    public var name: String
    public var bundleName: String
    public var state: JobState
    public var outcome: JobOutcome?
    public var priority: Int
    public var submittedAt: Date
    public var attempts: Int
    public var resumes: Int
    public var error: String?
    public var bundlePath: String?
    public var cancelRequested: Bool
    public var publishAttempts: Int
    public var publishAfter: Date?
    public var executor: String?
    /// The external id of its current submission (the Slurm job id), if any.
    public var externalID: String?
    /// Who submitted it; nil for jobs stored before submitters were recorded.
    public var submitter: Submitter?
    public var updatedAt: Date
    public var unitCount: Int
    public var unitsRunning: Int
    public var unitsDone: Int
    public var stepsDone: Int64
    public var totalSteps: Int64
    /// Wall time spent so far over all units, for an ETA.
    public var wallSeconds: Double
    /// Mean over the job's units of the latest ε_g each reported while running (nil before any).
    public var latestEg: Double?

    /// Fraction of all steps done, in 0…1 (1 for a job without steps).
    public var progress: Double {
        totalSteps > 0 ? min(1, Double(stepsDone) / Double(totalSteps)) : 1
    }
}

/// What `JobStore.beginRun` started: which attempt of the job this is, whether checkpoints exist to
/// resume from, and the spool attempt number each unit now has.
public struct RunStart: Sendable, Equatable {
    public var jobID: JobID
    /// 1 for the first run; already stored when this value is returned.
    public var attempt: Int
    /// True when some unit of the run has a checkpoint (the run resumes rather than starts over).
    public var isResume: Bool
    /// The units of the run with their new attempt numbers, by unit index.
    public var units: [UnitRecord]
}

/// A job's units counted (`JobStore.unitTally`): what the daemon decides a job's outcome by.
public struct UnitTally: Sendable {
    public var count: Int
    public var done: Int
    /// The most crashes of any one unit.
    public var maximumCrashes: Int
    /// Units that diverged.
    public var diverged: Int
    /// The first failed unit's index and error.
    public var firstFailed: (index: Int, error: String?)?
    /// The error of the last unit with `maximumCrashes` crashes.
    public var lastCrashError: String?

    public var allDone: Bool { done == count }
}
