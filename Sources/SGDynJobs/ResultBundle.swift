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
        var points: [ResultDocument.Point] = []
        let compare = spec.kind == .compare
        // Columns only jobs with the newer keys have, so that other jobs' summaries keep their bytes.
        let classify = spec.points.contains { $0.parameters.task == .classify }
        let stopping = spec.points.contains { $0.parameters.stopBelow != nil }
        var summary = [(spec.sweepKeys + ["seeds", "final_eg_mean", "final_eg_stderr", "final_eg_ode"]
                        + (compare ? ["max_rel_deviation", "max_rel_deviation_t"] : [])
                        + (classify ? ["final_cerr_mean", "final_cerr_stderr"] : [])
                        + (stopping ? ["stopped_early", "mean_stop_t"] : [])).joined(separator: ",")]
        var overall: (EgDeviation, Int, UInt64)?
        for point in spec.points {
            let folder = point.folder.isEmpty ? "" : point.folder + "/"
            let runs = outcomes.filter { $0.pointIndex == point.index }
            let pointODEs = odes.filter { $0.pointIndex == point.index }
            var runDocuments: [ResultDocument.Run] = []
            for run in runs {
                let csvPath = folder + "seed-\(run.seed).csv"
                files.append(BundleFile(path: csvPath, text: TrajectoryCSV.simulation(run.records, K: point.parameters.K, M: point.parameters.M)))
                if point.parameters.storeWeights { files += weightFiles(point: point, folder: folder, run: run, start: spec.startWeights) }
                // A diverged run has no final value: its last finite record is not where it ended.
                let last = run.divergence == nil ? run.records.last : nil
                var document = ResultDocument.Run(
                    seed: run.seed, finalEg: last?.eg.finiteOrNil, finalEt: last?.trainingError, finalEgMC: last?.monteCarloError,
                    finalCerr: last?.classificationError, finalCerrTrain: last?.trainingClassificationError,
                    steps: run.steps, complete: run.isFinished(totalSteps: point.parameters.totalSteps), csv: csvPath,
                    divergedAt: run.divergence.map(divergenceDocument),
                    stoppedEarly: run.earlyStop.map { ResultDocument.EarlyStop(t: $0.t, step: $0.step, eg: $0.eg, stopBelow: $0.threshold) })
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
                    errorEstimate: statistics.errorEstimate.finiteOrNil, divergedAt: ode.result.divergence.map(divergenceDocument),
                    underResolvedFrom: statistics.underResolvedFrom,
                    underResolvedEvaluations: statistics.underResolvedEvaluations > 0 ? statistics.underResolvedEvaluations : nil))
            }
            let finished = runs.filter { $0.isFinished(totalSteps: point.parameters.totalSteps) }.compactMap { $0.records.last?.eg }
            let stats = RunStatistics(finished)
            let odeFinals = pointODEs.compactMap { $0.result.finalRecord?.eg }
            let odeMean = odeFinals.isEmpty ? nil : RunStatistics(odeFinals).mean
            let pointDeviation = pointODEs.compactMap(\.deviation).max { $0.relative < $1.relative }
            let finishedRuns = runs.filter { $0.isFinished(totalSteps: point.parameters.totalSteps) }
            let cerrs = finishedRuns.compactMap { $0.records.last?.classificationError }
            let cerrStats = RunStatistics(cerrs)
            let stops = runs.compactMap(\.earlyStop)
            let stopMean = stops.isEmpty ? nil : RunStatistics(stops.map(\.t)).mean
            // Present only for jobs with the newer keys (NaN is written as null), so that other
            // jobs keep their result.json.
            points.append(ResultDocument.Point(
                index: point.index, parameters: .object(point.assignments), folder: point.folder, runs: runDocuments,
                finalEgMean: finished.isEmpty ? nil : stats.mean.finiteOrNil, finalEgStderr: stats.standardError?.finiteOrNil,
                finalEgODE: odeMean?.finiteOrNil,
                finalCerrMean: classify ? (cerrs.isEmpty ? .nan : cerrStats.mean) : nil,
                finalCerrStderr: classify ? (cerrStats.standardError ?? .nan) : nil,
                stoppedEarly: stopping ? stops.count : nil, meanStopT: stopping ? (stopMean ?? .nan) : nil,
                ode: odeDocuments, maxRelDeviation: pointDeviation.map(deviationDocument)))
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
        }
        files.append(BundleFile(path: "summary.csv", text: summary.joined(separator: "\n") + "\n"))
        files.append(BundleFile(path: "job.json", bytes: jobBytes))
        files.append(BundleFile(path: "log.txt", text: log.joined(separator: "\n") + (log.isEmpty ? "" : "\n")))
        files += BundlePlots.files(spec: spec, outcomes: outcomes, odes: odes)
        let result = ResultDocument(
            status: status, name: spec.name, submitter: submitter, kind: spec.kind.rawValue,
            error: error.map { ResultDocument.ErrorInfo(message: $0) },
            job: spec.normalised,
            dataSet: spec.points.first?.parameters.data.map { data in
                ResultDocument.DataSetInfo(trainSamples: data.trainCount, testSamples: data.testCount, inputs: spec.points[0].parameters.N)
            },
            warnings: spec.warnings, weightsFrom: spec.weightsFrom, points: points,
            maxRelDeviation: overall.map { deviation, pointIndex, seed in
                var document = deviationDocument(deviation)
                document.point = pointIndex
                document.seed = seed
                return document
            },
            files: .ran(trajectories: files.map(\.path).filter { $0.hasSuffix(".csv") && $0 != "summary.csv" },
                        plots: files.map(\.path).filter { $0.hasSuffix(".svg") }, weights: files.map(\.path).filter { $0.hasSuffix(".npy") }),
            timing: timing.document)
        files.insert(BundleFile(path: "result.json", text: result.text), at: 0)
        files.append(BundleFile(path: "README.txt", text: BundleReadme.text(spec: spec, result: result, timing: timing, files: files.map(\.path))))
        files.append(BundleFile(path: "index.html", text: BundlePage.html(result: result, files: files.map(\.path), log: log)))
        return files
    }

    /// `store_weights`: the run's teacher and initial student, regenerated from its seed exactly as
    /// the run drew them, and its final student (from its result; absent for a run stopped
    /// before it had one), as `.npy` files in `weights/seed-S/`.
    /// `start`: the teacher or student a job took from an earlier run (`teacher_from`, `student_from`).
    static func weightFiles(point: SweepPoint, folder: String, run: RunOutcome, start: StartWeights? = nil) -> [BundleFile] {
        var p = point.parameters
        p.seed = run.seed
        let initial = InitialWeights(p, start: start)
        let base = folder + "weights/seed-\(run.seed)/"
        // A run on a data set has no teacher: only the student's files.
        var files = p.data != nil ? [] : [
            BundleFile(path: base + "B.npy", bytes: NPYFile.encode(initial.teacherWeights, shape: [p.M, p.N])),
            BundleFile(path: base + "vstar.npy", bytes: NPYFile.encode(initial.teacherSecondLayer, shape: [p.M])),
        ]
        files += [
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
    static func divergenceDocument(_ d: Divergence) -> ResultDocument.Divergence {
        ResultDocument.Divergence(t: d.t.finiteOrNil, step: d.step)
    }

    static func deviationDocument(_ d: EgDeviation) -> ResultDocument.Deviation {
        ResultDocument.Deviation(value: d.relative.finiteOrNil, t: d.t.finiteOrNil, egSimulation: d.simulationEg.finiteOrNil, egODE: d.odeEg.finiteOrNil)
    }

    /// The bundle of a rejected job file: result.json with the error, job.json with the bytes as
    /// submitted (nothing a user drops is lost), log.txt and index.html.
    /// `keptAt` (the daemon) says where the file as dropped is kept, in kept-at.txt.
    public static func rejection(name: String, jobBytes: [UInt8], error: JobError, log: [String], keptAt: String? = nil,
                                 submitter: String? = nil) -> [BundleFile] {
        let result = ResultDocument(status: "rejected", name: name, submitter: submitter,
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
    public static let string = "0.7.1"
}
