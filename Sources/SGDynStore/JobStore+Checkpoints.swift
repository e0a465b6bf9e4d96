import Foundation
import GRDB
import SGDynCore

extension JobStore {
    /// How many checkpoints are kept per unit: the newest, and one to fall back to if it is corrupt.
    public static let checkpointsKeptPerUnit = 2

    /// Stores a snapshot of a unit with its SHA-256 (`sha256`, when the caller has computed it while
    /// verifying the bytes), records `stepsDone` as the unit's progress, and
    /// drops all but the newest two checkpoints of the unit, in one transaction.
    /// Returns the checkpoint's sequence number.
    @discardableResult
    public func saveCheckpoint(_ unitID: UnitID, snapshot: [UInt8], stepsDone: Int64, sha256 knownDigest: String? = nil) async throws -> Int64 {
        // A caller that verified the bytes already knows their digest (see `UnitReport.decode`).
        let sha256 = knownDigest ?? SHA256.hexDigest(snapshot)
        let timestamp = now()
        return try await write { db in
            _ = try Self.currentState(of: unitID, db) as UnitState
            let sequence = (try Int64.fetchOne(db, sql: """
                SELECT MAX(sequence) FROM checkpoints WHERE unit_id = ?
                """, arguments: [unitID.rawValue]) ?? 0) + 1
            // The blob is bound without a copy of our own (SQLite makes its one while binding):
            // a checkpoint may be 256 MiB, and the daemon should hold it as few times as it can.
            try snapshot.withUnsafeBytes { raw in
                let blob = raw.baseAddress.map { Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0), count: raw.count, deallocator: .none) } ?? Data()
                try db.execute(sql: """
                    INSERT INTO checkpoints (unit_id, sequence, snapshot, sha256, steps_done, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [unitID.rawValue, sequence, blob, sha256, stepsDone, timestamp])
            }
            try db.execute(sql: """
                DELETE FROM checkpoints WHERE unit_id = ? AND sequence <= ?
                """, arguments: [unitID.rawValue, sequence - Int64(Self.checkpointsKeptPerUnit)])
            try db.execute(sql: "UPDATE units SET steps_done = MIN(?, total_steps) WHERE id = ?", arguments: [stepsDone, unitID.rawValue])
            return sequence
        }
    }

    /// The sequence number of each unit's newest checkpoint, for the units of `jobID` that have
    /// one (sequences count 1, 2, … per unit although only the newest two are kept): how many
    /// checkpoints a unit has written, for `sgdyn status NAME --json` and the daemon benchmark.
    public func latestCheckpointSequences(of jobID: JobID) async throws -> [UnitID: Int64] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT checkpoints.unit_id AS unit, MAX(checkpoints.sequence) AS latest FROM checkpoints
                JOIN units ON units.id = checkpoints.unit_id WHERE units.job_id = ? GROUP BY checkpoints.unit_id
                """, arguments: [jobID.rawValue])
            var found: [UnitID: Int64] = [:]
            for row in rows { found[UnitID(row["unit"] as Int64)] = row["latest"] as Int64 }
            return found
        }
    }

    /// The newest checkpoint of the unit whose snapshot still matches its checksum. A newer one that
    /// does not is skipped and reported in `skipped`, so the caller can log the fallback.
    /// One checkpoint is read at a time (each may be 256 MiB), newest first.
    public func latestValidCheckpoint(_ unitID: UnitID) async throws -> CheckpointRecovery {
        let sequences = try await read { db in
            try Int64.fetchAll(db, sql: "SELECT sequence FROM checkpoints WHERE unit_id = ? ORDER BY sequence DESC",
                               arguments: [unitID.rawValue])
        }
        var skipped: [CorruptCheckpoint] = []
        for sequence in sequences {
            let found = try await read { db in
                try Row.fetchOne(db, sql: """
                    SELECT unit_id, sequence, snapshot, sha256, steps_done, created_at FROM checkpoints
                    WHERE unit_id = ? AND sequence = ?
                    """, arguments: [unitID.rawValue, sequence]).map(Checkpoint.init(row:))
            }
            guard let checkpoint = found else { continue }  // pruned meanwhile by a newer one
            let actual = SHA256.hexDigest(checkpoint.snapshot)
            if actual == checkpoint.sha256 { return CheckpointRecovery(checkpoint: checkpoint, skipped: skipped) }
            skipped.append(CorruptCheckpoint(
                unitID: unitID, sequence: checkpoint.sequence, expectedSHA256: checkpoint.sha256, actualSHA256: actual))
        }
        return CheckpointRecovery(checkpoint: nil, skipped: skipped)
    }
}
