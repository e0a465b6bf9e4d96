/// Why the store refused or failed an operation, in words an operator can act on.
public enum JobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `PRAGMA quick_check` did not answer "ok".
    case integrityCheckFailed(path: String, report: [String])
    /// The file is not an SQLite database, or SQLite could not open it.
    case cannotOpen(path: String, reason: String)
    /// A read-only open found no database (the daemon has never run with this state folder).
    case databaseMissing(path: String)
    /// A read-only open found a schema this build does not know (older or newer).
    case schemaMismatch(path: String, reason: String)
    /// A write was attempted through a store opened with `openReadOnly`.
    case readOnly
    case unknownJob(JobID)
    case unknownUnit(UnitID)
    /// The job is not in a state from which the requested transition is allowed.
    case invalidTransition(job: JobID, from: JobState, to: JobState)
    case invalidUnitTransition(unit: UnitID, from: UnitState, to: UnitState)
    /// `markDone` on a job that still has unfinished units.
    case unitsUnfinished(job: JobID, count: Int)

    public var description: String {
        switch self {
        case let .integrityCheckFailed(path, report):
            "the job database \(path) failed its integrity check: \(report.prefix(5).joined(separator: "; "))"
        case let .cannotOpen(path, reason):
            "cannot open the job database \(path): \(reason)"
        case let .databaseMissing(path):
            "no job database at \(path) (has the daemon run with this state folder?)"
        case let .schemaMismatch(path, reason):
            "the job database \(path) has an unexpected schema: \(reason)"
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
        case let .unitsUnfinished(job, count):
            "job \(job) still has \(count) unfinished unit(s)"
        }
    }
}
