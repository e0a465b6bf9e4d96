import Foundation

/// One hand-over of some of a job's units to an executor: a local worker process, or one Slurm
/// array. Recorded *before* the executor is asked (state `submitting`, with a token the executor
/// carries along — Slurm's `--comment`), so that a daemon that crashes in between can find what it
/// started and adopt or cancel it instead of starting the same units twice.
public struct SubmissionRecord: Sendable, Equatable {
    public var id: SubmissionID
    public var jobID: JobID
    /// "local" or "slurm".
    public var executor: String
    /// Unique across every store: names the submission to the executor.
    public var token: String
    /// The executor's id for it once known (the Slurm job id of the array).
    public var externalID: String?
    public var state: SubmissionState
    /// The units of each task, by task number (a local worker process is one task).
    public var tasks: [[UnitID]]
    public var createdAt: Date
    public var endedAt: Date?
    /// The job's spool folder its tasks use (nil: recorded by a version that did not keep it).
    public var spool: String?
}

/// Where a submission is.
public enum SubmissionState: String, Sendable, CaseIterable {
    /// Recorded; the executor may or may not have it yet.
    case submitting
    /// The executor has it (its external id is known).
    case active
    /// Every task has ended (or it was given up); its units were settled.
    case ended
}
