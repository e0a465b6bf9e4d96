import SGDynCore

/// The files of a result bundle (jobs.md), as bytes, ready for `BundleWriter`.
public enum ResultBundle {
    /// The bundle of a finished (or cancelled) job: result.json, job.json, one CSV per simulation
    /// run and per ODE integration (in a sub-folder per sweep point), summary.csv, log.txt, the
    /// plots, README.txt and index.html (the same as a web page).
    /// `submitter` (the daemon) names who submitted the job, in result.json and on the page;
    /// `sgdyn run` has none, so its bundles are as before.
    public static func simulation(spec: JobSpec, jobBytes: [UInt8], outcomes: [RunOutcome], odes: [ODEOutcome] = [],
                                  timing: Timing, log: [String], status: String = "done", error: String? = nil,
                                  submitter: String? = nil) -> [BundleFile] {
        var files: [BundleFile] = []
        var pointDocuments: [JSONValue] = []
        let compare = spec.kind == .compare
        // Columns only jobs with the newer keys have, so that other jobs' summaries keep their bytes.
        let classify = spec.points.contains { $0.parameters.task == .classify }
        let stopping = spec.points.contains { $0.parameters.stopBelow != nil }
        var summary = [(spec.sweepKeys + ["seeds", "final_eg_mean", "final_eg_stderr", "final_eg_ode"]
                        + (compare ? ["max_rel_deviation", "max_rel_deviation_t"] : [])
                        + (classify ? ["final_cerr_mean", "final_cerr_stderr"] : [])
                        + (stopping ? ["stopped_early", "mean_stop_t"] : [])).joined(separator: ",")]
        var overall: (EgDeviation, Int, UInt64)?
        var readmeLines: [BundleReadme.PointLine] = []
        for point in spec.points {
            let folder = point.folder.isEmpty ? "" : point.folder + "/"
            let runs = outcomes.filter { $0.pointIndex == point.index }
            let pointODEs = odes.filter { $0.pointIndex == point.index }
            var runDocuments: [JSONValue] = []
            for run in runs {
                let csvPath = folder + "seed-\(run.seed).csv"
                files.append(BundleFile(path: csvPath, text: TrajectoryCSV.simulation(run.records, K: point.parameters.K, M: point.parameters.M)))
                if point.parameters.storeWeights { files += weightFiles(point: point, folder: folder, run: run) }
                // A diverged run has no final value: its last finite record is not where it ended.
                let last = run.divergence == nil ? run.records.last : nil
                var members: [(key: String, value: JSONValue)] = [
                    ("seed", .number(String(run.seed))),
                    ("final_eg", last.map { .double($0.eg) } ?? .null),
                ]
                if let et = last?.trainingError { members.append(("final_et", .double(et))) }
                if let mc = last?.monteCarloError { members.append(("final_eg_mc", .double(mc))) }
                if let cerr = last?.classificationError { members.append(("final_cerr", .double(cerr))) }
                if let cerr = last?.trainingClassificationError { members.append(("final_cerr_train", .double(cerr))) }
                members += [("steps", .int(run.steps)), ("complete", .bool(run.isFinished(totalSteps: point.parameters.totalSteps))),
                            ("csv", .string(csvPath))]
                if let divergence = run.divergence { members.append(("diverged_at", divergenceDocument(divergence))) }
                if let stop = run.earlyStop {
                    members.append(("stopped_early", .object([
                        ("t", .double(stop.t)), ("step", .int(stop.step)), ("eg", .double(stop.eg)), ("stop_below", .double(stop.threshold)),
                        ("reason", .string("eg fell below stop_below")),
                    ])))
                }
                if let ode = pointODEs.first(where: { $0.seed == run.seed }), let deviation = ode.deviation {
                    members.append(("final_eg_ode", ode.result.finalRecord.map { .double($0.eg) } ?? .null))
                    members.append(("max_rel_deviation", deviationDocument(deviation)))
                    if overall == nil || deviation.relative > overall!.0.relative { overall = (deviation, point.index, run.seed) }
                }
                runDocuments.append(.object(members))
            }
            var odeDocuments: [JSONValue] = []
            for ode in pointODEs {
                let csvPath = folder + (ode.seed.map { "ode-seed-\($0).csv" } ?? "ode.csv")
                files.append(BundleFile(path: csvPath, text: JobODEs.csv(ode.result)))
                odeDocuments.append(.object([
                    ("seed", ode.seed.map { .number(String($0)) } ?? .null),
                    ("final_eg", ode.result.finalRecord.map { .double($0.eg) } ?? .null),
                    ("csv", .string(csvPath)),
                    ("method", .string(ode.result.statistics.method.name)),
                    ("steps", .int(ode.result.statistics.steps)),
                    ("rejected_steps", .int(ode.result.statistics.rejectedSteps)),
                    ("rhs_evaluations", .int(ode.result.statistics.rhsEvaluations)),
                    ("error_estimate", .double(ode.result.statistics.errorEstimate)),
                ] + (ode.result.divergence.map { [("diverged_at", divergenceDocument($0))] } ?? [])))
            }
            let finished = runs.filter { $0.isFinished(totalSteps: point.parameters.totalSteps) }.compactMap { $0.records.last?.eg }
            let stats = RunStatistics(finished)
            let odeFinals = pointODEs.compactMap { $0.result.finalRecord?.eg }
            let odeMean = odeFinals.isEmpty ? nil : RunStatistics(odeFinals).mean
            let pointDeviation = pointODEs.compactMap(\.deviation).max { $0.relative < $1.relative }
            var pointMembers: [(key: String, value: JSONValue)] = [
                ("index", .int(point.index)),
                ("parameters", .object(point.assignments)),
                ("folder", .string(point.folder)),
                ("runs", .array(runDocuments)),
                ("final_eg_mean", finished.isEmpty ? .null : .double(stats.mean)),
                ("final_eg_stderr", stats.standardError.map { .double($0) } ?? .null),
                ("final_eg_ode", odeMean.map { .double($0) } ?? .null),
            ]
            let finishedRuns = runs.filter { $0.isFinished(totalSteps: point.parameters.totalSteps) }
            let cerrs = finishedRuns.compactMap { $0.records.last?.classificationError }
            let cerrStats = RunStatistics(cerrs)
            let stops = runs.compactMap(\.earlyStop)
            let stopMean = stops.isEmpty ? nil : RunStatistics(stops.map(\.t)).mean
            if classify {
                pointMembers.append(("final_cerr_mean", cerrs.isEmpty ? .null : .double(cerrStats.mean)))
                pointMembers.append(("final_cerr_stderr", cerrStats.standardError.map { .double($0) } ?? .null))
            }
            if stopping {
                pointMembers.append(("stopped_early", .int(stops.count)))
                pointMembers.append(("mean_stop_t", stopMean.map { .double($0) } ?? .null))
            }
            if !odeDocuments.isEmpty { pointMembers.append(("ode", .array(odeDocuments))) }
            if let pointDeviation { pointMembers.append(("max_rel_deviation", deviationDocument(pointDeviation))) }
            pointDocuments.append(.object(pointMembers))
            var row = point.assignments.map { SweepPoint.text($0.value) } + [
                String(finished.count), finished.isEmpty ? "" : TrajectoryCSV.format(stats.mean),
                stats.standardError.map(TrajectoryCSV.format) ?? "", odeMean.map(TrajectoryCSV.format) ?? "",
            ]
            if compare {
                row += [pointDeviation.map { TrajectoryCSV.format($0.relative) } ?? "", pointDeviation.map { TrajectoryCSV.format($0.t) } ?? ""]
            }
            if classify {
                row += [cerrs.isEmpty ? "" : TrajectoryCSV.format(cerrStats.mean), cerrStats.standardError.map(TrajectoryCSV.format) ?? ""]
            }
            if stopping { row += [String(stops.count), stopMean.map(TrajectoryCSV.format) ?? ""] }
            summary.append(row.joined(separator: ","))
            readmeLines.append(BundleReadme.PointLine(
                label: point.assignments.map { "\($0.key)=\(SweepPoint.text($0.value))" }.joined(separator: ", "), seeds: finished.count,
                egMean: finished.isEmpty ? nil : stats.mean, egStandardError: stats.standardError, egODE: odeMean,
                deviation: pointDeviation?.relative, deviationTime: pointDeviation?.t,
                divergedRuns: runs.compactMap(\.divergence).map(\.t), divergedODEs: pointODEs.compactMap(\.result.divergence).map(\.t),
                stoppedRuns: stops.map(\.t), classificationErrorMean: cerrs.isEmpty ? nil : cerrStats.mean))
        }
        files.append(BundleFile(path: "summary.csv", text: summary.joined(separator: "\n") + "\n"))
        files.append(BundleFile(path: "job.json", bytes: jobBytes))
        files.append(BundleFile(path: "log.txt", text: log.joined(separator: "\n") + (log.isEmpty ? "" : "\n")))
        files += BundlePlots.files(spec: spec, outcomes: outcomes, odes: odes)
        let csvFiles = files.map(\.path).filter { $0.hasSuffix(".csv") && $0 != "summary.csv" }
        var resultMembers: [(key: String, value: JSONValue)] = [
            ("status", .string(status)),
            ("name", .string(spec.name)),
        ]
        if let submitter { resultMembers.append(("submitter", .string(submitter))) }
        resultMembers += [
            ("kind", .string(spec.kind.rawValue)),
            ("sgdyn_version", .string(SGDynVersion.string)),
        ]
        if let error { resultMembers.append(("error", .object([("message", .string(error))]))) }
        resultMembers += [
            ("job", spec.normalised),
            ("warnings", .array(spec.warnings.map { .string($0) })),
            ("points", .array(pointDocuments)),
        ]
        if let (deviation, pointIndex, seed) = overall {
            resultMembers.append(("max_rel_deviation", .object([
                ("value", .double(deviation.relative)), ("t", .double(deviation.t)), ("point", .int(pointIndex)),
                ("seed", .number(String(seed))), ("eg_simulation", .double(deviation.simulationEg)), ("eg_ode", .double(deviation.odeEg)),
            ])))
        }
        resultMembers += [
            ("files", .object([("readme", .string("README.txt")), ("page", .string("index.html")), ("job", .string("job.json")),
                               ("summary", .string("summary.csv")), ("log", .string("log.txt")), ("manifest", .string("manifest.json")),
                               ("trajectories", .array(csvFiles.map { .string($0) })),
                               ("plots", .array(files.map(\.path).filter { $0.hasSuffix(".svg") }.map { .string($0) }))]
                              + weightsMember(files))),
            ("timing", timing.json),
        ]
        let result = JSONValue.object(resultMembers)
        files.insert(BundleFile(path: "result.json", text: JSONWriter.string(result)), at: 0)
        files.append(BundleFile(path: "README.txt", text: BundleReadme.text(spec: spec, status: status, timing: timing,
                                                                            points: readmeLines, files: files.map(\.path))))
        files.append(BundleFile(path: "index.html", text: BundlePage.html(result: result, files: files.map(\.path), log: log)))
        return files
    }

    /// `files.weights`: every `.npy` file, listed only when there are any (so that other bundles
    /// keep their result.json).
    static func weightsMember(_ files: [BundleFile]) -> [(key: String, value: JSONValue)] {
        let npy = files.map(\.path).filter { $0.hasSuffix(".npy") }
        return npy.isEmpty ? [] : [("weights", .array(npy.map { .string($0) }))]
    }

    /// `store_weights`: the run's teacher and initial student, regenerated from its seed exactly as
    /// the run drew them, and its final student (from its result; absent for a run stopped
    /// before it had one), as `.npy` files in `weights/seed-S/`.
    static func weightFiles(point: SweepPoint, folder: String, run: RunOutcome) -> [BundleFile] {
        var p = point.parameters
        p.seed = run.seed
        let initial = InitialWeights(p)
        let base = folder + "weights/seed-\(run.seed)/"
        var files = [
            BundleFile(path: base + "B.npy", bytes: NPYFile.encode(initial.teacherWeights, shape: [p.M, p.N])),
            BundleFile(path: base + "vstar.npy", bytes: NPYFile.encode(initial.teacherSecondLayer, shape: [p.M])),
            BundleFile(path: base + "W-initial.npy", bytes: NPYFile.encode(initial.studentWeights, shape: [p.K, p.N])),
            BundleFile(path: base + "v-initial.npy", bytes: NPYFile.encode(initial.studentSecondLayer, shape: [p.K])),
        ]
        if let w = run.finalWeights, let v = run.finalSecondLayer, w.count == p.K * p.N, v.count == p.K {
            files.append(BundleFile(path: base + "W-final.npy", bytes: NPYFile.encode(w, shape: [p.K, p.N])))
            files.append(BundleFile(path: base + "v-final.npy", bytes: NPYFile.encode(v, shape: [p.K])))
        }
        return files
    }

    /// Where a run or an integration diverged: t, and the SGD step for a simulation.
    static func divergenceDocument(_ d: Divergence) -> JSONValue {
        .object([("t", .double(d.t))] + (d.step.map { [("step", .int($0))] } ?? []))
    }

    static func deviationDocument(_ d: EgDeviation) -> JSONValue {
        .object([("value", .double(d.relative)), ("t", .double(d.t)), ("eg_simulation", .double(d.simulationEg)), ("eg_ode", .double(d.odeEg))])
    }

    /// The bundle of a rejected job file: result.json with the error, job.json with the bytes as
    /// submitted (nothing a user drops is lost), log.txt and index.html.
    /// `keptAt` (the daemon) says where the file as dropped is kept, in kept-at.txt.
    public static func rejection(name: String, jobBytes: [UInt8], error: JobError, log: [String], keptAt: String? = nil,
                                 submitter: String? = nil) -> [BundleFile] {
        var errorMembers: [(key: String, value: JSONValue)] = [("message", .string(error.description))]
        if let key = error.key { errorMembers.append(("key", .string(key))) }
        if let line = error.line { errorMembers.append(("line", .int(line))) }
        if let column = error.column { errorMembers.append(("column", .int(column))) }
        var members: [(key: String, value: JSONValue)] = [("status", .string("rejected")), ("name", .string(name))]
        if let submitter { members.append(("submitter", .string(submitter))) }
        let result = JSONValue.object(members + [
            ("sgdyn_version", .string(SGDynVersion.string)),
            ("error", .object(errorMembers)),
            ("files", .object([("page", .string("index.html")), ("job", .string("job.json")), ("log", .string("log.txt")),
                               ("manifest", .string("manifest.json"))])),
        ])
        var files = [
            BundleFile(path: "result.json", text: JSONWriter.string(result)),
            BundleFile(path: "job.json", bytes: jobBytes),
            BundleFile(path: "log.txt", text: log.joined(separator: "\n") + (log.isEmpty ? "" : "\n")),
        ]
        if let keptAt { files.append(BundleFile(path: "kept-at.txt", text: "The file as dropped is kept on the server at \(keptAt)\n")) }
        files.append(BundleFile(path: "index.html", text: BundlePage.html(result: result, files: files.map(\.path), log: log)))
        return files
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
    public static let string = "0.3.0"
}
