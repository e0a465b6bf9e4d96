import Foundation

/// A claimed job file as the intake hands it to the store: the exact bytes, their normalised form
/// and the units it splits into. Payloads are opaque JSON text so the store does not depend on the
/// job types.
public struct NewJob: Sendable {
    /// The name the file was submitted under (`NAME` of `NAME.json`).
    public var name: String
    /// The name the result bundle will carry (the job's `name` key, defaulting to `name`).
    public var bundleName: String
    public var priority: Int
    /// When the job arrived; first-come ordering among equal priorities uses it.
    public var submittedAt: Date
    /// Where the claim step moved the file (`state/claimed/<id>-NAME.json`).
    public var claimedPath: String
    /// The job file exactly as submitted; the store computes its SHA-256 itself.
    public var jobBytes: [UInt8]
    public var normalisedJobJSON: String
    /// In order; a unit's index is its position here.
    public var units: [NewUnit]

    public init(
        name: String, bundleName: String, priority: Int, submittedAt: Date, claimedPath: String,
        jobBytes: [UInt8], normalisedJobJSON: String, units: [NewUnit]
    ) {
        self.name = name
        self.bundleName = bundleName
        self.priority = priority
        self.submittedAt = submittedAt
        self.claimedPath = claimedPath
        self.jobBytes = jobBytes
        self.normalisedJobJSON = normalisedJobJSON
        self.units = units
    }
}

/// One unit of a `NewJob`: its parameters (opaque JSON) and how many SGD steps it will take, for
/// progress and ETA.
public struct NewUnit: Sendable {
    public var parametersJSON: String
    public var totalSteps: Int64

    public init(parametersJSON: String, totalSteps: Int64) {
        self.parametersJSON = parametersJSON
        self.totalSteps = totalSteps
    }
}

/// What `JobStore.insertClaimedJob` did: stored the job, or found a byte-identical job still
/// queued, running or interrupted and stored nothing.
public enum InsertOutcome: Sendable, Equatable {
    case inserted(JobID)
    case duplicate(of: JobID, name: String)
}
