import SGDynCore

/// Reads and validates job files (jobs.md). Every problem becomes a `JobError` that names the key
/// at fault and says what would be accepted; nothing is silently defaulted.
public enum JobParser {
    /// All keys a job file may contain, in the order the docs list them (and result.json echoes).
    public static var knownKeys: [String] { JobSchema.knownKeys }

    /// Keys that may appear in `sweep`.
    public static var sweepableKeys: Set<String> { JobSchema.sweepableKeys }

    /// Parses and validates a job file. `defaultName` names the job when it has no `name` key
    /// (the file name without `.json`). `dataFolder` is where a job's `data` files are read from
    /// (their headers only, `DataSetFiles.inspect`); without one a job with `data` is rejected.
    public static func parse(_ bytes: [UInt8], defaultName: String, dataFolder: String? = nil) throws(JobError) -> JobSpec {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw JobError(error.message, line: error.line, column: error.column)
        }
        guard case .object(let members) = document else {
            throw JobError("a job file must be a JSON object ({ ... }), not \(document.typeName)")
        }
        var draft = JobDraft()
        draft.dataFolder = dataFolder
        draft.givenKeys = members.map(\.key)
        for (key, value) in members {
            guard let field = JobSchema.field(named: key) else {
                throw JobError("unknown key" + (suggestion(for: key).map { "; did you mean '\($0)'?" } ?? "")
                               + " (known keys: \(knownKeys.joined(separator: ", ")))", key: key)
            }
            try field.apply(&draft, value, key)
        }
        return try draft.finish(defaultName: defaultName, jobBytes: bytes.count)
    }

    /// Whether `error` only says that no data folder was given to read a job's `data` files from:
    /// `sgdyn submit` leaves those to the daemon, which checks them against its `data_folder`.
    public static func isMissingDataFolder(_ error: JobError) -> Bool {
        error.key == "data" && error.message == JobDraft.noDataFolder
    }

    /// The closest known key, for typos and common synonyms.
    static func suggestion(for key: String) -> String? {
        if let s = JobSchema.fields.first(where: { $0.aliases.contains(key.lowercased()) }) { return s.name }
        let scored = knownKeys.map { ($0, editDistance($0.lowercased(), key.lowercased())) }.min { $0.1 < $1.1 }
        guard let best = scored, best.1 <= max(1, key.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

extension JobParser {
    /// The keys that name files `parse` (with a data folder) and `JobSpec.readingWeights` read,
    /// beneath the data folder or the outbox: the daemon reads a job with one off its loop.
    public static let fileKeys: Set<String> = ["teacher_from", "student_from", "data"]
}
