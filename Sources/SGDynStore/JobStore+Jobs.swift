import Foundation
import GRDB
import SGDynCore

extension JobStore {
    /// Records a claimed job and all its units in one transaction, unless a byte-identical job
    /// (same SHA-256 of the submitted bytes) is still queued, running or interrupted — then it
    /// stores nothing and names that job. The check and the insert are atomic.
    public func insertJob(_ job: NewJob) async throws -> InsertOutcome {
        let sha256 = SHA256.hexDigest(job.jobBytes)
        let timestamp = now()
        return try await write { db in
            if let existing = try Row.fetchOne(db, sql: """
                SELECT id, name FROM jobs WHERE job_sha256 = ? AND state IN (\(sqlList(JobState.active)))
                ORDER BY id LIMIT 1
                """, arguments: [sha256]) {
                return .duplicate(of: JobID(existing["id"]), name: existing["name"])
            }
            try db.execute(sql: """
                INSERT INTO jobs (name, bundle_name, state, priority, submitted_at, claimed_name, job_bytes,
                                  job_sha256, spec, created_at, updated_at)
                VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    job.name, job.bundleName, job.priority, job.submittedAt, job.claimedName, Data(job.jobBytes),
                    sha256, Data(job.spec), timestamp, timestamp,
                ])
            let jobID = db.lastInsertedRowID
            for (index, unit) in job.units.enumerated() {
                try db.execute(sql: """
                    INSERT INTO units (job_id, unit_index, kind, point_index, seed, spec, state, total_steps)
                    VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)
                    """, arguments: [jobID, index, unit.kind.rawValue, unit.pointIndex, unit.seed.map { Int64(bitPattern: $0) },
                                     Data(unit.spec), unit.totalSteps])
            }
            return .inserted(JobID(jobID))
        }
    }

    /// Records a claimed file that is not a job; it goes straight to `publishing` (outcome
    /// `rejected`), so its bundle is written by the same retried path as every other.
    @discardableResult
    public func insertRejection(_ rejection: NewRejection) async throws -> JobID {
        let sha256 = SHA256.hexDigest(rejection.jobBytes)
        let timestamp = now()
        return try await write { db in
            try db.execute(sql: """
                INSERT INTO jobs (name, bundle_name, state, outcome, priority, submitted_at, claimed_name, job_bytes, job_sha256,
                                  rejection_message, rejection_key, rejection_line, rejection_column, error, created_at, updated_at)
                VALUES (?, ?, 'publishing', 'rejected', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    rejection.bundleName, rejection.bundleName, rejection.submittedAt, rejection.claimedName,
                    Data(rejection.jobBytes), sha256, rejection.rejection.message, rejection.rejection.key,
                    rejection.rejection.line, rejection.rejection.column, rejection.rejection.message, timestamp, timestamp,
                ])
            return JobID(db.lastInsertedRowID)
        }
    }

    /// The job the scheduler should start next: queued or interrupted, not asked to cancel,
    /// highest priority first, then first-come (submission time, then arrival order).
    /// `excluding` skips jobs the caller cannot start now.
    public func nextRunnableJob(excluding skipped: Set<JobID> = []) async throws -> JobRecord? {
        let skippedList = skipped.map { String($0.rawValue) }.joined(separator: ",")
        return try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT \(JobRecord.columns) FROM jobs
                WHERE state IN (\(sqlList(JobState.runnable))) AND cancel_requested = 0
                \(skipped.isEmpty ? "" : "AND id NOT IN (\(skippedList))")
                ORDER BY priority DESC, submitted_at ASC, id ASC LIMIT 1
                """).map(JobRecord.init(row:))
        }
    }

    public func job(_ id: JobID) async throws -> JobRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(JobRecord.columns) FROM jobs WHERE id = ?", arguments: [id.rawValue])
                .map(JobRecord.init(row:))
        }
    }

    /// Every job in these states, oldest first.
    public func jobs(in states: Set<JobState>) async throws -> [JobRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(JobRecord.columns) FROM jobs WHERE state IN (\(sqlList(states))) ORDER BY id
                """).map(JobRecord.init(row:))
        }
    }

    /// Jobs of sgdyn 0.1.0 whose validated form has not been stored yet (converted at start-up).
    public func jobsWithoutSpec() async throws -> [JobRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(JobRecord.columns) FROM jobs WHERE spec IS NULL AND outcome IS NOT 'rejected' ORDER BY id
                """).map(JobRecord.init(row:))
        }
    }

    /// Stores the validated form of a 0.1.0 job and its units' work, point and seed (by unit index),
    /// adding the units 0.1.0 did not have (it integrated ODEs while publishing).
    public func convertLegacyJob(_ id: JobID, spec: [UInt8], units: [NewUnit]) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE jobs SET spec = ? WHERE id = ?", arguments: [Data(spec), id.rawValue])
            let existing = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM units WHERE job_id = ?", arguments: [id.rawValue]) ?? 0
            for (index, unit) in units.enumerated() {
                let seed = unit.seed.map { Int64(bitPattern: $0) }
                if index < existing {
                    try db.execute(sql: """
                        UPDATE units SET kind = ?, point_index = ?, seed = ?, spec = ?, total_steps = ?, legacy_parameters_json = NULL
                        WHERE job_id = ? AND unit_index = ?
                        """, arguments: [unit.kind.rawValue, unit.pointIndex, seed, Data(unit.spec), unit.totalSteps, id.rawValue, index])
                } else {
                    try db.execute(sql: """
                        INSERT INTO units (job_id, unit_index, kind, point_index, seed, spec, state, total_steps)
                        VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)
                        """, arguments: [id.rawValue, index, unit.kind.rawValue, unit.pointIndex, seed, Data(unit.spec), unit.totalSteps])
                }
            }
        }
    }

    /// Asks every unfinished job submitted as, or bundled as, `name` to cancel. Returns the jobs
    /// that were flagged (empty: no such unfinished job); the scheduler acts on the flag.
    @discardableResult
    public func requestCancel(name: String) async throws -> [JobID] {
        let timestamp = now()
        return try await write { db in
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM jobs WHERE (name = ? OR bundle_name = ?) AND state IN (\(sqlList(JobState.active)))
                ORDER BY id
                """, arguments: [name, name])
            for id in ids {
                try db.execute(sql: "UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?", arguments: [timestamp, id])
            }
            return ids.map(JobID.init)
        }
    }

    /// Unfinished jobs flagged for cancellation, e.g. to act on flags set while the daemon was down.
    public func pendingCancellations() async throws -> [JobRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(JobRecord.columns) FROM jobs
                WHERE cancel_requested = 1 AND state IN (\(sqlList(JobState.active))) ORDER BY id
                """).map(JobRecord.init(row:))
        }
    }

    /// The number of jobs in each state, every state present (for systemd's STATUS= line).
    public func countsByState() async throws -> [JobState: Int] {
        try await read { db in
            var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
                if let state = JobState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// Every job with its unit progress, in submission order, for `sgdyn status`. A unit counts as
    /// running once it computes: handed to an executor but still waiting for a thread (`WAITING`)
    /// or in Slurm's queue (`PENDING`) it does not.
    public func listJobs() async throws -> [JobSummary] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT j.id, j.name, j.bundle_name, j.state, j.outcome, j.priority, j.submitted_at, j.attempts, j.resumes,
                       j.error, j.bundle_path, j.cancel_requested, j.publish_attempts, j.publish_after, j.executor, j.updated_at,
                       (SELECT external_id FROM submissions s WHERE s.job_id = j.id AND s.state <> 'ended'
                        ORDER BY s.id DESC LIMIT 1) AS external_id,
                       COUNT(u.id) AS unit_count,
                       COALESCE(SUM(u.state = 'running' AND COALESCE(u.executor_state, '') NOT IN ('WAITING', 'PENDING')), 0) AS units_running,
                       COALESCE(SUM(u.state = 'done'), 0) AS units_done,
                       COALESCE(SUM(u.steps_done), 0) AS steps_done,
                       COALESCE(SUM(u.total_steps), 0) AS total_steps,
                       COALESCE(SUM(u.wall_seconds), 0) AS wall_seconds,
                       AVG(u.latest_eg) AS latest_eg
                FROM jobs j LEFT JOIN units u ON u.job_id = j.id
                GROUP BY j.id ORDER BY j.id
                """).map(JobSummary.init(row:))
        }
    }

    /// Per job, how many of its unfinished units are in each executor state (Slurm's PENDING,
    /// RUNNING, …, and STALLED for silent units), for `sgdyn status`.
    public func executorStateCounts() async throws -> [JobID: [String: Int]] {
        try await read { db in
            var counts: [JobID: [String: Int]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT job_id, executor_state, COUNT(*) AS n FROM units
                WHERE executor_state IS NOT NULL AND state IN ('queued','running','interrupted')
                GROUP BY job_id, executor_state
                """) {
                counts[JobID(row["job_id"]), default: [:]][row["executor_state"]] = row["n"]
            }
            return counts
        }
    }

    /// The job of this name (submitted or bundle name), newest first.
    public func jobs(named name: String) async throws -> [JobRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(JobRecord.columns) FROM jobs WHERE name = ? OR bundle_name = ? ORDER BY id DESC
                """, arguments: [name, name]).map(JobRecord.init(row:))
        }
    }

    /// The claimed-file names of all recorded jobs, to reconcile `state/claimed/` with the database
    /// at start-up (a claimed file with no row was claimed but not recorded before a crash).
    public func knownClaimedNames() async throws -> Set<String> {
        try await read { db in Set(try String.fetchAll(db, sql: "SELECT claimed_name FROM jobs")) }
    }
}
