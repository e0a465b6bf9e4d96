import Foundation
import GRDB
import SGDynCore

extension JobStore {
    /// Records a claimed job and all its units in one transaction, unless a byte-identical job
    /// (same SHA-256 of the submitted bytes) is still queued, running or interrupted — then it
    /// stores nothing and names that job. The check and the insert are atomic.
    public func insertClaimedJob(_ job: NewJob) async throws -> InsertOutcome {
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
                INSERT INTO jobs (name, bundle_name, state, priority, submitted_at, claimed_path, job_bytes,
                                  job_sha256, normalised_job_json, created_at, updated_at)
                VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    job.name, job.bundleName, job.priority, job.submittedAt, job.claimedPath, Data(job.jobBytes),
                    sha256, job.normalisedJobJSON, timestamp, timestamp,
                ])
            let jobID = db.lastInsertedRowID
            for (index, unit) in job.units.enumerated() {
                try db.execute(sql: """
                    INSERT INTO units (job_id, unit_index, parameters_json, state, total_steps)
                    VALUES (?, ?, ?, 'queued', ?)
                    """, arguments: [jobID, index, unit.parametersJSON, unit.totalSteps])
            }
            return .inserted(JobID(jobID))
        }
    }

    /// The queued, running or interrupted job whose submitted bytes have this SHA-256, if any.
    public func activeJob(withSHA256 sha256: String) async throws -> JobRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT \(JobRecord.columns) FROM jobs
                WHERE job_sha256 = ? AND state IN (\(sqlList(JobState.active))) ORDER BY id LIMIT 1
                """, arguments: [sha256]).map(JobRecord.init(row:))
        }
    }

    /// The job the scheduler should start next: queued or interrupted, not asked to cancel,
    /// highest priority first, then first-come (submission time, then arrival order).
    public func nextRunnableJob() async throws -> JobRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT \(JobRecord.columns) FROM jobs
                WHERE state IN (\(sqlList(JobState.runnable))) AND cancel_requested = 0
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
                try db.execute(
                    sql: "UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?",
                    arguments: [timestamp, id])
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

    /// Every job with its unit progress, in submission order, for `sgdyn status`.
    public func listJobs() async throws -> [JobSummary] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT j.id, j.name, j.bundle_name, j.state, j.priority, j.submitted_at, j.attempts, j.resumes,
                       j.error, j.bundle_path, j.cancel_requested, j.updated_at,
                       COUNT(u.id) AS unit_count,
                       COALESCE(SUM(u.state = 'running'), 0) AS units_running,
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

    /// The claimed paths of all recorded jobs, to reconcile `state/claimed/` with the database at
    /// start-up (a claimed file with no row was claimed but not recorded before a crash).
    public func knownClaimedPaths() async throws -> Set<String> {
        try await read { db in Set(try String.fetchAll(db, sql: "SELECT claimed_path FROM jobs")) }
    }
}

/// States as an SQL list literal; safe to splice because the values come from the enums.
func sqlList<State: RawRepresentable<String>>(_ states: Set<State>) -> String {
    states.map { "'\($0.rawValue)'" }.sorted().joined(separator: ",")
}
