import SGDynCore

/// The readers of the keys whose values are more than a number, string or choice.
extension JobReader where Value == String {
    static let jobName = JobReader(summary: "1 to 64 characters from A–Z, a–z, 0–9, `.`, `_`, `-`, not starting with `.`") {
        value, key throws(JobError) in
        let s = try JobValues.string(value, key)
        guard JobDraft.isValidName(s) else {
            throw JobError("must be 1 to 64 characters from A–Z, a–z, 0–9, '.', '_', '-' (not starting with '.'), got \(value.literal)", key: key)
        }
        return s
    }
}

extension JobReader where Value == TeacherSecondLayer {
    static let teacherSecondLayer = JobReader(summary: "one of \"ones\", \"random\", \"normalise\", \"meanfield\", \"mix\", or a number") {
        value, key throws(JobError) in try JobValues.teacherSecondLayer(value, key)
    }
}

extension JobReader where Value == [UInt64] {
    static let seeds = JobReader(summary: "a number n from 1 to \(JobLimits.maxRuns), or a non-empty list of distinct integers ≥ 0") {
        value, key throws(JobError) in try JobValues.seeds(value, key)
    }
}

extension JobReader where Value == JSONValue {
    /// Explicit initial conditions are only checked for being an object here; their shapes depend
    /// on K and M, so `JobDraft.parseInitial` reads them once the whole job is known.
    static let initialConditions = JobReader(summary: "an object with the keys " + JobSchema.initialKeys.map { "`\($0.name)`" }.joined(separator: ", ")) {
        value, key throws(JobError) in
        guard case .object = value else { throw JobError("must be an object {\"Q\", \"R\", \"T\", \"v\", \"vstar\"}", key: key) }
        return value
    }
}
