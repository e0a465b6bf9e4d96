import Foundation
import GRDB

// Rows are decoded by hand so the public record types need no GRDB conformances (which would make
// every client import GRDB).

extension JobRecord {
    static let columns = """
        id, name, bundle_name, state, priority, submitted_at, claimed_path, job_bytes, job_sha256,
        normalised_job_json, attempts, resumes, error, bundle_path, cancel_requested, created_at, updated_at, crashes
        """

    init(row: Row) throws {
        id = JobID(row["id"])
        name = row["name"]
        bundleName = row["bundle_name"]
        state = try decodeState(row["state"])
        priority = row["priority"]
        submittedAt = row["submitted_at"]
        claimedPath = row["claimed_path"]
        jobBytes = [UInt8]((row["job_bytes"] as Data?) ?? Data())
        jobSHA256 = row["job_sha256"]
        normalisedJobJSON = row["normalised_job_json"]
        attempts = row["attempts"]
        resumes = row["resumes"]
        crashes = row["crashes"]
        error = row["error"]
        bundlePath = row["bundle_path"]
        cancelRequested = row["cancel_requested"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }
}

extension UnitRecord {
    static let columns = """
        id, job_id, unit_index, parameters_json, state, steps_done, total_steps, result_json, wall_seconds, error
        """

    init(row: Row) throws {
        id = UnitID(row["id"])
        jobID = JobID(row["job_id"])
        index = row["unit_index"]
        parametersJSON = row["parameters_json"]
        state = try decodeState(row["state"])
        stepsDone = row["steps_done"]
        totalSteps = row["total_steps"]
        resultJSON = row["result_json"]
        wallSeconds = row["wall_seconds"]
        error = row["error"]
    }
}

extension JobSummary {
    init(row: Row) throws {
        id = JobID(row["id"])
        name = row["name"]
        bundleName = row["bundle_name"]
        state = try decodeState(row["state"])
        priority = row["priority"]
        submittedAt = row["submitted_at"]
        attempts = row["attempts"]
        resumes = row["resumes"]
        error = row["error"]
        bundlePath = row["bundle_path"]
        cancelRequested = row["cancel_requested"]
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

/// A state string the schema's CHECK constraint should have made impossible.
struct UnknownStateError: Error, CustomStringConvertible {
    var value: String
    var description: String { "unknown state '\(value)' in the job database" }
}

private func decodeState<State: RawRepresentable<String>>(_ value: String) throws -> State {
    guard let state = State(rawValue: value) else { throw UnknownStateError(value: value) }
    return state
}
