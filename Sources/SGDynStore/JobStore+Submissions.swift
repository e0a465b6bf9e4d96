import Foundation
import GRDB

extension JobStore {
    /// Submissions not yet ended (`submitting` or `active`), oldest first: what the executors must
    /// follow, or adopt after a restart.
    public func openSubmissions() async throws -> [SubmissionRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(SubmissionRecord.columns) FROM submissions WHERE state <> 'ended' ORDER BY id
                """).map(SubmissionRecord.init(row:))
        }
    }

    public func submission(_ id: SubmissionID) async throws -> SubmissionRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(SubmissionRecord.columns) FROM submissions WHERE id = ?", arguments: [id.rawValue])
                .map(SubmissionRecord.init(row:))
        }
    }

    /// The units of a submission, by unit index.
    public func units(of submission: SubmissionID) async throws -> [UnitRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(UnitRecord.columns) FROM units WHERE submission_id = ? ORDER BY unit_index
                """, arguments: [submission.rawValue]).map(UnitRecord.init(row:))
        }
    }

    /// Every spool folder a job's submissions used (a restart with the spool moved leaves some in
    /// the old place), so they can be removed once it is published.
    public func spoolFolders(of job: JobID) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT spool FROM submissions WHERE job_id = ? AND spool IS NOT NULL",
                                arguments: [job.rawValue])
        }
    }
}
