import SGDynCore

/// What a validated job will need at most, by the estimates its validation checked against
/// `JobLimits`: for `sgdyn validate` to print, and for anyone who wants to schedule by it.
public struct JobResourceEstimate: Sendable, Equatable {
    /// Memory of one simulation run with its records and a checkpoint being made (for `ode`
    /// jobs: drawing the initial conditions), the largest over the sweep points.
    public var runBytes: Int
    /// The largest checkpoint of a unit: a simulation's, or an ODE integration's with all its
    /// records (which is also its result).
    public var snapshotBytes: Int
    /// The largest ODE workspace (0 for `simulate` jobs).
    public var odeWorkspaceBytes: Int
    /// The slowest evaluation of the ODE right-hand side over the sweep points, in seconds on one
    /// core (0 for `simulate` jobs).
    public var odeEvaluationSeconds: Double
    /// Every record of the job's runs and ODE integrations, held at once while the bundle is made.
    public var jobRecordBytes: Int
    /// The result bundle, an upper estimate.
    public var bundleBytes: Int
    /// Making the bundle (the end of `sgdyn run`, or the daemon's publishing): every record,
    /// every file, and twice the largest file while it is formatted.
    public var publishBytes: Int

    /// The estimates of `spec`, whose job file was `jobBytes` long.
    public init(spec: JobSpec, jobBytes: Int) {
        let parameters = spec.points.map(\.parameters)
        runBytes = parameters.map { Self.runBytes(spec.kind, explicitInitial: spec.initial != nil, $0) }.max() ?? 0
        let simulationSnapshots = spec.kind == .ode ? [] : parameters.map(SimulationResources.largestSnapshotBytes)
        let odeSnapshots = spec.kind == .simulate ? [] : parameters.map(Self.odeSnapshotBytes)
        snapshotBytes = (simulationSnapshots + odeSnapshots).max() ?? 0
        odeWorkspaceBytes = spec.kind == .simulate ? 0 : parameters.map(Self.odeWorkspaceBytes).max() ?? 0
        odeEvaluationSeconds = spec.kind == .simulate ? 0 : parameters.map(Self.odeEvaluationSeconds).max() ?? 0
        let bundle = BundleSizeEstimate(spec: spec, jobBytes: jobBytes)
        jobRecordBytes = JobResourceCheck.recordBytes(bundle)
        bundleBytes = bundle.totalBytes
        publishBytes = JobResourceCheck.publishBytes(bundle)
    }

    /// One run's memory: a simulation's, an ODE integration's, or for an `ode` job what drawing
    /// its initial conditions takes, whichever is largest.
    static func runBytes(_ kind: JobKind, explicitInitial: Bool, _ p: SimulationParameters) -> Int {
        switch kind {
        case .simulate: return SimulationResources.runBytes(p)
        case .compare: return max(SimulationResources.runBytes(p), odeIntegrationBytes(p))
        case .ode: return max(explicitInitial ? 0 : drawingBytes(p), odeIntegrationBytes(p))
        }
    }

    /// What a worker holds for one of the job's ODE integrations (all `points` + 1 records).
    static func odeIntegrationBytes(_ p: SimulationParameters) -> Int {
        ODEResources.integrationBytes(K: p.K, M: p.M, activation: p.studentActivation, trainSecondLayer: p.trainSecondLayer,
                                      times: p.points + 1)
    }

    /// What drawing an `ode` job's initial conditions holds: the simulation it draws them from,
    /// just made (its weights, and the K×N normals W is made from).
    static func drawingBytes(_ p: SimulationParameters) -> Int {
        SimulationResources.weightBytes(p) + SimulationResources.arrayBytes(p.K * p.N + p.K)
    }

    static func odeWorkspaceBytes(_ p: SimulationParameters) -> Int {
        ODEResources.workspaceBytes(K: p.K, M: p.M, activation: p.studentActivation)
    }

    /// An ODE integration's checkpoint with all its records, which is also the size of its result.
    static func odeSnapshotBytes(_ p: SimulationParameters) -> Int {
        ODEResources.snapshotBytes(K: p.K, M: p.M, trainSecondLayer: p.trainSecondLayer, times: p.points + 1, records: p.points + 1)
    }

    static func odeEvaluationSeconds(_ p: SimulationParameters) -> Double {
        ODEResources.rightHandSideCost(K: p.K, M: p.M, activation: p.studentActivation, teacher: p.teacherActivation)
    }

    /// One line for people: "each run ≤ 1.2 GiB, checkpoints ≤ 80 MiB, …".
    public var summary: String {
        var parts = ["each run ≤ \(JobLimits.format(runBytes))"]
        if snapshotBytes > 0 { parts.append("checkpoints ≤ \(JobLimits.format(snapshotBytes))") }
        if odeWorkspaceBytes > 0 {
            parts.append("ODE workspace \(JobLimits.format(odeWorkspaceBytes)), ≈ \(JobLimits.formatSeconds(odeEvaluationSeconds)) per right-hand side")
        }
        parts.append("all records \(JobLimits.format(jobRecordBytes))")
        parts.append("bundle ≤ \(JobLimits.format(bundleBytes))")
        parts.append("making it ≤ \(JobLimits.format(publishBytes))")
        return parts.joined(separator: ", ")
    }
}
