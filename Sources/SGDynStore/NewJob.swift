import Foundation

/// A claimed job file as the intake hands it to the store: the exact bytes, the validated job and
/// the units it splits into. Payloads are opaque bytes so the store does not depend on the job types.
public struct NewJob: Sendable {
    /// The name the file was submitted under (`NAME` of `NAME.json`).
    public var name: String
    /// The name the result bundle will carry (the job's `name` key, defaulting to `name`).
    public var bundleName: String
    public var priority: Int
    /// When the job arrived; first-come ordering among equal priorities uses it.
    public var submittedAt: Date
    /// The claimed file's name in the state folder's `claimed/`.
    public var claimedName: String
    /// The job file exactly as submitted; the store computes its SHA-256 itself.
    public var jobBytes: [UInt8]
    /// The validated job (`JobSpec.storedForm()`).
    public var spec: [UInt8]
    /// In order; a unit's index is its position here.
    public var units: [NewUnit]
    /// Who dropped the file (its owner); nil when not known.
    public var submitter: Submitter?

    public init(name: String, bundleName: String, priority: Int, submittedAt: Date, claimedName: String,
                jobBytes: [UInt8], spec: [UInt8], units: [NewUnit], submitter: Submitter? = nil) {
        self.submitter = submitter
        self.name = name
        self.bundleName = bundleName
        self.priority = priority
        self.submittedAt = submittedAt
        self.claimedName = claimedName
        self.jobBytes = jobBytes
        self.spec = spec
        self.units = units
    }
}

/// One unit of a `NewJob`: what it computes (opaque bytes), where it belongs, and how many steps it
/// takes, for progress and ETA.
public struct NewUnit: Sendable, Equatable {
    public var kind: UnitKind
    public var pointIndex: Int
    public var seed: UInt64?
    public var spec: [UInt8]
    public var totalSteps: Int64

    public init(kind: UnitKind, pointIndex: Int, seed: UInt64?, spec: [UInt8], totalSteps: Int64) {
        self.kind = kind
        self.pointIndex = pointIndex
        self.seed = seed
        self.spec = spec
        self.totalSteps = totalSteps
    }
}

/// A claimed file that is not a job, as the intake hands it to the store: it is recorded (so that
/// its rejection bundle is written, retried if need be, and never lost) and goes straight to
/// `publishing` with outcome `rejected`.
public struct NewRejection: Sendable {
    /// The bundle's name (`rejected-NAME`).
    public var bundleName: String
    public var submittedAt: Date
    public var claimedName: String
    /// What could be read of the file (empty when it could not be read at all).
    public var jobBytes: [UInt8]
    public var rejection: Rejection
    /// Who dropped the file (its owner); nil when not known.
    public var submitter: Submitter?

    public init(bundleName: String, submittedAt: Date, claimedName: String, jobBytes: [UInt8], rejection: Rejection,
                submitter: Submitter? = nil) {
        self.submitter = submitter
        self.bundleName = bundleName
        self.submittedAt = submittedAt
        self.claimedName = claimedName
        self.jobBytes = jobBytes
        self.rejection = rejection
    }
}

/// What `JobStore.insertJob` did: stored the job, or found a byte-identical job still queued,
/// running or interrupted and stored nothing.
public enum InsertOutcome: Sendable, Equatable {
    case inserted(JobID)
    case duplicate(of: JobID, name: String)
}

/// Who submitted a job: the owner of the job file as dropped into the inbox (its uid, and the user
/// name it resolved to when it was claimed). The kernel sets a file's owner, so no submitter can
/// drop a file as someone else.
public struct Submitter: Sendable, Hashable, CustomStringConvertible {
    public var uid: UInt32
    /// The user name, or `uid<N>` for a uid without a name.
    public var name: String

    public init(uid: UInt32, name: String) {
        self.uid = uid
        self.name = name
    }

    public var description: String { name }
}

/// A job the scheduler may start, as `JobStore.schedulingCandidates` lists it: no payloads, only
/// what the choice depends on.
public struct SchedulingCandidate: Sendable, Equatable {
    public var job: JobID
    /// The submitter's user name ("" for a job stored before submitters were recorded).
    public var submitter: String
    public var priority: Int
    /// Position in first-come order (priority, then submission time, then arrival).
    public var order: Int

    public init(job: JobID, submitter: String, priority: Int, order: Int) {
        self.job = job
        self.submitter = submitter
        self.priority = priority
        self.order = order
    }
}
