/// The database identity of a job; a distinct type so that a unit id can never be passed for it.
public struct JobID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
    public static func < (lhs: JobID, rhs: JobID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The database identity of a unit (one simulation or ODE integration of a job).
public struct UnitID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
    public static func < (lhs: UnitID, rhs: UnitID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The database identity of a submission: one hand-over of a job's units to an executor (a local
/// worker process, or one Slurm array).
public struct SubmissionID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
    public static func < (lhs: SubmissionID, rhs: SubmissionID) -> Bool { lhs.rawValue < rhs.rawValue }
}
