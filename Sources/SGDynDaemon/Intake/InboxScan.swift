import Foundation

/// What one pass over the inbox found, sorted by entry name in every list.
public struct InboxScan: Sendable {
    /// Job files stable for the quiet period and past every hostile check: claim them now.
    public var ready: [ReadyJobFile] = []
    /// Job files still changing or not yet watched for a whole quiet period.
    public var waiting: [WaitingJobFile] = []
    /// Entries refused without reading them; each deserves a rejection bundle and an error line.
    public var rejected: [RejectedInboxEntry] = []
    /// `NAME.cancel` files: requests to cancel the job NAME.
    public var cancelRequests: [CancelRequest] = []
    /// Entries that are none of the daemon's business (dot-files, temporary files, other names).
    public var ignored: [IgnoredInboxEntry] = []
    /// When `waiting` is not empty: scan again after this long, even without a watcher hint, so
    /// that a file written in place is taken once it has settled.
    public var recheckAfter: Duration?
}

/// A job file the scanner judged complete and safe to claim.
public struct ReadyJobFile: Sendable, Equatable {
    public var entry: InboxEntryName
    /// NAME of `NAME.json`.
    public var jobName: String
    public var size: Int64
    public var modificationDate: Date
    /// How long it has been seen unchanged.
    public var unchangedFor: Duration
    /// It was renamed into the inbox (the drop protocol), so it is complete as it is.
    public var renamedIn: Bool
}

/// A job file seen but not yet stable.
public struct WaitingJobFile: Sendable, Equatable {
    public var entry: InboxEntryName
    public var jobName: String
    public var size: Int64
    /// The earliest moment it can be ready, if it does not change again.
    public var readyAt: ContinuousClock.Instant
}

/// An entry refused by the hostile-file checks.
public struct RejectedInboxEntry: Sendable, Equatable {
    public var entry: InboxEntryName
    public var reason: InboxRejection
    /// False when an earlier scan already reported this entry for the same reason (e.g. because it
    /// could not be moved out), so the caller can avoid logging it on every scan.
    public var isNew: Bool
}

/// A `NAME.cancel` file.
public struct CancelRequest: Sendable, Equatable {
    public var entry: InboxEntryName
    /// The job to cancel.
    public var jobName: String
}

/// An entry the daemon leaves alone, with the reason (for a debug line).
public struct IgnoredInboxEntry: Sendable, Equatable {
    public var entry: InboxEntryName
    public var reason: String
}
