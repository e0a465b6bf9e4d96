import Foundation
import GRDB
import GRDBSQLite
import SGDynCore

/// The daemon's durable state — jobs, their units, checkpoints, submissions — in one SQLite file.
/// This is the one type that issues SQL; everything else talks to it through typed operations.
///
/// Open it with `open(at:identityFile:)` in the daemon (WAL kept on disk between runs,
/// `synchronous=FULL`, foreign keys, busy timeout, `quick_check`, migrations, identity check) or
/// with `openReadOnly(at:)` for `sgdyn status`, which works while the daemon writes. Every operation
/// is `async` and runs on GRDB's own serial queues, so callers never block the Swift cooperative
/// pool on disk I/O; every write is one transaction.
public final class JobStore: Sendable {
    let database: any DatabaseWriter
    let now: @Sendable () -> Date
    /// The path the store was opened at.
    public let path: String
    public let isReadOnly: Bool
    /// The store's identity (a UUID made when it was created), also kept in the identity file.
    public let storeID: String

    private init(database: any DatabaseWriter, path: String, isReadOnly: Bool, storeID: String, now: @escaping @Sendable () -> Date) {
        self.database = database
        self.path = path
        self.isReadOnly = isReadOnly
        self.storeID = storeID
        self.now = now
    }

    /// Opens (creating if needed) the database the daemon writes, checks it and migrates it.
    /// Synchronous: call it once at start-up, before serving.
    ///
    /// `identityFile` (the state folder's `store-id`) guards against a store that lost data behind
    /// sgdyn's back: once the store has an identity, a missing or emptied database, one with another
    /// identity, or a missing write-ahead log (which held committed transactions) is refused with
    /// `JobStoreError.storeLost`, instead of starting afresh and running every claimed job again.
    /// - Parameters:
    ///   - busyTimeout: how long a write waits for another process's lock before failing.
    ///   - now: the clock for `created_at`/`updated_at`; injectable for tests.
    public static func open(
        at path: String,
        identityFile: String? = nil,
        busyTimeout: Duration = .seconds(10),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(JobStoreError) -> JobStore {
        let expectedID = identityFile.flatMap(StoreIdentity.read)
        let hadDatabase = StoreIdentity.fileSize(path).map { $0 > 0 } ?? false
        if let expectedID {
            guard hadDatabase else { throw .storeLost(path: path, reason: .databaseMissing(expectedID: expectedID)) }
            // With the WAL kept on disk (see below), a missing -wal file was removed by someone.
            guard StoreIdentity.fileSize(path + "-wal") != nil else {
                throw .storeLost(path: path, reason: .writeAheadLogMissing)
            }
        }
        var configuration = Configuration()
        configuration.label = "sgdyn.jobs"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout.seconds)
        configuration.prepareDatabase { db in
            // Keep the -wal file when the last connection closes, so that its absence at the next
            // start means it was deleted (and committed transactions with it).
            var persist: Int32 = 1
            _ = sqlite3_file_control(db.sqliteConnection, nil, SQLITE_FCNTL_PERSIST_WAL, &persist)
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets synchronous=NORMAL when it enables WAL; a claimed job must survive power
            // loss once its transaction commits, so the writer connection goes back to FULL.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw Self.storeError(error, path: path)
        }
        try runQuickCheck(pool, path: path)
        if let expectedID {
            // A database without the identity table in a state folder that has an identity was
            // replaced (or emptied); do not migrate it into a fresh store.
            let found = try readStoreID(pool, path: path)
            guard found == expectedID else {
                throw .storeLost(path: path, reason: .identityMismatch(expectedID: expectedID, foundID: found))
            }
        }
        do {
            try Self.migrator.migrate(pool)
        } catch {
            throw Self.storeError(error, path: path)
        }
        guard let storeID = try readStoreID(pool, path: path) else {
            throw .cannotOpen(path: path, reason: "the store has no identity after migration")
        }
        if let identityFile, expectedID == nil {
            do { try StoreIdentity.write(storeID, to: identityFile) } catch {
                throw .cannotOpen(path: path, reason: "cannot write the store identity file \(identityFile): \(error)")
            }
        }
        return JobStore(database: pool, path: path, isReadOnly: false, storeID: storeID, now: now)
    }

    /// Opens an existing database for reading only, e.g. for `sgdyn status` while the daemon runs.
    /// It never writes, never migrates and skips `quick_check` (the daemon did that); write
    /// operations on it throw `JobStoreError.readOnly`.
    public static func openReadOnly(at path: String, busyTimeout: Duration = .seconds(10)) throws(JobStoreError) -> JobStore {
        guard FileManager.default.fileExists(atPath: path) else { throw .databaseMissing(path: path) }
        var configuration = Configuration()
        configuration.label = "sgdyn.jobs.readonly"
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout.seconds)
        let queue: DatabaseQueue
        let storeID: String?
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            storeID = try queue.read { db in
                if try Self.migrator.hasBeenSuperseded(db) {
                    throw JobStoreError.schemaMismatch(path: path, reason: "written by a newer sgdyn")
                }
                if try !Self.migrator.hasCompletedMigrations(db) {
                    throw JobStoreError.schemaMismatch(path: path, reason: "not migrated yet (start the daemon once)")
                }
                return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'store_id'")
            }
        } catch {
            throw Self.storeError(error, path: path)
        }
        return JobStore(database: queue, path: path, isReadOnly: true, storeID: storeID ?? "", now: { Date() })
    }

    /// Closes the database connections (the daemon at exit; also when the store is released).
    /// Any operation afterwards throws.
    public func close() throws {
        try database.close()
    }

    /// Sets how long this store's writes wait for another process's lock from now on (SQLite's
    /// busy timeout on the writer connection), after which they throw `JobStoreError.busy`. The
    /// daemon waits patiently while it starts (nothing else runs yet), then briefly while it
    /// serves, so that a lock held by someone else never holds its loop (see `StoreOutage`).
    public func limitLockWait(to wait: Duration) async throws {
        guard !isReadOnly else { throw JobStoreError.readOnly }
        let milliseconds = max(0, Int((wait.seconds * 1000).rounded()))
        do {
            try await database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA busy_timeout = \(milliseconds)") }
        } catch let error as DatabaseError {
            throw Self.operationError(error, path: path)
        }
    }

    /// Takes SQLite's write lock and lets it go at once, changing nothing: whether a write could
    /// start now. Throws `JobStoreError.busy` while another process holds the lock (reads do not
    /// tell: in WAL mode they go on beside a writer).
    public func probeWriteLock() async throws {
        guard !isReadOnly else { throw JobStoreError.readOnly }
        do {
            try await database.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                try db.execute(sql: "ROLLBACK")
            }
        } catch let error as DatabaseError {
            throw Self.operationError(error, path: path)
        }
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

    private static func runQuickCheck(_ pool: DatabasePool, path: String) throws(JobStoreError) {
        let report: [String]
        do {
            report = try pool.writeWithoutTransaction { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        } catch {
            throw storeError(error, path: path)
        }
        guard report == ["ok"] else { throw .integrityCheckFailed(path: path, report: report) }
    }

    /// The identity recorded in the database; nil when it has none (new, or from sgdyn 0.1.0).
    private static func readStoreID(_ pool: DatabasePool, path: String) throws(JobStoreError) -> String? {
        do {
            return try pool.read { db in
                guard try db.tableExists("meta") else { return nil }
                return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'store_id'")
            }
        } catch {
            throw storeError(error, path: path)
        }
    }

    /// SQLite's complaint, as the error an operator should see (and code can act on).
    static func storeError(_ error: any Error, path: String) -> JobStoreError {
        if let error = error as? JobStoreError { return error }
        guard let error = error as? DatabaseError else { return .cannotOpen(path: path, reason: "\(error)") }
        let message = error.message ?? "\(error.resultCode)"
        switch error.resultCode.primaryResultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return .integrityCheckFailed(path: path, report: [message])
        case .SQLITE_FULL: return .diskFull(path: path)
        case .SQLITE_TOOBIG: return .tooBig(path: path)
        default: return .cannotOpen(path: path, reason: message)
        }
    }

    /// Runs `body` in one write transaction, refusing on a read-only store. SQLite's errors become
    /// `JobStoreError`s (a full disk is `.diskFull`), so callers decide by case, not by text.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        guard !isReadOnly else { throw JobStoreError.readOnly }
        do {
            return try await database.write(body)
        } catch let error as DatabaseError {
            throw Self.operationError(error, path: path)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.read(body)
        } catch let error as DatabaseError {
            throw Self.operationError(error, path: path)
        }
    }

    private static func operationError(_ error: DatabaseError, path: String) -> JobStoreError {
        switch error.resultCode.primaryResultCode {
        case .SQLITE_FULL: return .diskFull(path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy(path: path)
        case .SQLITE_TOOBIG: return .tooBig(path: path)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return .integrityCheckFailed(path: path, report: [error.message ?? "corrupt"])
        default: return .sqlite(path: path, message: error.message ?? "\(error.resultCode)")
        }
    }
}
