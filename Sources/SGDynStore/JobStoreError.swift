/// Why the store refused or failed an operation, in words an operator can act on; a case for
/// every condition a caller decides on (a full disk is waited out, a lost store is refused).
public enum JobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `PRAGMA quick_check` did not answer "ok", or SQLite found damage.
    case integrityCheckFailed(path: String, report: [String])
    /// The file is not an SQLite database, or SQLite could not open it.
    case cannotOpen(path: String, reason: String)
    /// A read-only open found no database (the daemon has never run with this state folder).
    case databaseMissing(path: String)
    /// The state folder has a store identity, but the database lost data behind sgdyn's back.
    case storeLost(path: String, reason: StoreLoss)
    /// A read-only open found a schema this build does not know (older or newer).
    case schemaMismatch(path: String, reason: String)
    /// SQLITE_FULL: the disk or quota is full; retry once space is back.
    case diskFull(path: String)
    /// SQLITE_TOOBIG: a value over SQLite's size limit (job validation bounds checkpoints below it).
    case tooBig(path: String)
    /// SQLITE_BUSY or SQLITE_LOCKED after the busy timeout: another process holds the store's lock
    /// (an operator's `sqlite3`, a backup); retry once it lets go.
    case busy(path: String)
    /// Any other SQLite failure.
    case sqlite(path: String, message: String)
    /// A write was attempted through a store opened with `openReadOnly`.
    case readOnly
    case unknownJob(JobID)
    case unknownUnit(UnitID)
    /// The job is not in a state from which the requested transition is allowed.
    case invalidTransition(job: JobID, from: JobState, to: JobState)
    case invalidUnitTransition(unit: UnitID, from: UnitState, to: UnitState)
    /// A stored value the schema should have made impossible.
    case corruptValue(String)

    public var description: String {
        switch self {
        case let .integrityCheckFailed(path, report):
            "the job database \(path) failed its integrity check: \(report.prefix(5).joined(separator: "; "))"
        case let .cannotOpen(path, reason):
            "cannot open the job database \(path): \(reason)"
        case let .databaseMissing(path):
            "no job database at \(path) (has the daemon run with this state folder?)"
        case let .storeLost(path, reason):
            "refusing to start with the job database \(path): \(reason). Starting anyway would run every job in the "
                + "state folder again. Restore the database (and its -wal file) from a backup, or move the state "
                + "folder aside to start with an empty one."
        case let .schemaMismatch(path, reason):
            "the job database \(path) has an unexpected schema: \(reason)"
        case let .diskFull(path):
            "the disk holding the job database \(path) is full"
        case let .tooBig(path):
            "a value is too big for the job database \(path)"
        case let .busy(path):
            "the job database \(path) is locked by another process (an operator's sqlite3 session, a backup?)"
        case let .sqlite(path, message):
            "job database \(path): \(message)"
        case .readOnly:
            "the job database was opened read-only"
        case let .unknownJob(id):
            "no job with id \(id)"
        case let .unknownUnit(id):
            "no unit with id \(id)"
        case let .invalidTransition(job, from, to):
            "job \(job) cannot go from \(from.rawValue) to \(to.rawValue)"
        case let .invalidUnitTransition(unit, from, to):
            "unit \(unit) cannot go from \(from.rawValue) to \(to.rawValue)"
        case let .corruptValue(what):
            "the job database holds an impossible value: \(what)"
        }
    }
}

/// How a store lost data behind sgdyn's back.
public enum StoreLoss: Sendable, Equatable, CustomStringConvertible {
    /// The database file is missing or empty, but the state folder says it held store `expectedID`.
    case databaseMissing(expectedID: String)
    /// The database belongs to another store (or to none: replaced by a new, empty one).
    case identityMismatch(expectedID: String, foundID: String?)
    /// The write-ahead log, which holds committed transactions not yet copied into the database
    /// file, was deleted.
    case writeAheadLogMissing

    public var description: String {
        switch self {
        case let .databaseMissing(expected):
            "the database file is missing or empty, but the state folder's store-id says it held store \(expected)"
        case let .identityMismatch(expected, found):
            "it is not the state folder's store (store-id says \(expected), the database says \(found ?? "nothing"): it was replaced)"
        case .writeAheadLogMissing:
            "its write-ahead log (the -wal file beside it) is missing, and with it the latest committed changes"
        }
    }
}
