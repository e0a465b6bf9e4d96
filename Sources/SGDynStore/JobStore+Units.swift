import Foundation
import GRDB

extension JobStore {
    /// All units of a job, by index.
    public func units(of jobID: JobID) async throws -> [UnitRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(UnitRecord.columns) FROM units WHERE job_id = ? ORDER BY unit_index
                """, arguments: [jobID.rawValue]).map(UnitRecord.init(row:))
        }
    }

    /// The units of a job still to be (re)started, by index.
    public func runnableUnits(of jobID: JobID) async throws -> [UnitRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(UnitRecord.columns) FROM units
                WHERE job_id = ? AND state IN (\(sqlList(UnitState.runnable))) ORDER BY unit_index
                """, arguments: [jobID.rawValue]).map(UnitRecord.init(row:))
        }
    }

    public func unit(_ id: UnitID) async throws -> UnitRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(UnitRecord.columns) FROM units WHERE id = ?", arguments: [id.rawValue])
                .map(UnitRecord.init(row:))
        }
    }

    /// The stored records of a finished unit (a records-only snapshot, opaque to the store), or
    /// nil when it has none. One unit at a time, so that a reader holds one unit's bytes at once.
    public func unitResult(_ id: UnitID) async throws -> [UInt8]? {
        try await read { db in
            try (Data.fetchOne(db, sql: "SELECT result FROM units WHERE id = ?", arguments: [id.rawValue])).map { [UInt8]($0) }
        }
    }

    /// Progress of many running units in one transaction (one fsync however many units reported).
    public func recordProgress(_ progress: [UnitID: (stepsDone: Int64, wallSeconds: Double, latestEg: Double?)]) async throws {
        guard !progress.isEmpty else { return }
        try await write { db in
            for (unit, p) in progress {
                try db.execute(sql: """
                    UPDATE units SET steps_done = MIN(?, total_steps), wall_seconds = ?, latest_eg = COALESCE(?, latest_eg)
                    WHERE id = ? AND state = 'running'
                    """, arguments: [p.stepsDone, p.wallSeconds, p.latestEg, unit.rawValue])
            }
        }
    }

    /// Running units whose task ended without them finishing: they become interrupted (and resume
    /// from their last checkpoint); with `crashed`, each counts one more crash.
    public func interruptUnits(_ units: [UnitID], crashed: Bool, reason: String?) async throws {
        guard !units.isEmpty else { return }
        let list = units.map { String($0.rawValue) }.joined(separator: ",")
        try await write { db in
            try db.execute(sql: """
                UPDATE units SET state = 'interrupted', executor_state = NULL, crashes = crashes + ?, error = COALESCE(?, error)
                WHERE id IN (\(list)) AND state = 'running'
                """, arguments: [crashed ? 1 : 0, reason])
        }
    }

    /// The executor's own word for each unit's state (Slurm: PENDING, RUNNING, …), for status.
    public func recordExecutorStates(_ states: [UnitID: String]) async throws {
        guard !states.isEmpty else { return }
        try await write { db in
            for (unit, state) in states {
                try db.execute(sql: "UPDATE units SET executor_state = ? WHERE id = ?", arguments: [state, unit.rawValue])
            }
        }
    }

    /// A running unit finished: its result (records; opaque to the store), and when it diverged.
    public func completeUnit(_ unitID: UnitID, result: [UInt8], divergedAt: Double?, stepsDone: Int64, wallSeconds: Double,
                             latestEg: Double?) async throws {
        try await updateUnit(
            unitID, allowedFrom: [.running], to: .done,
            sql: """
                state = 'done', steps_done = CASE WHEN ? IS NULL THEN total_steps ELSE MIN(?, total_steps) END, result = ?,
                diverged_at = ?, wall_seconds = ?, latest_eg = COALESCE(?, latest_eg), executor_state = NULL
                """,
            arguments: [divergedAt, stepsDone, Data(result), divergedAt, wallSeconds, latestEg])
    }

    /// A unit that cannot be computed at all (its work cannot be read, or its worker reported a
    /// failure that retrying cannot fix), for `reason`.
    public func failUnit(_ unitID: UnitID, reason: String) async throws {
        try await updateUnit(
            unitID, allowedFrom: [.queued, .running, .interrupted], to: .failed,
            sql: "state = 'failed', error = ?, executor_state = NULL", arguments: [reason])
    }

    func updateUnit(
        _ unitID: UnitID, allowedFrom allowed: Set<UnitState>, to target: UnitState, sql assignments: String,
        arguments: StatementArguments
    ) async throws {
        try await write { db in
            let state = try Self.currentState(of: unitID, db)
            guard allowed.contains(state) else {
                throw JobStoreError.invalidUnitTransition(unit: unitID, from: state, to: target)
            }
            try db.execute(sql: "UPDATE units SET \(assignments) WHERE id = ?", arguments: arguments + [unitID.rawValue])
        }
    }

    static func currentState(of unitID: UnitID, _ db: Database) throws -> UnitState {
        guard let raw = try String.fetchOne(db, sql: "SELECT state FROM units WHERE id = ?", arguments: [unitID.rawValue])
        else { throw JobStoreError.unknownUnit(unitID) }
        guard let state = UnitState(rawValue: raw) else { throw JobStoreError.corruptValue("unit state '\(raw)'") }
        return state
    }
}
