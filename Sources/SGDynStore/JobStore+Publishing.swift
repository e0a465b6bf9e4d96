import Foundation
import GRDB

extension JobStore {
    /// Jobs whose bundle is to be written now: in `publishing`, and not waiting out a backoff.
    public func jobsToPublish() async throws -> [JobRecord] {
        let timestamp = now()
        return try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(JobRecord.columns) FROM jobs
                WHERE state = 'publishing' AND (publish_after IS NULL OR publish_after <= ?) ORDER BY id
                """, arguments: [timestamp]).map(JobRecord.init(row:))
        }
    }

    /// The bundle is written: the job takes its final state, and its checkpoints (no longer needed:
    /// the results are in the bundle and in the units) are dropped.
    public func markPublished(_ jobID: JobID, bundlePath: String) async throws {
        let timestamp = now()
        try await write { db in
            let state = try Self.currentState(of: jobID, db)
            guard state == .publishing,
                  let raw = try String.fetchOne(db, sql: "SELECT outcome FROM jobs WHERE id = ?", arguments: [jobID.rawValue]),
                  let outcome = JobOutcome(rawValue: raw)
            else { throw JobStoreError.invalidTransition(job: jobID, from: state, to: .done) }
            try db.execute(sql: """
                UPDATE jobs SET state = ?, bundle_path = ?, publish_after = NULL, publish_requested = 0, updated_at = ? WHERE id = ?
                """, arguments: [outcome.finalState.rawValue, bundlePath, timestamp, jobID.rawValue])
            try db.execute(sql: "DELETE FROM checkpoints WHERE unit_id IN (SELECT id FROM units WHERE job_id = ?)",
                           arguments: [jobID.rawValue])
        }
    }

    /// Writing the bundle failed for a reason that may pass (a permission, a full disk, a
    /// read-only outbox): try again at `retryAt`. Returns the number of failed attempts so far.
    @discardableResult
    public func postponePublishing(_ jobID: JobID, error: String, retryAt: Date) async throws -> Int {
        let timestamp = now()
        return try await write { db in
            let state = try Self.currentState(of: jobID, db)
            guard state == .publishing else { throw JobStoreError.invalidTransition(job: jobID, from: state, to: .publishing) }
            try db.execute(sql: """
                UPDATE jobs SET publish_attempts = publish_attempts + 1, publish_after = ?, error = ?, updated_at = ? WHERE id = ?
                """, arguments: [retryAt, error, timestamp, jobID.rawValue])
            return try Int.fetchOne(db, sql: "SELECT publish_attempts FROM jobs WHERE id = ?", arguments: [jobID.rawValue]) ?? 0
        }
    }

    /// Writing the bundle failed for a reason retrying cannot fix: the job is `unpublished`; its
    /// units' data stay in the store until `requestPublish` (`sgdyn publish NAME`).
    public func markUnpublished(_ jobID: JobID, error: String) async throws {
        try await transition(jobID, from: [.publishing], to: .unpublished, reason: error) { _ in }
    }

    /// `sgdyn publish NAME`: unpublished jobs of that name go back to `publishing`, and one waiting
    /// out a backoff is tried at once. Returns the jobs concerned (empty: none of that name).
    @discardableResult
    public func requestPublish(name: String) async throws -> [JobID] {
        let timestamp = now()
        return try await write { db in
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM jobs WHERE (name = ? OR bundle_name = ?) AND state IN ('unpublished', 'publishing') ORDER BY id
                """, arguments: [name, name])
            for id in ids {
                try db.execute(sql: """
                    UPDATE jobs SET state = 'publishing', publish_after = NULL, publish_attempts = 0, publish_requested = 1,
                                    updated_at = ? WHERE id = ?
                    """, arguments: [timestamp, id])
            }
            return ids.map(JobID.init)
        }
    }

    /// `sgdyn publish NAME` for a job already published whose bundle is gone (deleted by hand):
    /// back to `publishing` with its outcome, so its bundle is written again from the units'
    /// results, which the store keeps. Returns false when the job is not in a final state.
    @discardableResult
    public func requestRepublish(_ jobID: JobID) async throws -> Bool {
        let timestamp = now()
        return try await write { db in
            let finals = JobOutcome.allCases.map { "'\($0.finalState.rawValue)'" }.joined(separator: ",")
            try db.execute(sql: """
                UPDATE jobs SET state = 'publishing', publish_after = NULL, publish_attempts = 0, publish_requested = 1, updated_at = ?
                WHERE id = ? AND outcome IS NOT NULL AND state IN (\(finals))
                """, arguments: [timestamp, jobID.rawValue])
            return db.changesCount > 0
        }
    }
}
