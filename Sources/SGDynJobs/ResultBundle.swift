import SGDynCore

/// The files of a result bundle (jobs.md), as bytes, ready for `BundleWriter`.
public enum ResultBundle {
    /// The bundle of a finished (or cancelled) simulation job: result.json, job.json, one CSV per
    /// run (in a sub-folder per sweep point), summary.csv and log.txt.
    public static func simulation(spec: JobSpec, jobBytes: [UInt8], outcomes: [RunOutcome], timing: Timing,
                                  log: [String], status: String = "done") -> [BundleFile] {
        var files: [BundleFile] = []
        var pointDocuments: [JSONValue] = []
        var summary = [(spec.sweepKeys + ["seeds", "final_eg_mean", "final_eg_stderr", "final_eg_ode"]).joined(separator: ",")]
        for point in spec.points {
            let runs = outcomes.filter { $0.pointIndex == point.index }
            var runDocuments: [JSONValue] = []
            for run in runs {
                let csvPath = (point.folder.isEmpty ? "" : point.folder + "/") + "seed-\(run.seed).csv"
                files.append(BundleFile(path: csvPath, text: TrajectoryCSV.simulation(run.records, K: point.parameters.K, M: point.parameters.M)))
                let last = run.records.last
                var members: [(key: String, value: JSONValue)] = [
                    ("seed", .number(String(run.seed))),
                    ("final_eg", last.map { .double($0.eg) } ?? .null),
                ]
                if let et = last?.trainingError { members.append(("final_et", .double(et))) }
                if let mc = last?.monteCarloError { members.append(("final_eg_mc", .double(mc))) }
                members += [("steps", .int(run.steps)), ("complete", .bool(run.steps >= point.parameters.totalSteps)), ("csv", .string(csvPath))]
                runDocuments.append(.object(members))
            }
            let finished = runs.filter { $0.steps >= point.parameters.totalSteps }.compactMap { $0.records.last?.eg }
            let stats = RunStatistics(finished)
            pointDocuments.append(.object([
                ("index", .int(point.index)),
                ("parameters", .object(point.assignments)),
                ("folder", .string(point.folder)),
                ("runs", .array(runDocuments)),
                ("final_eg_mean", finished.isEmpty ? .null : .double(stats.mean)),
                ("final_eg_stderr", stats.standardError.map { .double($0) } ?? .null),
                ("final_eg_ode", .null),
            ]))
            summary.append((point.assignments.map { SweepPoint.text($0.value) } + [
                String(finished.count), finished.isEmpty ? "" : TrajectoryCSV.format(stats.mean),
                stats.standardError.map(TrajectoryCSV.format) ?? "", "",
            ]).joined(separator: ","))
        }
        files.append(BundleFile(path: "summary.csv", text: summary.joined(separator: "\n") + "\n"))
        files.append(BundleFile(path: "job.json", bytes: jobBytes))
        files.append(BundleFile(path: "log.txt", text: log.joined(separator: "\n") + (log.isEmpty ? "" : "\n")))
        let csvFiles = files.map(\.path).filter { $0.hasSuffix(".csv") && $0 != "summary.csv" }
        let result = JSONValue.object([
            ("status", .string(status)),
            ("name", .string(spec.name)),
            ("kind", .string(spec.kind.rawValue)),
            ("sgdyn_version", .string(SGDynVersion.string)),
            ("job", spec.normalised),
            ("warnings", .array(spec.warnings.map { .string($0) })),
            ("points", .array(pointDocuments)),
            ("files", .object([("job", .string("job.json")), ("summary", .string("summary.csv")), ("log", .string("log.txt")),
                               ("manifest", .string("manifest.json")), ("trajectories", .array(csvFiles.map { .string($0) }))])),
            ("timing", timing.json),
        ])
        files.insert(BundleFile(path: "result.json", text: JSONWriter.string(result)), at: 0)
        return files
    }

    /// The bundle of a rejected job file: result.json with the error, job.json with the bytes as
    /// submitted (nothing a user drops is lost), and log.txt.
    public static func rejection(name: String, jobBytes: [UInt8], error: JobError, log: [String]) -> [BundleFile] {
        var errorMembers: [(key: String, value: JSONValue)] = [("message", .string(error.description))]
        if let key = error.key { errorMembers.append(("key", .string(key))) }
        if let line = error.line { errorMembers.append(("line", .int(line))) }
        if let column = error.column { errorMembers.append(("column", .int(column))) }
        let result = JSONValue.object([
            ("status", .string("rejected")),
            ("name", .string(name)),
            ("sgdyn_version", .string(SGDynVersion.string)),
            ("error", .object(errorMembers)),
            ("files", .object([("job", .string("job.json")), ("log", .string("log.txt")), ("manifest", .string("manifest.json"))])),
        ])
        return [
            BundleFile(path: "result.json", text: JSONWriter.string(result)),
            BundleFile(path: "job.json", bytes: jobBytes),
            BundleFile(path: "log.txt", text: log.joined(separator: "\n") + (log.isEmpty ? "" : "\n")),
        ]
    }

    /// A safe bundle name for a file whose job could not be read: its name without `.json`,
    /// unsafe characters replaced, prefixed so it sorts apart; never empty.
    public static func rejectionName(forFile fileName: String) -> String {
        var stem = fileName.hasSuffix(".json") ? String(fileName.dropLast(5)) : fileName
        stem = String(stem.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        })
        while stem.hasPrefix(".") { stem.removeFirst() }
        if stem.isEmpty { stem = "unnamed" }
        return String(("rejected-" + stem).prefix(64))
    }
}

/// The version of sgdyn, recorded in every result.
public enum SGDynVersion {
    public static let string = "0.1.0"
}
