import SGDynCore
/// What the outbox index shows of one bundle, taken from its result.json: a few dozen values,
/// whatever the size of the bundle. Codable because `ReportCache` keeps it between runs of
/// `sgdyn report`; every field is optional where older or foreign bundles may lack it.
public struct BundleSummary: Codable, Sendable, Equatable {
    /// Where a run's order parameters stopped being finite (status "diverged").
    public struct Divergence: Codable, Sendable, Equatable {
        public var point: String
        public var seed: String?
        public var t: Double?
        public var step: Int?
    }

    public var status: String
    public var name: String?
    /// Who submitted the job (daemon bundles since submitters are recorded).
    public var submitter: String?
    public var kind: String?
    public var version: String?
    /// The job's description, cut for the index (the bundle page shows all of it).
    public var description: String?
    public var errorMessage: String?
    public var errorKey: String?
    public var errorLine: Int?
    public var errorColumn: Int?
    /// The fixed parameters in the paper's symbols: `erf`, `N=500`, `K=2`, `η=0.5`, `3 seeds`, …
    public var setup: [String] = []
    /// The swept keys with their number of values, in file order: `K ×3`.
    public var sweep: [String] = []
    public var pointCount = 0
    /// A single point's final ε_g: mean, standard error, finished seeds, the ODE's.
    public var egMean: Double?
    public var egStandardError: Double?
    public var egSeeds: Int?
    public var egODE: Double?
    /// Over the points of a sweep: the smallest and largest mean final ε_g, and the ODE's.
    public var egRange: [Double]?
    public var egODERange: [Double]?
    /// compare: the largest relative deviation of ε_g between simulation and ODE, and its time.
    public var deviation: Double?
    public var deviationTime: Double?
    public var divergedRuns = 0
    public var firstDivergence: Divergence?
    public var startedAt: Double?
    public var finishedAt: Double?
    public var wallSeconds: Double?
    public var resumes: Int?
    /// The plot that stands for the bundle (sweep.svg, else the first eg.svg), relative to it.
    public var mainPlot: String?
    public var warnings = 0

    /// Characters of a description or error message kept for the index.
    static let textLimit = 400

    /// What result.json's projection must keep for `init(result:)`; the rest is skipped (per-run
    /// members other than these, `ode`, the list of trajectories: megabytes for a large sweep).
    public static let projection = ResultDocument.Fields.projection([
        .status: .whole, .name: .whole, .submitter: .whole, .kind: .whole, .sgdynVersion: .whole, .error: .whole, .job: .whole,
        .warnings: .whole, .maxRelDeviation: .whole, .timing: .whole,
        .points: .elements(ResultDocument.Point.Fields.projection([
            .parameters: .whole, .finalEgMean: .whole, .finalEgStderr: .whole, .finalEgODE: .whole,
            .runs: .elements(ResultDocument.Run.Fields.projection([.seed: .whole, .complete: .whole, .divergedAt: .whole])),
        ])),
        .files: ResultDocument.Files.Fields.projection([.plots: .whole]),
    ])

    /// Why a result.json cannot be summarised.
    public struct Unreadable: Error, Equatable {
        public var reason: String
    }

    /// Reads a result.json document (whole, or as skimmed with `projection`).
    public init(result: JSONValue) throws(Unreadable) {
        guard case .object = result else { throw Unreadable(reason: "result.json is not a JSON object") }
        try self.init(document: ResultDocument(json: result))
    }

    /// Summarises a result document (whole, or read from a skimmed one).
    public init(document: ResultDocument) throws(Unreadable) {
        guard let status = document.status, !status.isEmpty else { throw Unreadable(reason: "result.json has no status") }
        self.status = status
        name = document.name
        submitter = document.submitter.map { HTML.truncated($0, to: 80) }
        kind = document.kind
        version = document.sgdynVersion
        if let error = document.error {
            errorMessage = error.message.map { HTML.truncated($0, to: Self.textLimit) }
            errorKey = error.key.map { HTML.truncated($0, to: 80) }
            errorLine = error.line
            errorColumn = error.column
        }
        warnings = document.warnings?.count ?? 0
        if let job = document.job { readJob(job) }
        if let points = document.points { readPoints(points) }
        if let deviation = document.maxRelDeviation {
            self.deviation = deviation.value
            deviationTime = deviation.t
        }
        if let timing = document.timing {
            startedAt = timing.startedAt.flatMap(ReportTime.parse)
            finishedAt = timing.finishedAt.flatMap(ReportTime.parse)
            wallSeconds = timing.wallSeconds
            resumes = timing.resumes
        }
        if let plots = document.files?.plots {
            let paths = plots.filter { $0.hasSuffix(".svg") && HTML.isSafeRelativePath($0) }
            mainPlot = paths.first { $0 == "sweep.svg" } ?? paths.first { $0 == "eg.svg" || $0.hasSuffix("/eg.svg") } ?? paths.first
        }
    }

    /// "Hermite(0, 0, 0, 1)" for a teacher given as `{"hermite": [0, 0, 0, 1]}`, else nil.
    static func hermiteName(_ value: JSONValue) -> String? {
        guard case .object(let members) = value, members.count == 1, members[0].key == "hermite",
              case .array(let items) = members[0].value else { return nil }
        var c = [Double]()
        for item in items {
            guard case .number(let text) = item, let x = Double(text) else { return nil }
            c.append(x)
        }
        guard HermiteExpansion.problem(c) == nil else { return nil }
        return HermiteExpansion(coefficients: c).name
    }

    private mutating func readJob(_ job: JSONValue) {
        description = job["description"]?.stringValue.map { HTML.truncated($0, to: Self.textLimit) }
        var swept: [String] = []
        if case .object(let axes)? = job["sweep"] {
            for axis in axes {
                swept.append(axis.key)
                if case .array(let values) = axis.value { sweep.append("\(axis.key) ×\(values.count)") }
            }
        }
        func fixed(_ key: String) -> String? {
            guard !swept.contains(key), let value = job[key], value != .null else { return nil }
            if let name = BundleSummary.hermiteName(value) { return name }
            return value.stringValue ?? value.literal
        }
        if let teacher = fixed("teacher_activation"), let student = fixed("student_activation"), teacher != student {
            setup.append("teacher \(teacher), student \(student)")
        } else if let activation = fixed("student_activation") ?? fixed("activation") {
            setup.append(activation)
        }
        // A job on a real data set has no teacher: the data's training inputs instead of M.
        let dataInputs = job["data"]?["train_inputs"]?.stringValue
        if let dataInputs { setup.append("data set \(HTML.truncated(dataInputs, to: Self.textLimit))") }
        for key in ["N", "M", "K", "lr", "sigma", "batch_size"] {
            guard let symbol = JobSchema.symbols[key], let value = fixed(key), !(key == "M" && dataInputs != nil) else { continue }
            if key == "sigma" && (Double(value) ?? 1) == 0 || key == "batch_size" && value == "1" { continue }
            setup.append("\(symbol)=\(value)")
        }
        if job["train_second_layer"] == .bool(true) { setup.append("both layers") }
        if let t = fixed("t_max") { setup.append("t≤\(t)") }
        if job["kind"]?.stringValue != "ode" || job["initial"] == nil || job["initial"] == .null,
           case .array(let seeds)? = job["seeds"] {
            setup.append(seeds.count == 1 ? "1 seed" : "\(seeds.count) seeds")
        }
    }

    private mutating func readPoints(_ points: [ResultDocument.Point]) {
        pointCount = points.count
        var means: [Double] = [], odes: [Double] = []
        for point in points {
            if let mean = point.finalEgMean { means.append(mean) }
            if let ode = point.finalEgODE { odes.append(ode) }
            for run in point.runs {
                guard let at = run.divergedAt else { continue }
                divergedRuns += 1
                if firstDivergence == nil {
                    firstDivergence = Divergence(point: point.label, seed: run.seed.map { String($0) }, t: at.t, step: at.step)
                }
            }
        }
        if points.count == 1, let point = points.first {
            egMean = point.finalEgMean
            egStandardError = point.finalEgStderr
            egODE = point.finalEgODE
            egSeeds = point.runs.filter { $0.complete == true }.count
        } else if points.count > 1 {
            if let low = means.min(), let high = means.max() { egRange = [low, high] }
            if let low = odes.min(), let high = odes.max() { egODERange = [low, high] }
        }
    }

    /// Where the error is — the key, or line and column — unless the message says so already.
    public var errorPlace: [String] {
        let message = errorMessage ?? ""
        var place: [String] = []
        if let key = errorKey, !message.contains("'\(key)'"), !message.contains("“\(key)”") { place.append("key “\(key)”") }
        if let line = errorLine, !message.contains("line \(line)") {
            place.append("line \(line)" + (errorColumn.map { ", column \($0)" } ?? ""))
        }
        return place
    }

    /// The status as one of the groups the pages style and filter by; anything else is "other".
    public var group: String { Self.group(of: status) }

    static func group(of status: String) -> String {
        ["done", "diverged", "failed", "cancelled", "rejected"].contains(status) ? status : "other"
    }
}

extension JSONValue {
    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A number's value; nil for anything else, and for numbers that are not finite Doubles.
    var doubleValue: Double? {
        if case .number(let n) = self, let value = Double(n), value.isFinite { return value }
        return nil
    }

    var intValue: Int? {
        if case .number(let n) = self { return Int(n) }
        return nil
    }

    /// Strings, numbers and booleans as written in a sweep folder name; nil for the rest.
    var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
}
