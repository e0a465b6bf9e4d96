import Foundation
import GRDB

extension JobStore {
    /// Starts a run of a queued or interrupted job: counts the attempt and marks the job running in
    /// one transaction, BEFORE any work happens, so a run that crashes the worker (or the machine)
    /// is still counted and a job that keeps crashing can be quarantined.
    public func beginAttempt(_ jobID: JobID) async throws -> AttemptStart {
        let timestamp = now()
        return try await write { db in
            let state = try Self.currentState(of: jobID, db)
            guard JobState.runnable.contains(state) else {
                throw JobStoreError.invalidTransition(job: jobID, from: state, to: .running)
            }
            let isResume = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM checkpoints c JOIN units u ON c.unit_id = u.id WHERE u.job_id = ?)
                """, arguments: [jobID.rawValue]) ?? false
            try db.execute(sql: """
                UPDATE jobs SET state = 'running', attempts = attempts + 1, resumes = resumes + ?, updated_at = ?
                WHERE id = ?
                """, arguments: [isResume ? 1 : 0, timestamp, jobID.rawValue])
            let attempt = try Int.fetchOne(db, sql: "SELECT attempts FROM jobs WHERE id = ?", arguments: [jobID.rawValue]) ?? 0
            return AttemptStart(jobID: jobID, attempt: attempt, isResume: isResume)
        }
    }

    /// A running job finished and its bundle is at `bundlePath`. Every unit must be done.
    public func markDone(_ jobID: JobID, bundlePath: String) async throws {
        try await transition(jobID, from: [.running], to: .done, reason: nil, bundlePath: bundlePath) { db in
            let unfinished = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM units WHERE job_id = ? AND state <> 'done'
                """, arguments: [jobID.rawValue]) ?? 0
            guard unfinished == 0 else { throw JobStoreError.unitsUnfinished(job: jobID, count: unfinished) }
        }
    }

    /// The job failed for `reason` (its units that had not finished are marked failed too).
    public func markFailed(_ jobID: JobID, reason: String, bundlePath: String?) async throws {
        try await transition(jobID, from: JobState.active, to: .failed, reason: reason, bundlePath: bundlePath) { db in
            try Self.settleUnfinishedUnits(of: jobID, as: .failed, db)
        }
    }

    /// The job was cancelled; finished units keep their results, the others are marked cancelled.
    public func markCancelled(_ jobID: JobID, reason: String, bundlePath: String?) async throws {
        try await transition(jobID, from: JobState.active, to: .cancelled, reason: reason, bundlePath: bundlePath) { db in
            try Self.settleUnfinishedUnits(of: jobID, as: .cancelled, db)
        }
    }

    /// The job is set aside for good (e.g. it crashed its worker three times) so others can run.
    public func markQuarantined(_ jobID: JobID, reason: String, bundlePath: String? = nil) async throws {
        try await transition(jobID, from: JobState.active, to: .quarantined, reason: reason, bundlePath: bundlePath) { db in
            try Self.settleUnfinishedUnits(of: jobID, as: .failed, db)
        }
    }

    /// A running job was stopped on purpose (shutdown); its running units become interrupted and
    /// the job will resume from their checkpoints. It stays runnable.
    public func markInterrupted(_ jobID: JobID, reason: String) async throws {
        try await transition(jobID, from: [.running], to: .interrupted, reason: reason, bundlePath: nil) { db in
            try Self.interruptRunningUnits(of: jobID, db)
        }
    }

    /// A running job's worker died (trap, OOM kill): back to the queue; its running units become
    /// interrupted so they resume from their checkpoints. `reason` is kept as the job's error.
    public func requeue(_ jobID: JobID, reason: String) async throws {
        try await transition(jobID, from: [.running], to: .queued, reason: reason, bundlePath: nil) { db in
            try Self.interruptRunningUnits(of: jobID, db)
            try db.execute(sql: "UPDATE jobs SET crashes = crashes + 1 WHERE id = ?", arguments: [jobID.rawValue])
        }
    }

    /// Start-up recovery after a crash or `kill -9`: every job and unit still marked running is
    /// marked interrupted (and so runnable again). Returns the jobs it changed.
    @discardableResult
    public func recoverInterrupted(reason: String = "the daemon stopped while the job was running") async throws -> [JobID] {
        let timestamp = now()
        return try await write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM jobs WHERE state = 'running' ORDER BY id")
            try db.execute(sql: "UPDATE units SET state = 'interrupted' WHERE state = 'running'")
            try db.execute(
                sql: "UPDATE jobs SET state = 'interrupted', error = ?, updated_at = ? WHERE state = 'running'",
                arguments: [reason, timestamp])
            return ids.map(JobID.init)
        }
    }

    private func transition(
        _ jobID: JobID, from allowed: Set<JobState>, to target: JobState, reason: String?, bundlePath: String?,
        alsoDo extra: @escaping @Sendable (Database) throws -> Void
    ) async throws {
        let timestamp = now()
        try await write { db in
            let state = try Self.currentState(of: jobID, db)
            guard allowed.contains(state) else {
                throw JobStoreError.invalidTransition(job: jobID, from: state, to: target)
            }
            try extra(db)
            try db.execute(sql: """
                UPDATE jobs SET state = ?, error = COALESCE(?, error), bundle_path = COALESCE(?, bundle_path),
                                updated_at = ?
                WHERE id = ?
                """, arguments: [target.rawValue, reason, bundlePath, timestamp, jobID.rawValue])
        }
    }

    static func currentState(of jobID: JobID, _ db: Database) throws -> JobState {
        guard let raw = try String.fetchOne(db, sql: "SELECT state FROM jobs WHERE id = ?", arguments: [jobID.rawValue])
        else { throw JobStoreError.unknownJob(jobID) }
        guard let state = JobState(rawValue: raw) else { throw UnknownStateError(value: raw) }
        return state
    }

    private static func settleUnfinishedUnits(of jobID: JobID, as state: UnitState, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE units SET state = ? WHERE job_id = ? AND state IN ('queued','running','interrupted')",
            arguments: [state.rawValue, jobID.rawValue])
    }

    private static func interruptRunningUnits(of jobID: JobID, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE units SET state = 'interrupted' WHERE job_id = ? AND state = 'running'",
            arguments: [jobID.rawValue])
    }
}
