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

extension JobReader where Value == Int {
    /// A Slurm time limit, as whole seconds: a string in one of Slurm's forms or a number of minutes.
    static let slurmTimeLimit = JobReader(
        summary: "a number of minutes, or a string \"MM\", \"MM:SS\", \"HH:MM:SS\", \"D-HH\", \"D-HH:MM\" or \"D-HH:MM:SS\"; more than zero, at most 365 days"
    ) { value, key throws(JobError) in
        let forms = "minutes (a number), or a string \"MM\", \"MM:SS\", \"HH:MM:SS\", \"D-HH\", \"D-HH:MM\" or \"D-HH:MM:SS\" (hours below 24 after a day count, minutes and seconds below 60)"
        let seconds: Int
        switch value {
        case .number(let text):
            // Whole minutes, as Slurm counts them; a bounded integer so that ×60 cannot overflow.
            guard let minutes = try? JobValues.integer(value, key, min: 0, max: 1_000_000_000) else {
                throw JobError("must be a whole number of minutes (or a Slurm time string), got \(text)", key: key)
            }
            seconds = 60 * minutes
        case .string(let text):
            guard let s = SlurmRequest.seconds(fromTimeString: text) else {
                throw JobError("must be a Slurm time limit: \(forms), e.g. \"1-00:00:00\"; got \(value.literal)", key: key)
            }
            seconds = s
        default:
            throw JobError("must be a Slurm time limit: \(forms); got \(value.typeName) \(value.literal)", key: key)
        }
        guard seconds > 0 else {
            throw JobError("must be more than zero (to Slurm, 0 means no limit at all); got \(value.literal)", key: key)
        }
        guard seconds <= SlurmRequest.maxTimeLimitSeconds else {
            throw JobError("must be at most 365 days; got \(value.literal)", key: key)
        }
        return seconds
    }
}

extension JobReader where Value == String {
    static let slurmPartition = JobReader(summary: "1 to 64 characters from A–Z, a–z, 0–9, `.`, `_`, `-`") {
        value, key throws(JobError) in
        let s = try JobValues.string(value, key)
        guard (1...64).contains(s.utf8.count), s.utf8.allSatisfy({ JobDraft.isNameByte($0) }) else {
            throw JobError("must be a Slurm partition name of 1 to 64 characters from A–Z, a–z, 0–9, '.', '_', '-', got \(value.literal)", key: key)
        }
        return s
    }
}

extension JobReader where Value == WeightReference {
    /// `teacher_from` and `student_from`: a run of a bundle in the outbox (checked for its form
    /// here; its files are read when the job is about to run, `JobSpec.readingWeights`).
    static func weightReference(_ role: WeightReference.Role) -> JobReader {
        let forms = role == .teacher ? "`\"BUNDLE/seed-S\"` or `\"BUNDLE/POINT/seed-S\"`"
            : "`\"BUNDLE/seed-S\"` or `\"BUNDLE/POINT/seed-S\"`, optionally followed by `/final`"
        return JobReader(summary: "a string: a run of a bundle in the outbox, " + forms) { value, key throws(JobError) in
            try WeightReference(try JobValues.string(value, key), role: role)
        }
    }
}
