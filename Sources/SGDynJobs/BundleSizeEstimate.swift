import SGDynCore

/// An upper estimate of a result bundle's size, from the job alone (before anything runs), so
/// that validation can refuse a job whose bundle would not fit (`JobLimits.maxBundleBytes`).
/// The CSVs are bounded exactly (no number sgdyn writes is longer than 24 characters);
/// result.json by the encoded size of its widest document of the job's shape (`WidestResult`:
/// every field of `ResultDocument` at its longest); the plots and small files by generous
/// allowances per curve, point and file. `BundleSizeTests` checks it against real bundles.
struct BundleSizeEstimate: Sendable {
    /// One sweep point: its parameters and the text of its folder name.
    struct Point {
        var parameters: SimulationParameters
        var folderLength: Int
        var assignmentsLength: Int
        /// Its document in result.json without runs and integrations, at its widest.
        var resultBytes: Int
    }

    var kind: JobKind
    var points: [Point]
    var seeds: Int
    var sweepKeys: Int
    var explicitInitial: Bool
    var jobBytes: Int
    /// result.json without points, at its widest, with the job's normalised form and warnings.
    var resultHeadBytes: Int
    /// Which members only some jobs have its result.json can hold.
    var resultShape: WidestResult.Shape

    /// A number as sgdyn writes it (CSV, JSON) plus its separator: Swift's shortest round-trip
    /// form is at most 24 characters ("-1.2345678901234567e-123").
    static let numberBytes = 25
    /// An SVG path point: "L" or "M", two coordinates of at most 7 characters, two spaces.
    static let plotPointBytes = 17
    /// One SVG curve's element apart from its points; one panel's frame, grid, ticks, labels
    /// and legend (at most 14 rows); one figure's header and title.
    static let curveBytes = 260, panelBytes = 9_000, figureBytes = 1_500

    init(spec: JobSpec, jobBytes: Int) {
        kind = spec.kind
        let shape = WidestResult.Shape(spec)
        resultShape = shape
        points = spec.points.map { point in
            let folder = point.folder.utf8.count
            let shell = WidestResult.point(parameters: .object(point.assignments), folder: point.folder, shape: shape)
            return Point(parameters: point.parameters, folderLength: folder, assignmentsLength: folder,
                         resultBytes: WidestResult.elementBytes(shell.json, level: 1))
        }
        seeds = spec.seeds.count
        sweepKeys = spec.sweepKeys.count
        explicitInitial = spec.initial != nil
        self.jobBytes = jobBytes
        resultHeadBytes = WidestResult.document(name: spec.name, job: spec.normalised, warnings: spec.warnings, points: [],
                                                weightsFrom: spec.weightSources.isEmpty ? nil : WidestResult.weightSources).text.utf8.count
    }

    /// CSV columns of the order parameters: Q's upper triangle, R, v.
    static func orderColumns(_ p: SimulationParameters) -> Int { p.K * (p.K + 1) / 2 + p.K * p.M + p.K }

    /// Records of one simulation run, and of one ODE integration of this point.
    func simulationRecords(_ p: SimulationParameters) -> Int { kind == .ode ? 0 : SimulationResources.recordCount(p) }
    func odeRecords(_ p: SimulationParameters) -> Int {
        switch kind {
        case .simulate: return 0
        case .ode: return p.points + 1
        case .compare: return SimulationResources.recordCount(p)
        }
    }
    func simulationRuns() -> Int { kind == .ode ? 0 : seeds }
    func odeRuns() -> Int {
        switch kind {
        case .simulate: return 0
        case .ode: return explicitInitial ? 1 : seeds
        case .compare: return seeds
        }
    }

    /// The CSV files: one per simulation run and per ODE integration.
    func csvBytes(_ point: Point) -> Int {
        let files = csvFileBytes(point)
        return simulationRuns() * files.simulation + odeRuns() * files.ode
    }

    /// One simulation run's CSV and one ODE integration's at this point.
    func csvFileBytes(_ point: Point) -> (simulation: Int, ode: Int) {
        let p = point.parameters, columns = 2 + Self.orderColumns(p)
        let header = 12 * (columns + 3)
        let extras = (p.trainingSetRatio == nil ? 0 : 1) + (p.monteCarloTestSize == nil ? 0 : 1)
            + (p.task == .classify ? (p.trainingSetRatio == nil ? 1 : 2) : 0)  // cerr, cerr_train
        return (header + simulationRecords(p) * ((columns + extras) * Self.numberBytes + 17),
                header + odeRecords(p) * columns * Self.numberBytes)
    }

    /// `store_weights`: the `.npy` files of one run (B, v*, W and v initial and final), exactly.
    func weightFileBytes(_ p: SimulationParameters) -> Int {
        guard p.storeWeights, kind != .ode else { return 0 }
        return NPYFile.bytes(count: p.M * p.N) + NPYFile.bytes(count: p.M) + 2 * NPYFile.bytes(count: p.K * p.N) + 2 * NPYFile.bytes(count: p.K)
    }

    /// Memory of regenerating one run's initial weights while its `.npy` files are made: B, W and
    /// v, the K×N + K normals W is drawn from, and the final W and v the run's result holds.
    func weightRegenerationBytes(_ p: SimulationParameters) -> Int {
        guard p.storeWeights, kind != .ode else { return 0 }
        return SimulationResources.arrayBytes(p.M * p.N) + 3 * SimulationResources.arrayBytes(p.K * p.N + p.K)
            + 2 * SimulationResources.arrayBytes(p.M + p.K)
    }

    /// eg.svg and order-parameters.svg of one point.
    func plotBytes(_ point: Point) -> Int {
        let files = plotFileBytes(point)
        return files.eg + files.orderParameters
    }

    func plotFileBytes(_ point: Point) -> (eg: Int, orderParameters: Int) {
        let p = point.parameters
        let sim = simulationRecords(p), ode = odeRecords(p), runs = simulationRuns()
        let curve = { (points: Int) in Self.curveBytes + points * Self.plotPointBytes }
        var eg = Self.figureBytes + Self.panelBytes + runs * curve(sim)
        if runs > 1 { eg += curve(sim) + curve(2 * sim) }  // the mean and its band
        if odeRuns() > 0 { eg += curve(ode) }
        let curves = p.K * p.M + p.K * (p.K + 1) / 2 + (p.trainSecondLayer ? p.K : 0)
        let panels = p.trainSecondLayer ? 3 : 2
        return (eg, Self.figureBytes + panels * Self.panelBytes + curves * curve(runs > 0 ? sim : ode))
    }

    /// The largest single file: while a file is formatted, its lines, the joined text and its
    /// bytes exist at once, about three times its size.
    var largestFileBytes: Int {
        max(sweepPlotBytes, points.map { point in
            let csv = csvFileBytes(point), plots = plotFileBytes(point)
            let p = point.parameters
            let npy = weightFileBytes(p) == 0 ? 0 : NPYFile.bytes(count: max(p.K, p.M) * p.N)
            return max(simulationRuns() > 0 ? csv.simulation : 0, odeRuns() > 0 ? csv.ode : 0, plots.eg, plots.orderParameters, npy)
        }.max() ?? 0)
    }

    /// sweep.svg: a panel per swept key, a marker, error bar and curve point per sweep point.
    var sweepPlotBytes: Int {
        sweepKeys == 0 ? 0 : Self.figureBytes + sweepKeys * (Self.panelBytes + points.count * 700)
    }

    /// Every file of the bundle together.
    var totalBytes: Int {
        let runsPerPoint = simulationRuns() + odeRuns()
        var total = jobBytes + 32 << 10 + 300 * runsPerPoint * points.count  // job.json; log.txt
        total += 4_000  // README.txt's head
        for point in points {
            let files = runsPerPoint + 2
            total += csvBytes(point) + plotBytes(point)
            // Jobs with the newer keys have more summary columns (final_cerr_*, stopped_early, mean_stop_t).
            let p = point.parameters
            let extended = p.task == .classify || p.stopBelow != nil
            total += 200 + 2 * point.assignmentsLength + (extended ? 10 : 6) * Self.numberBytes  // summary.csv
            total += 300 + point.assignmentsLength  // README.txt
            total += files * (2 * (point.folderLength + 24) + 200)  // paths in result.json, README.txt, manifest.json
            if p.storeWeights {  // the .npy files and their paths (manifest, page)
                total += simulationRuns() * (weightFileBytes(p) + 6 * (3 * (point.folderLength + 48) + 200))
            }
        }
        return total + resultBytes + sweepPlotBytes
    }

    /// result.json: its widest head, and per point its widest document, runs and integrations
    /// (each CSV's path twice: the run's `csv` and `files.trajectories`).
    var resultBytes: Int {
        let runBytes = WidestResult.shapedRunBytes(resultShape)
        return points.reduce(resultHeadBytes) { total, point in
            let paths = 2 * (point.folderLength + 1)
            return total + point.resultBytes + 3 * WidestResult.listBytes
                + simulationRuns() * (runBytes + paths) + odeRuns() * (WidestResult.odeBytes + paths)
        }
    }
}
