import Foundation
import GRDB
import SGDynStore
import Testing

@Suite("JobStore: opening, pragmas, migrations")
struct StoreOpeningTests {
    @Test func migratesAFreshFileToTheLatestSchema() async throws {
        let temporary = try TemporaryDatabase()
        _ = try JobStore.open(at: temporary.path)
        let queue = try DatabaseQueue(path: temporary.path)
        let (tables, migrations) = try await queue.read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
             try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        }
        #expect(Set(tables).isSuperset(of: ["jobs", "units", "checkpoints"]))
        #expect(migrations == ["v1", "v2", "v3"])
        let unitColumns = try await queue.read { db in try db.columns(in: "units").map(\.name) }
        #expect(unitColumns.contains("latest_eg"))
    }

    @Test func usesWALAndSynchronousFullAndForeignKeys() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        #expect(try await store.pragma("journal_mode") == "wal")
        // 2 is FULL (0 OFF, 1 NORMAL, 3 EXTRA).
        #expect(try await store.pragma("synchronous") == "2")
        #expect(try await store.pragma("foreign_keys") == "1")
        #expect(try await store.pragma("busy_timeout").flatMap(Int.init) ?? 0 > 0)
    }

    @Test func reopeningKeepsDataAndDoesNotMigrateAgain() async throws {
        let temporary = try TemporaryDatabase()
        let id = try await JobStore.open(at: temporary.path).insertClaimedJob(sampleJob("keep")).insertedID()
        let reopened = try JobStore.open(at: temporary.path)
        #expect(try await reopened.job(id)?.name == "keep")
        #expect(try await reopened.units(of: id).count == 2)
    }

    @Test func refusesAFileThatIsNotADatabase() throws {
        let temporary = try TemporaryDatabase()
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: temporary.path))
        #expect(throws: JobStoreError.self) { try JobStore.open(at: temporary.path) }
    }

    @Test func quickCheckRejectsADamagedDatabase() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        for index in 0..<300 { _ = try await store.insertClaimedJob(sampleJob("job\(index)", unitCount: 4)) }
        // Checkpoint the WAL into the main file so the damage below hits live pages, then close.
        _ = try await store.pragma("wal_checkpoint")
        try store.close()
        try scribbleOverPages(of: temporary.path, fromPage: 3)
        do {
            _ = try JobStore.open(at: temporary.path)
            Issue.record("a damaged database opened without complaint")
        } catch let error as JobStoreError {
            guard case let .integrityCheckFailed(path, report) = error else {
                Issue.record("expected the integrity check to fail, got \(error)")
                return
            }
            #expect(path == temporary.path)
            #expect(!report.isEmpty && report != ["ok"])
        }
    }

    @Test func readOnlyOpenOfAMissingDatabaseSaysSo() throws {
        let temporary = try TemporaryDatabase()
        #expect(throws: JobStoreError.databaseMissing(path: temporary.path)) {
            try JobStore.openReadOnly(at: temporary.path)
        }
    }

    /// Overwrites every page from `fromPage` on (page size from the header) with a pattern that
    /// is no valid b-tree page.
    private func scribbleOverPages(of path: String, fromPage firstPage: Int) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let header = try handle.read(upToCount: 100) ?? Data()
        let rawPageSize = Int(header[16]) << 8 | Int(header[17])
        let pageSize = rawPageSize == 1 ? 65536 : rawPageSize
        let fileSize = Int(try handle.seekToEnd())
        var page = firstPage
        while (page - 1) * pageSize < fileSize {
            try handle.seek(toOffset: UInt64((page - 1) * pageSize))
            try handle.write(contentsOf: Data(repeating: 0xA5, count: pageSize))
            page += 1
        }
    }
}
