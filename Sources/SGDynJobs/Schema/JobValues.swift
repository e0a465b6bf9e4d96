import SGDynCore

/// Typed readers for job-file values; each failure names the key and what it accepts.
enum JobValues {
    static func number(_ value: JSONValue, _ key: String, _ requirement: String, _ accept: (Double) -> Bool) throws(JobError) -> Double {
        guard case .number(let text) = value, let x = Double(text), x.isFinite else {
            throw JobError("must be \(requirement), got \(value.typeName) \(value.literal)", key: key)
        }
        guard accept(x) else { throw JobError("must be \(requirement), got \(text)", key: key) }
        return x
    }

    static func integer(_ value: JSONValue, _ key: String, min: Int, max: Int = Int.max) throws(JobError) -> Int {
        let requirement = max == Int.max ? "an integer ≥ \(min)" : "an integer from \(min) to \(max)"
        guard case .number(let text) = value else {
            throw JobError("must be \(requirement), got \(value.typeName) \(value.literal)", key: key)
        }
        let parsed: Int?
        if let i = Int(text) {
            parsed = i
        } else if let d = Double(text), d == d.rounded(), abs(d) < 9.0e15 {
            parsed = Int(d)
        } else {
            parsed = nil
        }
        guard let i = parsed else { throw JobError("must be \(requirement), got \(text)", key: key) }
        guard i >= min, i <= max else { throw JobError("must be \(requirement), got \(text)", key: key) }
        return i
    }

    static func bool(_ value: JSONValue, _ key: String) throws(JobError) -> Bool {
        guard case .bool(let b) = value else {
            throw JobError("must be true or false, got \(value.typeName) \(value.literal)", key: key)
        }
        return b
    }

    static func string(_ value: JSONValue, _ key: String) throws(JobError) -> String {
        guard case .string(let s) = value else { throw JobError("must be a string, got \(value.typeName) \(value.literal)", key: key) }
        return s
    }

    static func choice<T: RawRepresentable & CaseIterable>(_ value: JSONValue, _ key: String, _: T.Type) throws(JobError) -> T
        where T.RawValue == String
    {
        let names = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard case .string(let s) = value, let choice = T(rawValue: s) else {
            throw JobError("must be one of \(names), got \(value.literal)", key: key)
        }
        return choice
    }

    static func teacherSecondLayer(_ value: JSONValue, _ key: String) throws(JobError) -> TeacherSecondLayer {
        let names: [String: TeacherSecondLayer] = ["ones": .ones, "random": .random, "normalise": .normalise,
                                                    "meanfield": .meanfield, "mix": .mix]
        if case .string(let s) = value, let v = names[s] { return v }
        if case .number = value { return .constant(try number(value, key, "a finite number", { _ in true })) }
        throw JobError("must be one of \"ones\", \"random\", \"normalise\", \"meanfield\", \"mix\" or a number, got \(value.literal)", key: key)
    }

    static func seeds(_ value: JSONValue, _ key: String) throws(JobError) -> [UInt64] {
        if case .number = value {
            let n = try integer(value, key, min: 1, max: JobLimits.maxRuns)
            return (0..<UInt64(n)).map { $0 }
        }
        guard case .array(let items) = value, !items.isEmpty else {
            throw JobError("must be a number of seeds n ≥ 1 (seeds 0…n−1) or a non-empty list of integer seeds, got \(value.literal)", key: key)
        }
        var seeds: [UInt64] = []
        for item in items {
            let s = UInt64(try integer(item, key, min: 0))
            guard !seeds.contains(s) else { throw JobError("lists seed \(s) twice", key: key) }
            seeds.append(s)
        }
        return seeds
    }

    static func matrix(_ value: JSONValue, _ key: String, rows: Int, columns: Int) throws(JobError) -> [Double] {
        let shape = "a \(rows)×\(columns) matrix given as a list of \(rows) rows of \(columns) numbers"
        guard case .array(let rowValues) = value, rowValues.count == rows else { throw JobError("must be \(shape)", key: key) }
        var out: [Double] = []
        for row in rowValues {
            guard case .array(let entries) = row, entries.count == columns else { throw JobError("must be \(shape)", key: key) }
            for entry in entries { out.append(try number(entry, key, "a finite number", { _ in true })) }
        }
        return out
    }

    static func vector(_ value: JSONValue, _ key: String, count: Int) throws(JobError) -> [Double] {
        guard case .array(let entries) = value, entries.count == count else {
            throw JobError("must be a list of \(count) numbers", key: key)
        }
        var out: [Double] = []
        for entry in entries { out.append(try number(entry, key, "a finite number", { _ in true })) }
        return out
    }
}
