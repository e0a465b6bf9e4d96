import Foundation
import SGDynStore

/// An executor's kind: the tag stored with every submission in the job store (and shown by
/// `sgdyn status`), and the value of the config key `executor`. Used like an enum (`.local`,
/// `.slurm`), but each executor declares its own kind in its own folder
/// (`extension ExecutorKind { static let … }`), so a new executor touches no shared list but
/// `ExecutorRegistry.standard`. A tag, once stored, must never change (`ExecutorKindTagTests`).
public struct ExecutorKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// What an executor's factory gets: the daemon's configuration and where it runs.
public struct ExecutorContext: Sendable {
    public var configuration: DaemonConfiguration
    /// This program, started as `executable worker …`.
    public var executable: String
    /// The job store's id (unique across stores), for tokens an executor finds its tasks by.
    public var storeID: String

    public init(configuration: DaemonConfiguration, executable: String, storeID: String) {
        self.configuration = configuration
        self.executable = executable
        self.storeID = storeID
    }
}

/// How the daemon makes one kind of executor.
public struct ExecutorRegistration: Sendable {
    public var kind: ExecutorKind
    /// Whether a configuration sets it up (Slurm: it has a `slurm` object); one that does not is
    /// not made, and cannot be chosen with `executor`.
    public var isConfigured: @Sendable (DaemonConfiguration) -> Bool
    /// What a configuration that chooses it but does not set it up lacks (the error names it).
    public var requirement: String
    /// Makes it for a configuration that sets it up; throws when it cannot work here.
    public var make: @Sendable (ExecutorContext) throws -> any Executor
    /// For executors whose tasks outlive the daemon: one that only follows the submissions a
    /// previous daemon left open when the configuration no longer sets it up, to their end (never
    /// charged a crash, never run twice). nil: such submissions' units resume elsewhere.
    public var follower: (@Sendable (ExecutorContext, [SubmissionRecord]) -> any Executor)?
    /// How `sgdyn status` names a running job's external id ("slurm job"); nil: not shown.
    public var externalIDLabel: String?

    public init(kind: ExecutorKind, isConfigured: @escaping @Sendable (DaemonConfiguration) -> Bool = { _ in true }, requirement: String = "",
                make: @escaping @Sendable (ExecutorContext) throws -> any Executor,
                follower: (@Sendable (ExecutorContext, [SubmissionRecord]) -> any Executor)? = nil, externalIDLabel: String? = nil) {
        self.kind = kind
        self.isConfigured = isConfigured
        self.requirement = requirement
        self.make = make
        self.follower = follower
        self.externalIDLabel = externalIDLabel
    }
}

/// The one place executors are registered. Adding an executor: a folder under Executors/ with
/// its `Executor`, its `ExecutorKind` and its `registration`, and one line in `standard`.
public struct ExecutorRegistry: Sendable {
    public var registrations: [ExecutorRegistration]

    public init(_ registrations: [ExecutorRegistration]) { self.registrations = registrations }

    /// The executors of `sgdyn serve`.
    public static let standard = ExecutorRegistry([
        LocalExecutor.registration,
        SlurmExecutor.registration,
    ])

    public var kinds: [ExecutorKind] { registrations.map(\.kind) }

    public func registration(for kind: ExecutorKind) -> ExecutorRegistration? {
        registrations.first { $0.kind == kind }
    }

    /// The executors a daemon sets up at start: every registered one its configuration sets up.
    func make(_ context: ExecutorContext) throws -> [ExecutorKind: any Executor] {
        var executors: [ExecutorKind: any Executor] = [:]
        for registration in registrations where registration.isConfigured(context.configuration) {
            executors[registration.kind] = try registration.make(context)
        }
        return executors
    }

    /// `"local"` or `"slurm"`, for messages and docs.
    func kindList(quote: (String) -> String) -> String {
        let names = kinds.map { quote($0.rawValue) }
        return names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }
}
