import SGDynCore

/// The resource limits (`JobLimits`): what one run, its checkpoint and an ODE integration need
/// (per sweep point), and what the whole job's records and bundle need. Each rejection gives the
/// numbers and names the key most responsible: the one whose reset to its default would shrink
/// the estimate most.
extension JobDraft {
    /// The checks of one sweep point. `at` says which point, for messages.
    func checkRunResources(at: String) throws(JobError) {
        let p = parameters
        let limit = JobLimits.maxBytesPerRun
        if kind != .ode {
            let run = SimulationResources.runBytes(p)
            if run > limit, SimulationResources.dataSetBytes(p) >= run / 2 {
                throw JobError("each run would need \(JobLimits.format(run, over: limit)) of memory, \(JobLimits.format(SimulationResources.dataSetBytes(p))) of it for the data set ((P + P_test)·(N + 1) values, twice while they are read); over the limit of \(JobLimits.format(limit))\(at)",
                               key: "data")
            }
            if run > limit {
                let records = SimulationResources.recordCount(p), each = SimulationResources.recordBytes(K: p.K, M: p.M)
                throw JobError("each run would need \(JobLimits.format(run, over: limit)) of memory: \(JobLimits.format(SimulationResources.weightBytes(p))) for weights and samples, \(JobLimits.format(records * each)) for \(records) records of \(JobLimits.format(each)) each, \(JobLimits.format(SimulationResources.checkpointBytes(p))) while a checkpoint is made; over the limit of \(JobLimits.format(limit))\(at)",
                               key: mostResponsible(["N", "K", "M", "batch_size", "training_set", "points"]) { SimulationResources.runBytes($0.parameters) })
            }
            let snapshot = SimulationResources.largestSnapshotBytes(p)
            if snapshot > JobLimits.maxSnapshotBytes {
                throw JobError("each run's checkpoint would be \(JobLimits.format(snapshot, over: JobLimits.maxSnapshotBytes)) (K×N = \(p.K * p.N) weights and \(SimulationResources.recordCount(p)) records), over the limit of \(JobLimits.format(JobLimits.maxSnapshotBytes))\(at)",
                               key: mostResponsible(["N", "K", "M", "points"]) { SimulationResources.largestSnapshotBytes($0.parameters) })
            }
        } else if initial == nil {
            let draw = JobResourceEstimate.drawingBytes(p)
            if draw > limit {
                throw JobError("drawing the initial conditions from the seeds' weights would need \(JobLimits.format(draw, over: limit)) (K×N and M×N weights), over the limit of \(JobLimits.format(limit)); give \"initial\" or a smaller N\(at)",
                               key: mostResponsible(["N", "K", "M"]) { JobResourceEstimate.drawingBytes($0.parameters) })
            }
        }
        if kind != .simulate {
            let workspace = JobResourceEstimate.odeWorkspaceBytes(p)
            if workspace > JobLimits.maxODEWorkspaceBytes {
                throw JobError("the ODE workspace for K = \(p.K), M = \(p.M) (\(p.studentActivation.rawValue)) would be \(JobLimits.format(workspace, over: JobLimits.maxODEWorkspaceBytes)), over the limit of \(JobLimits.format(JobLimits.maxODEWorkspaceBytes))\(at)",
                               key: mostResponsible(["K", "M"]) { JobResourceEstimate.odeWorkspaceBytes($0.parameters) })
            }
            let snapshot = JobResourceEstimate.odeSnapshotBytes(p)
            if snapshot > JobLimits.maxSnapshotBytes {
                throw JobError("each ODE integration's checkpoint and result would be \(JobLimits.format(snapshot, over: JobLimits.maxSnapshotBytes)) (\(p.points + 1) records of Q, R and v for K = \(p.K), M = \(p.M)), over the limit of \(JobLimits.format(JobLimits.maxSnapshotBytes))\(at)",
                               key: mostResponsible(["points", "K", "M"]) { JobResourceEstimate.odeSnapshotBytes($0.parameters) })
            }
            // Within the limit whenever the checkpoint is (3 × 256 MiB and the records); checked all
            // the same, so that the bound holds if the other limits move.
            let integration = JobResourceEstimate.odeIntegrationBytes(p)
            if integration > limit {
                throw JobError("each ODE integration would need \(JobLimits.format(integration, over: limit)) of memory (\(p.points + 1) records of Q, R and v for K = \(p.K), M = \(p.M), and its result while it is written), over the limit of \(JobLimits.format(limit))\(at)",
                               key: mostResponsible(["points", "K", "M"]) { JobResourceEstimate.odeIntegrationBytes($0.parameters) })
            }
            let cost = JobResourceEstimate.odeEvaluationSeconds(p)
            if cost > JobLimits.maxODEEvaluationSeconds {
                throw JobError("one evaluation of the ODE right-hand side for K = \(p.K), M = \(p.M) (\(p.teacherActivation == p.studentActivation ? p.studentActivation.rawValue : "student \(p.studentActivation.rawValue), teacher \(p.teacherActivation.rawValue)")) would take about \(JobLimits.formatSeconds(cost)) (an integration makes 10⁴ or more), over the limit of \(JobLimits.formatSeconds(JobLimits.maxODEEvaluationSeconds))\(at)",
                               key: mostResponsible(["K", "M"]) { Int(JobResourceEstimate.odeEvaluationSeconds($0.parameters) * 1e9) })
            }
        }
    }

    /// The key in `keys` whose reset to its default shrinks `estimate` the most.
    func mostResponsible(_ keys: [String], _ estimate: (JobDraft) -> Int) -> String {
        var best = (key: keys[0], bytes: Int.max)
        for key in keys {
            guard let field = JobSchema.field(named: key), let value = field.defaultValue else { continue }
            var reset = self
            guard (try? field.apply(&reset, value, key)) != nil else { continue }
            let bytes = estimate(reset)
            if bytes < best.bytes { best = (key, bytes) }
        }
        return best.key
    }
}

/// The checks of the whole job, once every sweep point is known.
struct JobResourceCheck {
    var kind: JobKind
    /// Each sweep point's draft (its values applied).
    var drafts: [JobDraft]
    var seeds: Int
    var explicitInitial: Bool
    var estimate: BundleSizeEstimate

    /// Bytes of every record of the job's runs and integrations.
    static func recordBytes(_ e: BundleSizeEstimate) -> Int {
        e.points.reduce(0) { total, point in
            let p = point.parameters
            // With `store_weights` each run's result also holds its final W and v.
            let weights = p.storeWeights ? SimulationResources.arrayBytes(p.K * p.N) + SimulationResources.arrayBytes(p.K) : 0
            return total + SimulationResources.recordBytes(K: p.K, M: p.M)
                * (e.simulationRuns() * e.simulationRecords(p) + e.odeRuns() * e.odeRecords(p)) + e.simulationRuns() * weights
        }
    }

    /// Making the bundle: the records, the files, the largest file twice more, and (with
    /// `store_weights`) one run's regenerated initial weights at a time.
    static func publishBytes(_ e: BundleSizeEstimate) -> Int {
        recordBytes(e) + e.totalBytes + 2 * e.largestFileBytes + (e.points.map { e.weightRegenerationBytes($0.parameters) }.max() ?? 0)
    }

    func check() throws(JobError) {
        let records = Self.recordBytes(estimate)
        if records > JobLimits.maxJobRecordBytes {
            let simulationRecords = estimate.points.reduce(0) { $0 + estimate.simulationRuns() * estimate.simulationRecords($1.parameters) }
            let odeRecords = estimate.points.reduce(0) { $0 + estimate.odeRuns() * estimate.odeRecords($1.parameters) }
            throw JobError("its bundle is made with every record of the job in memory: \(JobLimits.format(records, over: JobLimits.maxJobRecordBytes)) for \(simulationRecords) simulation and \(odeRecords) ODE records (\(drafts.count) sweep point(s) × \(seeds) seed(s)), over the limit of \(JobLimits.format(JobLimits.maxJobRecordBytes))",
                           key: mostResponsible(Self.recordBytes))
        }
        let bundle = estimate.totalBytes
        if bundle > JobLimits.maxBundleBytes {
            let csv = estimate.points.reduce(0) { $0 + estimate.csvBytes($1) }, plots = estimate.points.reduce(0) { $0 + estimate.plotBytes($1) }
            throw JobError("the result bundle would be about \(JobLimits.format(bundle, over: JobLimits.maxBundleBytes)) (\(JobLimits.format(csv)) of CSV, \(JobLimits.format(plots)) of plots; \(drafts.count) sweep point(s) × \(seeds) seed(s)), over the limit of \(JobLimits.format(JobLimits.maxBundleBytes))",
                           key: mostResponsible { $0.totalBytes })
        }
        let publish = Self.publishBytes(estimate)
        if publish > JobLimits.maxPublishBytes {
            throw JobError("making its bundle would hold about \(JobLimits.format(publish, over: JobLimits.maxPublishBytes)) at once (\(JobLimits.format(records)) of records, \(JobLimits.format(bundle)) of files, the largest file of \(JobLimits.format(estimate.largestFileBytes)) twice more while it is written), over the limit of \(JobLimits.format(JobLimits.maxPublishBytes))",
                           key: mostResponsible(Self.publishBytes))
        }
    }

    /// The key whose reset shrinks `measure` the most: one seed, one sweep point (the largest),
    /// or `points`, `K`, `M` at their defaults in every point.
    func mostResponsible(_ measure: (BundleSizeEstimate) -> Int) -> String {
        var candidates: [(String, BundleSizeEstimate)] = []
        var oneSeed = estimate
        oneSeed.seeds = 1
        candidates.append(("seeds", oneSeed))
        let alone = estimate.points.map { point -> Int in
            var single = estimate
            single.points = [point]
            return measure(single)
        }
        if drafts.count > 1, let largest = alone.indices.max(by: { alone[$0] < alone[$1] }) {
            var onePoint = estimate
            onePoint.points = [estimate.points[largest]]
            candidates.append(("sweep", onePoint))
        }
        for key in ["points", "K", "M"] {
            guard let field = JobSchema.field(named: key), let value = field.defaultValue else { continue }
            var reset = estimate
            for i in reset.points.indices {
                var draft = drafts[i]
                guard (try? field.apply(&draft, value, key)) != nil else { continue }
                reset.points[i].parameters = draft.parameters
            }
            candidates.append((key, reset))
        }
        return candidates.min { measure($0.1) < measure($1.1) }?.0 ?? "seeds"
    }
}
