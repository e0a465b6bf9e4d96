import SGDynCore

/// The files of a result bundle (jobs.md), as bytes, ready for `BundleWriter`.
public enum ResultBundle {
    /// The bundle of a finished (or cancelled) job: result.json, job.json, one CSV per simulation
    /// run and per ODE integration (in a sub-folder per sweep point), summary.csv, log.txt, the
    /// plots, README.txt and index.html (the same as a web page).
    public static func simulation(spec: JobSpec, jobBytes: [UInt8], outcomes: [RunOutcome], odes: [ODEOutcome] = [],
                                  timing: Timing, log: [String], status: String = "done", error: String? = nil) -> [BundleFile] {
        var files: [BundleFile] = []
        var points: [ResultDocument.Point] = []
        let compare = spec.kind == .compare
        var summary = [(spec.sweepKeys + ["seeds", "final_eg_mean", "final_eg_stderr", "final_eg_ode"]
                        + (compare ? ["max_rel_deviation", "max_rel_deviation_t"] : [])).joined(separator: ",")]
        var overall: (EgDeviation, Int, UInt64)?
        for point in spec.points {
            let folder = point.folder.isEmpty ? "" : point.folder + "/"
            let runs = outcomes.filter { $0.pointIndex == point.index }
            let pointODEs = odes.filter { $0.pointIndex == point.index }
            var runDocuments: [ResultDocument.Run] = []
            for run in runs {
                let csvPath = folder + "seed-\(run.seed).csv"
                files.append(BundleFile(path: csvPath, text: TrajectoryCSV.simulation(run.records, K: point.parameters.K, M: point.parameters.M)))
                // A diverged run has no final value: its last finite record is not where it ended.
                let last = run.divergence == nil ? run.records.last : nil
                var document = ResultDocument.Run(
                    seed: run.seed, finalEg: last?.eg.finiteOrNil, finalEt: last?.trainingError, finalEgMC: last?.monteCarloError,
                    steps: run.steps, complete: run.steps >= point.parameters.totalSteps && run.divergence == nil, csv: csvPath,
                    divergedAt: run.divergence.map(divergenceDocument))
                if let ode = pointODEs.first(where: { $0.seed == run.seed }), let deviation = ode.deviation {
                    document.finalEgODE = ode.result.finalRecord?.eg.finiteOrNil
                    document.maxRelDeviation = deviationDocument(deviation)
                    if overall == nil || deviation.relative > overall!.0.relative { overall = (deviation, point.index, run.seed) }
                }
                runDocuments.append(document)
            }
            var odeDocuments: [ResultDocument.ODEIntegration] = []
            for ode in pointODEs {
                let csvPath = folder + (ode.seed.map { "ode-seed-\($0).csv" } ?? "ode.csv")
                files.append(BundleFile(path: csvPath, text: JobODEs.csv(ode.result)))
                let statistics = ode.result.statistics
                odeDocuments.append(ResultDocument.ODEIntegration(
                    seed: ode.seed, finalEg: ode.result.finalRecord?.eg.finiteOrNil, csv: csvPath, method: statistics.method.name,
                    steps: statistics.steps, rejectedSteps: statistics.rejectedSteps, rhsEvaluations: statistics.rhsEvaluations,
                    errorEstimate: statistics.errorEstimate.finiteOrNil, divergedAt: ode.result.divergence.map(divergenceDocument)))
            }
            let finished = runs.filter { $0.steps >= point.parameters.totalSteps && $0.divergence == nil }.compactMap { $0.records.last?.eg }
            let stats = RunStatistics(finished)
            let odeFinals = pointODEs.compactMap { $0.result.finalRecord?.eg }
            let odeMean = odeFinals.isEmpty ? nil : RunStatistics(odeFinals).mean
            let pointDeviation = pointODEs.compactMap(\.deviation).max { $0.relative < $1.relative }
            points.append(ResultDocument.Point(
                index: point.index, parameters: .object(point.assignments), folder: point.folder, runs: runDocuments,
                finalEgMean: finished.isEmpty ? nil : stats.mean.finiteOrNil, finalEgStderr: stats.standardError?.finiteOrNil,
                finalEgODE: odeMean?.finiteOrNil, ode: odeDocuments, maxRelDeviation: pointDeviation.map(deviationDocument)))
            var row = point.assignments.map { SweepPoint.text($0.value) } + [
                String(finished.count), finished.isEmpty ? "" : TrajectoryCSV.format(stats.mean),
                stats.standardError.map(TrajectoryCSV.format) ?? "", odeMean.map(TrajectoryCSV.format) ?? "",
            ]
            if compare {
                row += [pointDeviation.map { TrajectoryCSV.format($0.relative) } ?? "", pointDeviation.map { TrajectoryCSV.format($0.t) } ?? ""]
            }
            summary.append(row.joined(separator: ","))
        }
        files.append(BundleFile(path: "summary.csv", text: summary.joined(separator: "\n") + "\n"))
        files.append(BundleFile(path: "job.json", bytes: jobBytes))
        files.append(BundleFile(path: "log.txt", text: log.joined(separator: "\n") + (log.isEmpty ? "" : "\n")))
        files += BundlePlots.files(spec: spec, outcomes: outcomes, odes: odes)
        let result = ResultDocument(
            status: status, name: spec.name, kind: spec.kind.rawValue, error: error.map { ResultDocument.ErrorInfo(message: $0) },
            job: spec.normalised, warnings: spec.warnings, points: points,
            maxRelDeviation: overall.map { deviation, pointIndex, seed in
                var document = deviationDocument(deviation)
                document.point = pointIndex
                document.seed = seed
                return document
            },
            files: .ran(trajectories: files.map(\.path).filter { $0.hasSuffix(".csv") && $0 != "summary.csv" },
                        plots: files.map(\.path).filter { $0.hasSuffix(".svg") }),
            timing: timing.document)
        files.insert(BundleFile(path: "result.json", text: result.text), at: 0)
        files.append(BundleFile(path: "README.txt", text: BundleReadme.text(spec: spec, result: result, timing: timing, files: files.map(\.path))))
        files.append(BundleFile(path: "index.html", text: BundlePage.html(result: result, files: files.map(\.path), log: log)))
        return files
    }

    /// Where a run or an integration diverged: t, and the SGD step for a simulation.
    static func divergenceDocument(_ d: Divergence) -> ResultDocument.Divergence {
        ResultDocument.Divergence(t: d.t.finiteOrNil, step: d.step)
    }

    static func deviationDocument(_ d: EgDeviation) -> ResultDocument.Deviation {
        ResultDocument.Deviation(value: d.relative.finiteOrNil, t: d.t.finiteOrNil, egSimulation: d.simulationEg.finiteOrNil, egODE: d.odeEg.finiteOrNil)
    }

    /// The bundle of a rejected job file: result.json with the error, job.json with the bytes as
    /// submitted (nothing a user drops is lost), log.txt and index.html.
    /// `keptAt` (the daemon) says where the file as dropped is kept, in kept-at.txt.
    public static func rejection(name: String, jobBytes: [UInt8], error: JobError, log: [String], keptAt: String? = nil) -> [BundleFile] {
        let result = ResultDocument(status: "rejected", name: name,
                                    error: ResultDocument.ErrorInfo(message: error.description, key: error.key, line: error.line, column: error.column),
                                    files: .rejection)
        var files = [
            BundleFile(path: "result.json", text: result.text),
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
    public static let string = "0.2.0"
}
