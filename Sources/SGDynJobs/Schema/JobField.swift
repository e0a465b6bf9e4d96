/// One key of a job file (or of an object inside one, such as `ode`): its name, how its value is
/// read and checked, its default, whether it may be swept, where the value goes, how it appears
/// in the normalised job, and its documentation. `JobSchema` lists them; parsing, validation,
/// normalisation, "did you mean" suggestions and docs/job-files.md are all derived from that list.
struct JobField<Target>: Sendable {
    let name: String
    /// Type and range as docs/job-files.md states them (the reader's own summary, unless overridden).
    let type: String
    /// The value a job file could give to get the default, or nil when the default is not a value
    /// of the key ("the file name", "= lr", "absent").
    let defaultValue: JSONValue?
    /// The default as docs/job-files.md states it.
    let defaultText: String
    let sweepable: Bool
    /// What the key means, for docs/job-files.md.
    let meaning: String
    /// Other names people use for the key; an unknown key equal to one gets "did you mean".
    let aliases: [String]
    /// Reads `value` into the target; `errorKey` is what errors call the key (`sweep.K` for a sweep value).
    let apply: @Sendable (inout Target, _ value: JSONValue, _ errorKey: String) throws(JobError) -> Void
    /// The key's entry in the normalised job; nil leaves the key out.
    let normalised: @Sendable (Target) -> JSONValue?

    /// A key read by `reader` and stored by `store`.
    init<Value>(_ name: String, _ reader: JobReader<Value>, type: String? = nil, default defaultValue: JSONValue?,
                defaultText: String? = nil, sweepable: Bool = false, aliases: [String] = [], meaning: String,
                store: @escaping @Sendable (inout Target, Value) -> Void,
                normalised: @escaping @Sendable (Target) -> JSONValue?) {
        self.name = name
        self.type = type ?? reader.summary
        self.defaultValue = defaultValue
        self.defaultText = defaultText ?? defaultValue.map { "`\($0.literal)`" } ?? "none"
        self.sweepable = sweepable
        self.meaning = meaning
        self.aliases = aliases
        self.apply = { target, value, errorKey throws(JobError) in store(&target, try reader.read(value, errorKey)) }
        self.normalised = normalised
    }
}

/// Reads one JSON value as a typed value, with the summary of what it accepts that both error
/// messages and the docs use.
struct JobReader<Value>: Sendable {
    /// What the reader accepts, e.g. "an integer ≥ 1".
    let summary: String
    let read: @Sendable (JSONValue, _ errorKey: String) throws(JobError) -> Value
}

extension JobReader where Value == Int {
    static func integer(min: Int, max: Int = Int.max) -> JobReader {
        JobReader(summary: max == Int.max ? "an integer ≥ \(min)" : "an integer from \(min) to \(max)") { value, key throws(JobError) in
            try JobValues.integer(value, key, min: min, max: max)
        }
    }
}

extension JobReader where Value == Int? {
    /// `batch_size`: an integer ≥ 1, or "full" (nil) for full-batch gradient descent. Any other
    /// value gets the integer reader's message, as before "full" existed.
    static let batchSize = JobReader(summary: "an integer ≥ 1, or \"full\"") { value, key throws(JobError) in
        if value == .string("full") { return nil }
        return try JobValues.integer(value, key, min: 1)
    }
}

extension JobReader where Value == Double {
    /// A finite number that `accept` approves; `requirement` says which (it is in every message).
    static func number(_ requirement: String, _ accept: @escaping @Sendable (Double) -> Bool) -> JobReader {
        JobReader(summary: requirement) { value, key throws(JobError) in try JobValues.number(value, key, requirement, accept) }
    }
}

extension JobReader where Value == Bool {
    static let bool = JobReader(summary: "true or false") { value, key throws(JobError) in try JobValues.bool(value, key) }
}

extension JobReader where Value == String {
    static let string = JobReader(summary: "a string") { value, key throws(JobError) in try JobValues.string(value, key) }
}

extension JobReader {
    /// One of an enumeration's raw values.
    static func choice(_ type: Value.Type) -> JobReader where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
        JobReader(summary: "one of " + Value.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")) { value, key throws(JobError) in
            try JobValues.choice(value, key, Value.self)
        }
    }

    /// This reader's values, or null for none (nil).
    func orNull(summary: String? = nil) -> JobReader<Value?> {
        let read = self.read
        return JobReader<Value?>(summary: summary ?? self.summary + ", or null") { value, key throws(JobError) in
            value == .null ? nil : try read(value, key)
        }
    }
}

extension JobReader {
    /// A JSON object whose keys are `fields`, read on top of `start` with the fields' defaults.
    /// An unknown key is an error naming it (`ode.step`) and listing the known ones.
    static func object(_ fields: [JobField<Value>], start: Value, invalid: String) -> JobReader where Value: Sendable {
        let initial = JobField.applyingDefaults(fields, to: start)
        let known = fields.map(\.name).joined(separator: ", ")
        return JobReader(summary: "an object with the keys " + fields.map { "`\($0.name)`" }.joined(separator: ", ")) { value, key throws(JobError) in
            guard case .object(let members) = value else { throw JobError(invalid, key: key) }
            var result = initial
            for (name, member) in members {
                guard let field = fields.first(where: { $0.name == name }) else {
                    throw JobError("unknown key (known: \(known))", key: "\(key).\(name)")
                }
                try field.apply(&result, member, "\(key).\(name)")
            }
            return result
        }
    }
}

extension JobField {
    /// `target` with every field that has a default value set to it. The defaults are constants
    /// of the schema, checked by a test, so a failure here is a programming error.
    static func applyingDefaults(_ fields: [JobField], to target: Target) -> Target {
        var result = target
        for field in fields {
            guard let value = field.defaultValue else { continue }
            do {
                try field.apply(&result, value, field.name)
            } catch {
                preconditionFailure("the default of job key \(field.name) is invalid: \(error)")
            }
        }
        return result
    }

    /// The normalised object of `target`: each field's entry, in table order.
    static func normalisedObject(_ fields: [JobField], of target: Target) -> JSONValue {
        .object(fields.compactMap { field in field.normalised(target).map { (field.name, $0) } })
    }
}
