import Foundation
import GRDB
import SGDynCore

/// The daemon's durable state — jobs, their units and checkpoints — in one SQLite file.
/// This is the one type that issues SQL; everything else talks to it through typed operations.
///
/// Open it with `open(at:)` in the daemon (WAL, `synchronous=FULL`, foreign keys, busy timeout,
/// `quick_check`, migrations) or with `openReadOnly(at:)` for `sgdyn status`, which works while the
/// daemon writes. Every operation is `async` and runs on GRDB's own serial queues, so callers never
/// block the Swift cooperative pool on disk I/O; every write is one transaction.
public final class JobStore: Sendable {
    let database: any DatabaseWriter
    let now: @Sendable () -> Date
    /// The path the store was opened at.
    public let path: String
    public let isReadOnly: Bool

    private init(database: any DatabaseWriter, path: String, isReadOnly: Bool, now: @escaping @Sendable () -> Date) {
        self.database = database
        self.path = path
        self.isReadOnly = isReadOnly
        self.now = now
    }

    /// Opens (creating if needed) the database the daemon writes, checks it and migrates it.
    /// Synchronous: call it once at start-up, before serving.
    /// - Parameters:
    ///   - busyTimeout: how long a write waits for another process's lock before failing.
    ///   - now: the clock for `created_at`/`updated_at`; injectable for tests.
    /// - Throws: `JobStoreError.integrityCheckFailed` when `quick_check` finds damage,
    ///   `JobStoreError.cannotOpen` when the file is not a usable database.
    public static func open(
        at path: String,
        busyTimeout: Duration = .seconds(10),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> JobStore {
        var configuration = Configuration()
        configuration.label = "sgdyn.jobs"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout.seconds)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets synchronous=NORMAL when it enables WAL; a claimed job must survive power
            // loss once its transaction commits, so the writer connection goes back to FULL.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch let error as DatabaseError {
            throw Self.openingError(error, path: path)
        }
        let store = JobStore(database: pool, path: path, isReadOnly: false, now: now)
        try store.runQuickCheck()
        do {
            try Self.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw Self.openingError(error, path: path)
        }
        return store
    }

    /// Opens an existing database for reading only, e.g. for `sgdyn status` while the daemon runs.
    /// It never writes, never migrates and skips `quick_check` (the daemon did that); write
    /// operations on it throw `JobStoreError.readOnly`.
    public static func openReadOnly(at path: String, busyTimeout: Duration = .seconds(10)) throws -> JobStore {
        guard FileManager.default.fileExists(atPath: path) else { throw JobStoreError.databaseMissing(path: path) }
        var configuration = Configuration()
        configuration.label = "sgdyn.jobs.readonly"
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout.seconds)
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.read { db in
                if try Self.migrator.hasBeenSuperseded(db) {
                    throw JobStoreError.schemaMismatch(path: path, reason: "written by a newer sgdyn")
                }
                if try !Self.migrator.hasCompletedMigrations(db) {
                    throw JobStoreError.schemaMismatch(path: path, reason: "not migrated yet (start the daemon once)")
                }
            }
        } catch let error as DatabaseError {
            throw Self.openingError(error, path: path)
        }
        return JobStore(database: queue, path: path, isReadOnly: true, now: { Date() })
    }

    /// Closes the database connections (the daemon at exit; also when the store is released).
    /// Any operation afterwards throws.
    public func close() throws {
        try database.close()
    }

    /// Reads a PRAGMA's value, for diagnostics and tests (e.g. `journal_mode`, `synchronous`).
    /// `name` must be a plain identifier.
    public func pragma(_ name: String) async throws -> String? {
        precondition(name.allSatisfy { $0.isLetter || $0 == "_" }, "not a pragma name: \(name)")
        // synchronous is per connection: ask the writer connection, which is the one that commits.
        return try await database.writeWithoutTransaction { db in
            try String.fetchOne(db, sql: "PRAGMA \(name)")
        }
    }

    private func runQuickCheck() throws {
        let report: [String]
        do {
            report = try database.writeWithoutTransaction { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        } catch let error as DatabaseError {
            throw Self.openingError(error, path: path)
        }
        guard report == ["ok"] else { throw JobStoreError.integrityCheckFailed(path: path, report: report) }
    }

    /// SQLite's complaint while opening, as the error an operator should see: damage found on the
    /// way (SQLITE_CORRUPT) is an integrity failure like a failed quick_check.
    private static func openingError(_ error: DatabaseError, path: String) -> JobStoreError {
        let message = error.message ?? "\(error.resultCode)"
        if error.resultCode == .SQLITE_CORRUPT { return .integrityCheckFailed(path: path, report: [message]) }
        return .cannotOpen(path: path, reason: message)
    }

    /// Runs `body` in one write transaction, refusing on a read-only store.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard !isReadOnly else { throw JobStoreError.readOnly }
        return try await database.write(body)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.read(body)
    }
}
