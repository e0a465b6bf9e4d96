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

    /// A worker started (or resumed) the unit.
    public func markUnitRunning(_ unitID: UnitID) async throws {
        try await updateUnit(unitID, allowedFrom: UnitState.runnable, to: .running, sql: "state = 'running'", arguments: [])
    }

    /// Progress of a running unit, for `sgdyn status` and ETAs; `latestEg` is its most recently
    /// recorded generalisation error (kept when nil).
    public func recordUnitProgress(_ unitID: UnitID, stepsDone: Int64, wallSeconds: Double, latestEg: Double? = nil) async throws {
        try await updateUnit(
            unitID, allowedFrom: [.running], to: .running,
            sql: "steps_done = ?, wall_seconds = ?, latest_eg = COALESCE(?, latest_eg)", arguments: [stepsDone, wallSeconds, latestEg])
    }

    /// A running unit finished; `resultJSON` is its result, opaque to the store.
    public func completeUnit(_ unitID: UnitID, resultJSON: String, wallSeconds: Double) async throws {
        try await updateUnit(
            unitID, allowedFrom: [.running], to: .done,
            sql: "state = 'done', steps_done = total_steps, result_json = ?, wall_seconds = ?",
            arguments: [resultJSON, wallSeconds])
    }

    /// A unit failed on its own (e.g. the simulation diverged) for `reason`.
    public func failUnit(_ unitID: UnitID, reason: String) async throws {
        try await updateUnit(
            unitID, allowedFrom: [.queued, .running, .interrupted], to: .failed,
            sql: "state = 'failed', error = ?", arguments: [reason])
    }

    private func updateUnit(
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
        guard let state = UnitState(rawValue: raw) else { throw UnknownStateError(value: raw) }
        return state
    }
}
