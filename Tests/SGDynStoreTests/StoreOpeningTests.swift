import Foundation
import GRDB
import SGDynStore
import Testing

@Suite("JobStore: opening, pragmas, migrations")
struct StoreOpeningTests {
    @Test func migratesAFreshFileToTheLatestSchema() async throws {
        let temporary = try TemporaryDatabase()
        _ = try temporary.open()
        let queue = try DatabaseQueue(path: temporary.path)
        let (tables, migrations) = try await queue.read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
             try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        }
        #expect(Set(tables).isSuperset(of: ["jobs", "units", "checkpoints", "submissions", "meta"]))
        #expect(migrations == ["v1", "v2", "v3", "v4", "v5"])
        let submissionColumns = try await queue.read { db in try db.columns(in: "submissions").map(\.name) }
        #expect(submissionColumns.contains("spool"))
        let unitColumns = try await queue.read { db in try db.columns(in: "units").map(\.name) }
        #expect(Set(unitColumns).isSuperset(of: ["latest_eg", "kind", "point_index", "seed", "spec", "result", "crashes", "attempt"]))
    }

    @Test func usesWALAndSynchronousFullAndForeignKeys() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        #expect(try await store.pragma("journal_mode") == "wal")
        // 2 is FULL (0 OFF, 1 NORMAL, 3 EXTRA).
        #expect(try await store.pragma("synchronous") == "2")
        #expect(try await store.pragma("foreign_keys") == "1")
        #expect(try await store.pragma("busy_timeout").flatMap(Int.init) ?? 0 > 0)
    }

    @Test func reopeningKeepsDataAndDoesNotMigrateAgain() async throws {
        let temporary = try TemporaryDatabase()
        let first = try temporary.open()
        let id = try await first.insertJob(sampleJob("keep")).insertedID()
        try first.close()
        let reopened = try temporary.open()
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
        let store = try temporary.open()
        for index in 0..<300 { _ = try await store.insertJob(sampleJob("job\(index)", unitCount: 4)) }
        // Checkpoint the WAL into the main file so the damage below hits live pages, then close.
        _ = try await store.pragma("wal_checkpoint")
        try store.close()
        try scribbleOverPages(of: temporary.path, fromPage: 3)
        do {
            _ = try temporary.open()
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

    @Test func aNewStoreGetsAnIdentityThatItsStateFolderRemembers() throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let written = try String(contentsOfFile: temporary.identityFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(written == store.storeID && store.storeID.count == 36)
        try store.close()
        #expect(try temporary.open().storeID == store.storeID)
    }

    @Test func aDeletedOrEmptiedDatabaseIsRefusedNotStartedAfresh() throws {
        for damage in ["delete", "empty"] {
            let temporary = try TemporaryDatabase()
            try temporary.open().close()
            if damage == "delete" {
                try FileManager.default.removeItem(atPath: temporary.path)
            } else {
                try Data().write(to: URL(fileURLWithPath: temporary.path))
            }
            expectLoss(try temporary.open()) { if case .databaseMissing = $0 { true } else { false } }
        }
    }

    @Test func aDeletedWriteAheadLogIsRefused() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        _ = try await store.insertJob(sampleJob("lost"))
        try store.close()
        // The -wal file stays after a clean close (SQLITE_FCNTL_PERSIST_WAL), so gone means deleted.
        #expect(FileManager.default.fileExists(atPath: temporary.path + "-wal"))
        try FileManager.default.removeItem(atPath: temporary.path + "-wal")
        expectLoss(try temporary.open()) { $0 == .writeAheadLogMissing }
    }

    @Test func aReplacedDatabaseIsRefused() throws {
        let temporary = try TemporaryDatabase()
        try temporary.open().close()
        let other = try TemporaryDatabase()
        try other.open().close()
        for suffix in ["", "-wal"] {
            try? FileManager.default.removeItem(atPath: temporary.path + suffix)
            try FileManager.default.copyItem(atPath: other.path + suffix, toPath: temporary.path + suffix)
        }
        expectLoss(try temporary.open()) { if case .identityMismatch = $0 { true } else { false } }
    }

    @Test func aStoreOfSgdyn010IsMigratedWithItsJobsAndCheckpoints() async throws {
        let temporary = try TemporaryDatabase()
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/state-0.1.0/sgdyn.sqlite")
        try FileManager.default.removeItem(atPath: temporary.folder.path)
        try FileManager.default.createDirectory(at: temporary.folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.path, toPath: temporary.path)
        let store = try temporary.open()
        let jobs = try await store.jobs(in: Set(JobState.allCases))
        #expect(jobs.map(\.name) == ["legacy-queued", "legacy-sweep"])
        #expect(jobs.map(\.state) == [.queued, .running])
        // Claimed files are known by name now, not by the path text of 0.1.0.
        #expect(jobs.allSatisfy { !$0.claimedName.contains("/") && $0.claimedName.hasSuffix(".json") })
        #expect(jobs.allSatisfy { $0.spec == nil })  // converted by the daemon, which can parse jobs
        let sweep = try #require(jobs.last)
        let units = try await store.units(of: sweep.id)
        #expect(units.count == 4 && units.allSatisfy { $0.kind == .simulation && $0.pointIndex == -1 })
        #expect(try await store.latestValidCheckpoint(units[0].id).checkpoint?.stepsDone == 285_000)
        #expect(try await store.recoverOrphanedRuns(reason: "upgrade") == [sweep.id])
        #expect(try await store.runnableUnits(of: sweep.id).count == 4)
    }

    private func expectLoss(_ open: @autoclosure () throws -> JobStore, _ matches: (StoreLoss) -> Bool,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try open()
            Issue.record("a store that lost data opened without complaint", sourceLocation: sourceLocation)
        } catch let error as JobStoreError {
            guard case .storeLost(_, let reason) = error, matches(reason) else {
                Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(error.description.contains("refusing to start"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
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
