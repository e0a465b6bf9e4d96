import Foundation
import GRDB
import SGDynCore
import SGDynStore
import Testing

@Suite("JobStore: checkpoints")
struct CheckpointTests {
    private func runningUnit(_ store: JobStore) async throws -> (JobID, UnitID) {
        let id = try await store.insertJob(sampleJob("ckpt", unitCount: 1)).insertedID()
        let (_, start) = try await store.startRun(id)
        return (id, start.units[0].id)
    }

    private func snapshot(_ fill: UInt8) -> [UInt8] { [UInt8](repeating: fill, count: 4096) + [1, 2, 3] }

    @Test func aKnownDigestIsStoredAsGiven() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let (_, unit) = try await runningUnit(store)
        try await store.saveCheckpoint(unit, snapshot: snapshot(5), stepsDone: 500, sha256: SHA256.hexDigest(snapshot(5)))
        #expect(try await store.latestValidCheckpoint(unit).checkpoint?.snapshot == snapshot(5))
    }

    @Test func keepsOnlyTheNewestTwoPerUnit() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let (_, unit) = try await runningUnit(store)
        for fill in UInt8(1)...4 {
            #expect(try await store.saveCheckpoint(unit, snapshot: snapshot(fill), stepsDone: Int64(fill) * 100) == Int64(fill))
        }
        let queue = try DatabaseQueue(path: temporary.path)
        let sequences = try await queue.read { db in
            try Int64.fetchAll(db, sql: "SELECT sequence FROM checkpoints WHERE unit_id = ? ORDER BY sequence", arguments: [unit.rawValue])
        }
        #expect(sequences == [3, 4])
        let recovery = try await store.latestValidCheckpoint(unit)
        #expect(recovery.checkpoint?.sequence == 4)
        #expect(recovery.checkpoint?.snapshot == snapshot(4))
        #expect(recovery.checkpoint?.sha256 == SHA256.hexDigest(snapshot(4)))
        #expect(recovery.checkpoint?.stepsDone == 400)
        #expect(!recovery.fellBack)
        #expect(try await store.unit(unit)?.stepsDone == 400)
    }

    @Test("latestCheckpointSequences counts on past pruned checkpoints, per unit of the job, none for another job")
    func latestCheckpointSequencesPerUnit() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let (job, unit) = try await runningUnit(store)
        #expect(try await store.latestCheckpointSequences(of: job).isEmpty)
        for fill in UInt8(1)...3 { try await store.saveCheckpoint(unit, snapshot: snapshot(fill), stepsDone: Int64(fill) * 10) }
        #expect(try await store.latestCheckpointSequences(of: job) == [unit: 3])
        let other = try await store.insertJob(sampleJob("other", unitCount: 1)).insertedID()
        #expect(try await store.latestCheckpointSequences(of: other).isEmpty)
    }

    @Test func fallsBackToThePreviousCheckpointWhenTheLatestIsCorrupt() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let (_, unit) = try await runningUnit(store)
        try await store.saveCheckpoint(unit, snapshot: snapshot(7), stepsDone: 700)
        try await store.saveCheckpoint(unit, snapshot: snapshot(8), stepsDone: 800)
        try await flipAByte(inCheckpoint: 2, of: unit, at: temporary.path)

        let recovery = try await store.latestValidCheckpoint(unit)
        #expect(recovery.checkpoint?.sequence == 1)
        #expect(recovery.checkpoint?.snapshot == snapshot(7))
        #expect(recovery.fellBack)
        #expect(recovery.skipped.map(\.sequence) == [2])
        #expect(recovery.skipped.first?.expectedSHA256 == SHA256.hexDigest(snapshot(8)))
    }

    @Test func reportsWhenNoCheckpointIsUsable() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let (_, unit) = try await runningUnit(store)
        #expect(try await store.latestValidCheckpoint(unit) == CheckpointRecovery(checkpoint: nil, skipped: []))
        try await store.saveCheckpoint(unit, snapshot: snapshot(1), stepsDone: 100)
        try await store.saveCheckpoint(unit, snapshot: snapshot(2), stepsDone: 200)
        try await flipAByte(inCheckpoint: 1, of: unit, at: temporary.path)
        try await flipAByte(inCheckpoint: 2, of: unit, at: temporary.path)
        let recovery = try await store.latestValidCheckpoint(unit)
        #expect(recovery.checkpoint == nil)
        #expect(recovery.skipped.map(\.sequence) == [2, 1])
    }

    @Test func anAttemptWithCheckpointsIsAResume() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let (job, unit) = try await runningUnit(store)
        try await store.saveCheckpoint(unit, snapshot: snapshot(3), stepsDone: 300)
        #expect(try await store.recoverOrphanedRuns(reason: "test").isEmpty)  // its submission is still open
        let submission = try #require(try await store.openSubmissions().first)
        _ = try await store.endSubmission(submission.id, crashed: [], reason: "stopped")
        try await store.requeue(job, interrupted: true, reason: "stopped")
        let (_, start) = try await store.startRun(job)
        #expect(start.attempt == 2 && start.isResume && start.units.map(\.attempt) == [2])
        #expect(try await store.job(job)?.resumes == 1)
    }

    /// Damages a stored snapshot behind the store's back, as a bad disk sector would.
    private func flipAByte(inCheckpoint sequence: Int64, of unit: UnitID, at path: String) async throws {
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            let stored = try #require(try Data.fetchOne(db, sql: """
                SELECT snapshot FROM checkpoints WHERE unit_id = ? AND sequence = ?
                """, arguments: [unit.rawValue, sequence]))
            var bytes = [UInt8](stored)
            bytes[100] ^= 0xFF
            try db.execute(sql: "UPDATE checkpoints SET snapshot = ? WHERE unit_id = ? AND sequence = ?",
                           arguments: [Data(bytes), unit.rawValue, sequence])
        }
        try queue.close()
    }
}
