import Foundation
import GRDB

extension JobStore {
    /// Hands some runnable units of a job to an executor, in one transaction and BEFORE anything is
    /// started: records the submission (`submitting`, with `token`), counts the job's attempt, marks
    /// the job and the units running and gives each unit its next attempt number (which names its
    /// spool folder). A run that crashes the worker or the machine is still counted; one the daemon
    /// did not live to hand over is found again by its token at the next start.
    public func beginSubmission(_ jobID: JobID, executor: String, token: String, tasks: [[UnitID]], spool: String? = nil) async throws
        -> (SubmissionID, RunStart)
    {
        let timestamp = now()
        return try await write { db in
            let state = try Self.currentState(of: jobID, db)
            guard JobState.runnable.contains(state) || state == .running else {
                throw JobStoreError.invalidTransition(job: jobID, from: state, to: .running)
            }
            let unitIDs = tasks.flatMap { $0 }
            let idList = unitIDs.map { String($0.rawValue) }.joined(separator: ",")
            let runnable = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM units WHERE job_id = ? AND id IN (\(idList)) AND state IN (\(sqlList(UnitState.runnable)))
                """, arguments: [jobID.rawValue]) ?? 0
            guard runnable == unitIDs.count, !unitIDs.isEmpty else {
                throw JobStoreError.corruptValue("submission of \(unitIDs.count) unit(s) of job \(jobID), of which \(runnable) are runnable")
            }
            let isResume = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM checkpoints WHERE unit_id IN (\(idList)))
                """) ?? false
            try db.execute(sql: """
                INSERT INTO submissions (job_id, executor, token, state, tasks, created_at, spool) VALUES (?, ?, ?, 'submitting', ?, ?, ?)
                """, arguments: [jobID.rawValue, executor, token, Self.encodeTasks(tasks), timestamp, spool])
            let submission = db.lastInsertedRowID
            try db.execute(sql: """
                UPDATE jobs SET state = 'running', attempts = attempts + 1, resumes = resumes + ?, executor = ?, updated_at = ?
                WHERE id = ?
                """, arguments: [isResume ? 1 : 0, executor, timestamp, jobID.rawValue])
            try db.execute(sql: """
                UPDATE units SET state = 'running', attempt = attempt + 1, submission_id = ?, executor_state = NULL
                WHERE id IN (\(idList))
                """, arguments: [submission])
            let attempt = try Int.fetchOne(db, sql: "SELECT attempts FROM jobs WHERE id = ?", arguments: [jobID.rawValue]) ?? 0
            let units = try Row.fetchAll(db, sql: """
                SELECT \(UnitRecord.columns) FROM units WHERE id IN (\(idList)) ORDER BY unit_index
                """).map(UnitRecord.init(row:))
            return (SubmissionID(submission), RunStart(jobID: jobID, attempt: attempt, isResume: isResume, units: units))
        }
    }

    /// The executor took the submission and calls it `externalID` (the Slurm array's job id).
    public func activateSubmission(_ id: SubmissionID, externalID: String?) async throws {
        try await write { db in
            try db.execute(sql: """
                UPDATE submissions SET state = 'active', external_id = COALESCE(?, external_id) WHERE id = ? AND state <> 'ended'
                """, arguments: [externalID, id.rawValue])
        }
    }

    /// A submission is over (its tasks ended, or it never reached the executor): its units that are
    /// still running become interrupted (they resume from their checkpoints), those in `crashed`
    /// with one more crash. Returns the job as it now is, with the number of its submissions still
    /// going; the caller decides what the job does next (`settle` or `requeue`).
    public func endSubmission(_ id: SubmissionID, crashed: Set<UnitID>, reason: String?) async throws -> (JobRecord, activeSubmissions: Int) {
        let timestamp = now()
        let crashedList = crashed.map { String($0.rawValue) }.joined(separator: ",")
        return try await write { db in
            guard let jobID = try Int64.fetchOne(db, sql: "SELECT job_id FROM submissions WHERE id = ?", arguments: [id.rawValue]) else {
                throw JobStoreError.corruptValue("no submission \(id)")
            }
            try db.execute(sql: "UPDATE submissions SET state = 'ended', ended_at = COALESCE(ended_at, ?) WHERE id = ?",
                           arguments: [timestamp, id.rawValue])
            if !crashed.isEmpty {
                try db.execute(sql: """
                    UPDATE units SET crashes = crashes + 1 WHERE submission_id = ? AND state = 'running' AND id IN (\(crashedList))
                    """, arguments: [id.rawValue])
            }
            try db.execute(sql: """
                UPDATE units SET state = 'interrupted', executor_state = NULL, error = COALESCE(?, error)
                WHERE submission_id = ? AND state = 'running'
                """, arguments: [reason, id.rawValue])
            try db.execute(sql: "UPDATE jobs SET updated_at = ? WHERE id = ?", arguments: [timestamp, jobID])
            let active = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM submissions WHERE job_id = ? AND state <> 'ended'
                """, arguments: [jobID]) ?? 0
            guard let job = try Row.fetchOne(db, sql: "SELECT \(JobRecord.columns) FROM jobs WHERE id = ?", arguments: [jobID])
                .map(JobRecord.init(row:)) else { throw JobStoreError.unknownJob(JobID(jobID)) }
            return (job, active)
        }
    }

    /// A running job whose submissions are all over and which still has work: back to the queue
    /// (`interrupted` when it was stopped on purpose, `queued` after a crash), `reason` kept as its
    /// error. It resumes from its units' checkpoints.
    public func requeue(_ jobID: JobID, interrupted: Bool, reason: String) async throws {
        try await transition(jobID, from: [.running], to: interrupted ? .interrupted : .queued, reason: reason) { _ in }
    }

    /// The job's outcome is decided: it goes to `publishing`. Units that had not finished become
    /// `cancelled` (for a cancellation) or `failed`.
    public func settle(_ jobID: JobID, outcome: JobOutcome, reason: String?) async throws {
        try await transition(jobID, from: JobState.active, to: .publishing, reason: reason) { db in
            try db.execute(sql: "UPDATE jobs SET outcome = ?, publish_attempts = 0, publish_after = NULL WHERE id = ?",
                           arguments: [outcome.rawValue, jobID.rawValue])
            try db.execute(sql: """
                UPDATE units SET state = ?, executor_state = NULL WHERE job_id = ? AND state IN ('queued','running','interrupted')
                """, arguments: [outcome == .cancelled ? UnitState.cancelled.rawValue : UnitState.failed.rawValue, jobID.rawValue])
        }
    }

    /// Start-up repair: runs that no open submission accounts for (left by sgdyn 0.1.0, or by a
    /// crash between two writes) — their running units become interrupted, and running jobs
    /// without an open submission go back to `interrupted`. Returns the jobs it changed.
    @discardableResult
    public func recoverOrphanedRuns(reason: String) async throws -> [JobID] {
        let timestamp = now()
        return try await write { db in
            try db.execute(sql: """
                UPDATE units SET state = 'interrupted', executor_state = NULL
                WHERE state = 'running' AND (submission_id IS NULL OR submission_id NOT IN
                    (SELECT id FROM submissions WHERE state <> 'ended'))
                """)
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM jobs WHERE state = 'running' AND id NOT IN (SELECT job_id FROM submissions WHERE state <> 'ended')
                ORDER BY id
                """)
            for id in ids {
                try db.execute(sql: "UPDATE jobs SET state = 'interrupted', error = ?, updated_at = ? WHERE id = ?",
                               arguments: [reason, timestamp, id])
            }
            return ids.map(JobID.init)
        }
    }

    /// The largest crash count among the job's units (quarantine follows it).
    public func maximumUnitCrashes(of jobID: JobID) async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(crashes), 0) FROM units WHERE job_id = ?", arguments: [jobID.rawValue]) ?? 0
        }
    }

    func transition(
        _ jobID: JobID, from allowed: Set<JobState>, to target: JobState, reason: String?,
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
                UPDATE jobs SET state = ?, error = COALESCE(?, error), updated_at = ? WHERE id = ?
                """, arguments: [target.rawValue, reason, timestamp, jobID.rawValue])
        }
    }

    static func currentState(of jobID: JobID, _ db: Database) throws -> JobState {
        guard let raw = try String.fetchOne(db, sql: "SELECT state FROM jobs WHERE id = ?", arguments: [jobID.rawValue])
        else { throw JobStoreError.unknownJob(jobID) }
        guard let state = JobState(rawValue: raw) else { throw JobStoreError.corruptValue("job state '\(raw)'") }
        return state
    }

    static func encodeTasks(_ tasks: [[UnitID]]) -> String {
        tasks.map { $0.map { String($0.rawValue) }.joined(separator: ",") }.joined(separator: ";")
    }

    static func decodeTasks(_ text: String) throws -> [[UnitID]] {
        guard !text.isEmpty else { return [] }
        return try text.split(separator: ";", omittingEmptySubsequences: false).map { task in
            try task.split(separator: ",").map { item in
                guard let id = Int64(item) else { throw JobStoreError.corruptValue("submission tasks '\(text)'") }
                return UnitID(id)
            }
        }
    }
}
