import Foundation
import GRDB

// Rows are decoded by hand so the public record types need no GRDB conformances (which would make
// every client import GRDB).

extension JobRecord {
    static let columns = """
        id, name, bundle_name, state, outcome, priority, submitted_at, claimed_name, job_bytes, job_sha256, spec, attempts,
        resumes, error, rejection_message, rejection_key, rejection_line, rejection_column, bundle_path, cancel_requested,
        publish_requested, publish_attempts, publish_after, executor, created_at, updated_at
        """

    init(row: Row) throws {
        id = JobID(row["id"])
        name = row["name"]
        bundleName = row["bundle_name"]
        state = try decode(row["state"])
        outcome = try (row["outcome"] as String?).map(decode)
        priority = row["priority"]
        submittedAt = row["submitted_at"]
        claimedName = row["claimed_name"]
        jobBytes = [UInt8]((row["job_bytes"] as Data?) ?? Data())
        jobSHA256 = row["job_sha256"]
        spec = (row["spec"] as Data?).map { [UInt8]($0) }
        attempts = row["attempts"]
        resumes = row["resumes"]
        error = row["error"]
        rejection = (row["rejection_message"] as String?).map { message in
            Rejection(message: message, key: row["rejection_key"], line: row["rejection_line"], column: row["rejection_column"])
        }
        bundlePath = row["bundle_path"]
        cancelRequested = row["cancel_requested"]
        publishRequested = row["publish_requested"]
        publishAttempts = row["publish_attempts"]
        publishAfter = row["publish_after"]
        executor = row["executor"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }
}

extension UnitRecord {
    static let columns = """
        id, job_id, unit_index, kind, point_index, seed, spec, state, steps_done, total_steps, result IS NOT NULL AS has_result, diverged_at,
        wall_seconds, latest_eg, crashes, attempt, executor_state, error
        """

    init(row: Row) throws {
        id = UnitID(row["id"])
        jobID = JobID(row["job_id"])
        index = row["unit_index"]
        kind = try decode(row["kind"])
        pointIndex = row["point_index"]
        seed = (row["seed"] as Int64?).map { UInt64(bitPattern: $0) }
        spec = (row["spec"] as Data?).map { [UInt8]($0) }
        state = try decode(row["state"])
        stepsDone = row["steps_done"]
        totalSteps = row["total_steps"]
        hasResult = row["has_result"]
        divergedAt = row["diverged_at"]
        wallSeconds = row["wall_seconds"]
        latestEg = row["latest_eg"]
        crashes = row["crashes"]
        attempt = row["attempt"]
        executorState = row["executor_state"]
        error = row["error"]
    }
}

extension JobSummary {
    init(row: Row) throws {
        id = JobID(row["id"])
        name = row["name"]
        bundleName = row["bundle_name"]
        state = try decode(row["state"])
        outcome = try (row["outcome"] as String?).map(decode)
        priority = row["priority"]
        submittedAt = row["submitted_at"]
        attempts = row["attempts"]
        resumes = row["resumes"]
        error = row["error"]
        bundlePath = row["bundle_path"]
        cancelRequested = row["cancel_requested"]
        publishAttempts = row["publish_attempts"]
        publishAfter = row["publish_after"]
        executor = row["executor"]
        externalID = row["external_id"]
        updatedAt = row["updated_at"]
        unitCount = row["unit_count"]
        unitsRunning = row["units_running"]
        unitsDone = row["units_done"]
        stepsDone = row["steps_done"]
        totalSteps = row["total_steps"]
        wallSeconds = row["wall_seconds"]
        latestEg = row["latest_eg"]
    }
}

extension SubmissionRecord {
    static let columns = "id, job_id, executor, token, external_id, state, tasks, created_at, ended_at, spool"

    init(row: Row) throws {
        id = SubmissionID(row["id"])
        jobID = JobID(row["job_id"])
        executor = row["executor"]
        token = row["token"]
        externalID = row["external_id"]
        state = try decode(row["state"])
        tasks = try JobStore.decodeTasks(row["tasks"])
        createdAt = row["created_at"]
        endedAt = row["ended_at"]
        spool = row["spool"]
    }
}

extension Checkpoint {
    init(row: Row) {
        unitID = UnitID(row["unit_id"])
        sequence = row["sequence"]
        snapshot = [UInt8]((row["snapshot"] as Data?) ?? Data())
        sha256 = row["sha256"]
        stepsDone = row["steps_done"]
        createdAt = row["created_at"]
    }
}

private func decode<Value: RawRepresentable<String>>(_ raw: String) throws -> Value {
    guard let value = Value(rawValue: raw) else { throw JobStoreError.corruptValue("'\(raw)'") }
    return value
}
