import Foundation

/// A job row as stored, including the submitted bytes; what the scheduler and bundle writer need.
public struct JobRecord: Sendable, Equatable {
    public var id: JobID
    public var name: String
    public var bundleName: String
    public var state: JobState
    public var priority: Int
    public var submittedAt: Date
    public var claimedPath: String
    public var jobBytes: [UInt8]
    public var jobSHA256: String
    public var normalisedJobJSON: String
    /// Runs started so far, counted before each run begins (so a run that crashes still counts).
    public var attempts: Int
    /// Runs that resumed from at least one checkpoint.
    public var resumes: Int
    /// Attempts whose worker crashed or failed (`requeue`), as opposed to being stopped.
    public var crashes: Int
    /// The last reason recorded with a transition (failure, interruption, quarantine, …).
    public var error: String?
    public var bundlePath: String?
    public var cancelRequested: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// One unit of a job as stored.
public struct UnitRecord: Sendable, Equatable {
    public var id: UnitID
    public var jobID: JobID
    public var index: Int
    public var parametersJSON: String
    public var state: UnitState
    public var stepsDone: Int64
    public var totalSteps: Int64
    public var resultJSON: String?
    public var wallSeconds: Double
    public var error: String?
}

/// A job's row for `sgdyn status`: everything but the payloads, plus unit progress.
public struct JobSummary: Sendable, Equatable {
    public var id: JobID
    public var name: String
    public var bundleName: String
    public var state: JobState
    public var priority: Int
    public var submittedAt: Date
    public var attempts: Int
    public var resumes: Int
    public var error: String?
    public var bundlePath: String?
    public var cancelRequested: Bool
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

/// What `JobStore.beginAttempt` started: which attempt this is and whether checkpoints exist to
/// resume from.
public struct AttemptStart: Sendable, Equatable {
    public var jobID: JobID
    /// 1 for the first run; already stored when this value is returned.
    public var attempt: Int
    /// True when some unit of the job has a checkpoint (the run resumes rather than starts over).
    public var isResume: Bool

    public init(jobID: JobID, attempt: Int, isResume: Bool) {
        self.jobID = jobID
        self.attempt = attempt
        self.isResume = isResume
    }
}
