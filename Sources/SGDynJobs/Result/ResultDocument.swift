/// A bundle's result.json as a value: what the job was, what each run and integration ended
/// with, which files hold what, and how long it took. Written (`json`) and read
/// (`init(json:)`) only through this type: the bundle page, README.txt, the outbox summary and
/// the bundle size estimate all use it, and its field enums (`Fields`, `Point.Fields`, …) are the
/// one place a field's name is spelled (docs/job-files.md's result.json table and
/// scripts/result_fields.py are generated from them).
///
/// To add a field: a stored property, a case in its `Fields` enum (with its meaning), one line
/// in `json` and one in `init(json:)`, and a value in `ResultDocument+Widest.swift` (the size
/// estimate's worst case); `ResultDocumentTests` fails until all of these agree. Then
/// `SGDYN_UPDATE_DOCS=1 swift test --filter ResultDocsTests` regenerates the table and the
/// Python names.
///
/// Numbers that can be infinite or NaN are `Double?`: result.json writes such a value as `null`,
/// and the document holds what result.json says. Reading is lenient (a missing member, or one
/// of an unexpected type, is nil), so bundles of older versions and skimmed documents read;
/// writing what was read gives the same bytes for any document sgdyn wrote.
public struct ResultDocument: Sendable, Equatable {
    /// The top-level members.
    public enum Fields: String, ResultFields {
        case status, name, kind
        case sgdynVersion = "sgdyn_version"
        case error, job, warnings, points
        case maxRelDeviation = "max_rel_deviation"
        case files, timing

        public static let path = ""
        public var meaning: String {
            switch self {
            case .status:
                return "`\"done\"`; `\"diverged\"` (every unit ended, and some run or integration became infinite or NaN: those stop there, keep their "
                    + "finite records and say `diverged_at`); `\"cancelled\"` (the bundle holds what had finished); `\"failed\"` (the job could not run "
                    + "— Slurm refused it, say — or the daemon quarantined it after one of its units crashed its worker three times; `error` says "
                    + "which); `\"rejected\"`"
            case .name: return "the job's name"
            case .kind: return "the job's kind (not for a rejection)"
            case .sgdynVersion: return "the version that wrote the bundle"
            case .error: return "when not done: why (below)"
            case .job: return "the normalised job: every key of the table above with its value or default, in table order (`description` and "
                + "`slurm` only when given; `lr2` null when it follows a swept `lr`)"
            case .warnings: return "the warnings, as text"
            case .points: return "one per sweep point (below)"
            case .maxRelDeviation: return "`compare`: the largest relative deviation of all, with its `point` and `seed` (below)"
            case .files: return "which file holds what (below)"
            case .timing: return "how long it took (below); the only member that differs between two runs of the same job"
            }
        }
    }

    public var status: String?
    public var name: String?
    public var kind: String?
    public var sgdynVersion: String?
    public var error: ErrorInfo?
    /// The normalised job, as `JobSpec.normalised` (its keys are the schema's, not this type's).
    public var job: JSONValue?
    public var warnings: [String]?
    public var points: [Point]?
    public var maxRelDeviation: Deviation?
    public var files: Files?
    public var timing: Timing?

    public init(status: String?, name: String?, kind: String? = nil, sgdynVersion: String? = SGDynVersion.string, error: ErrorInfo? = nil,
                job: JSONValue? = nil, warnings: [String]? = nil, points: [Point]? = nil, maxRelDeviation: Deviation? = nil,
                files: Files? = nil, timing: Timing? = nil) {
        self.status = status
        self.name = name
        self.kind = kind
        self.sgdynVersion = sgdynVersion
        self.error = error
        self.job = job
        self.warnings = warnings
        self.points = points
        self.maxRelDeviation = maxRelDeviation
        self.files = files
        self.timing = timing
    }

    public var json: JSONValue {
        var w = ResultObjectWriter<Fields>()
        w.omittable(.status, status.map(JSONValue.string))
        w.omittable(.name, name.map(JSONValue.string))
        w.omittable(.kind, kind.map(JSONValue.string))
        w.omittable(.sgdynVersion, sgdynVersion.map(JSONValue.string))
        w.omittable(.error, error?.json)
        w.omittable(.job, job)
        w.omittable(.warnings, warnings.map { .array($0.map(JSONValue.string)) })
        w.omittable(.points, points.map { .array($0.map(\.json)) })
        w.omittable(.maxRelDeviation, maxRelDeviation?.json)
        w.omittable(.files, files?.json)
        w.omittable(.timing, timing?.json)
        return w.json
    }

    public init(json: JSONValue) {
        let r = ResultObjectReader<Fields>(json: json)
        status = r.string(.status)
        name = r.string(.name)
        kind = r.string(.kind)
        sgdynVersion = r.string(.sgdynVersion)
        error = r.object(.error, ErrorInfo.init(json:))
        job = r[.job]
        warnings = r.strings(.warnings)
        points = r.array(.points, Point.init(json:))
        maxRelDeviation = r.object(.maxRelDeviation, Deviation.init(json:))
        files = r.object(.files, Files.init(json:))
        timing = r.object(.timing, Timing.init(json:))
    }

    /// The text of result.json: pretty-printed, two-space indents, a final newline.
    public var text: String { JSONWriter.string(json) }

    /// Every kind of object of the document with its fields, in the order of docs/job-files.md.
    public static let allFields: [(path: String, fields: [(name: String, meaning: String)])] = [
        describe(Fields.self), describe(ErrorInfo.Fields.self), describe(Point.Fields.self), describe(Run.Fields.self),
        describe(ODEIntegration.Fields.self), describe(Divergence.Fields.self), describe(Deviation.Fields.self),
        describe(Files.Fields.self), describe(Timing.Fields.self),
    ]

    static func describe<F: ResultFields>(_ type: F.Type) -> (path: String, fields: [(name: String, meaning: String)]) {
        (F.path, F.allCases.map { ($0.rawValue, $0.meaning) })
    }
}

extension ResultDocument {
    /// Why a job did not finish (`error`): a message, and for a rejection where in the file.
    public struct ErrorInfo: Sendable, Equatable {
        public enum Fields: String, ResultFields {
            case message, key, line, column
            public static let path = "error"
            public var meaning: String {
                switch self {
                case .message: return "what went wrong, for people"
                case .key: return "a rejection: the job key at fault"
                case .line, .column: return "a rejection for a JSON syntax error: where it is (1-based)"
                }
            }
        }

        public var message: String?
        public var key: String?
        public var line: Int?
        public var column: Int?

        public init(message: String?, key: String? = nil, line: Int? = nil, column: Int? = nil) {
            self.message = message
            self.key = key
            self.line = line
            self.column = column
        }

        var json: JSONValue {
            var w = ResultObjectWriter<Fields>()
            w.omittable(.message, message.map(JSONValue.string))
            w.omittable(.key, key.map(JSONValue.string))
            w.omittable(.line, line.map(JSONValue.int))
            w.omittable(.column, column.map(JSONValue.int))
            return w.json
        }

        /// Also reads the plain message some early bundles wrote as `"error": "…"`.
        init(json: JSONValue) {
            if case .string(let text) = json { self.init(message: text); return }
            let r = ResultObjectReader<Fields>(json: json)
            self.init(message: r.string(.message), key: r.string(.key), line: r.int(.line), column: r.int(.column))
        }
    }

    /// One sweep point (`points[]`).
    public struct Point: Sendable, Equatable {
        public enum Fields: String, ResultFields {
            case index, parameters, folder, runs
            case finalEgMean = "final_eg_mean"
            case finalEgStderr = "final_eg_stderr"
            case finalEgODE = "final_eg_ode"
            case ode
            case maxRelDeviation = "max_rel_deviation"

            public static let path = "points[]"
            public var meaning: String {
                switch self {
                case .index: return "the point's place in the sweep, from 0"
                case .parameters: return "the swept keys' values at this point (an empty object without a sweep)"
                case .folder: return "its sub-folder (empty without a sweep)"
                case .runs: return "one per simulation run (below)"
                case .finalEgMean: return "mean final ε_g of the finished runs (null when none finished)"
                case .finalEgStderr: return "its standard error (null for one seed)"
                case .finalEgODE: return "mean final ε_g of the ODE integrations (null without)"
                case .ode: return "one per ODE integration (below; left out without)"
                case .maxRelDeviation: return "`compare`: the largest relative deviation at this point (below)"
                }
            }
        }

        public var index: Int?
        /// The swept values at this point, in sweep order (keys are job keys).
        public var parameters: JSONValue?
        public var folder: String?
        public var runs: [Run]
        public var finalEgMean: Double?
        public var finalEgStderr: Double?
        public var finalEgODE: Double?
        /// Nil (left out) when the point has no integrations.
        public var ode: [ODEIntegration]?
        public var maxRelDeviation: Deviation?

        public init(index: Int?, parameters: JSONValue?, folder: String?, runs: [Run], finalEgMean: Double?, finalEgStderr: Double?,
                    finalEgODE: Double?, ode: [ODEIntegration]?, maxRelDeviation: Deviation?) {
            self.index = index
            self.parameters = parameters
            self.folder = folder
            self.runs = runs
            self.finalEgMean = finalEgMean
            self.finalEgStderr = finalEgStderr
            self.finalEgODE = finalEgODE
            self.ode = ode
            self.maxRelDeviation = maxRelDeviation
        }

        var json: JSONValue {
            var w = ResultObjectWriter<Fields>()
            w.omittable(.index, index.map(JSONValue.int))
            w.omittable(.parameters, parameters)
            w.omittable(.folder, folder.map(JSONValue.string))
            w.put(.runs, .array(runs.map(\.json)))
            w.put(.finalEgMean, .double(finalEgMean))
            w.put(.finalEgStderr, .double(finalEgStderr))
            w.put(.finalEgODE, .double(finalEgODE))
            w.omittable(.ode, ode.flatMap { $0.isEmpty ? nil : JSONValue.array($0.map(\.json)) })
            w.omittable(.maxRelDeviation, maxRelDeviation?.json)
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(index: r.int(.index), parameters: r[.parameters], folder: r.string(.folder), runs: r.array(.runs, Run.init(json:)) ?? [],
                      finalEgMean: r.double(.finalEgMean), finalEgStderr: r.double(.finalEgStderr), finalEgODE: r.double(.finalEgODE),
                      ode: r.array(.ode, ODEIntegration.init(json:)), maxRelDeviation: r.object(.maxRelDeviation, Deviation.init(json:)))
        }

        /// `K=4, lr=0.5` from the swept values; empty without a sweep.
        public var label: String {
            guard case .object(let members)? = parameters else { return "" }
            return members.map { "\($0.key)=\($0.value.scalarText ?? $0.value.literal)" }.joined(separator: ", ")
        }
    }

    /// One simulation run (`points[].runs[]`).
    public struct Run: Sendable, Equatable {
        public enum Fields: String, ResultFields {
            case seed
            case finalEg = "final_eg"
            case finalEt = "final_et"
            case finalEgMC = "final_eg_mc"
            case steps, complete, csv
            case divergedAt = "diverged_at"
            case finalEgODE = "final_eg_ode"
            case maxRelDeviation = "max_rel_deviation"

            public static let path = "points[].runs[]"
            public var meaning: String {
                switch self {
                case .seed: return "the run's seed"
                case .finalEg: return "ε_g at its last record (null for a diverged run)"
                case .finalEt: return "the training error there (with `training_set`; left out otherwise)"
                case .finalEgMC: return "the Monte Carlo test-set ε_g there (with `mc_test_set`; left out otherwise)"
                case .steps: return "SGD steps done"
                case .complete: return "whether it reached `t_max` without diverging"
                case .csv: return "its trajectory's path in the bundle"
                case .divergedAt: return "when it diverged (below; left out otherwise)"
                case .finalEgODE: return "`compare`: the final ε_g of the ODE started from its initial weights"
                case .maxRelDeviation: return "`compare`: the largest relative deviation between it and that ODE (below)"
                }
            }
        }

        public var seed: UInt64?
        public var finalEg: Double?
        /// Left out when nil; NaN when result.json says `null` (the value was not finite).
        public var finalEt: Double?
        public var finalEgMC: Double?
        public var steps: Int?
        public var complete: Bool?
        public var csv: String?
        public var divergedAt: Divergence?
        /// Written (null when the ODE has no record) exactly when `maxRelDeviation` is.
        public var finalEgODE: Double?
        public var maxRelDeviation: Deviation?

        public init(seed: UInt64?, finalEg: Double?, finalEt: Double? = nil, finalEgMC: Double? = nil, steps: Int?, complete: Bool?,
                    csv: String?, divergedAt: Divergence? = nil, finalEgODE: Double? = nil, maxRelDeviation: Deviation? = nil) {
            self.seed = seed
            self.finalEg = finalEg
            self.finalEt = finalEt
            self.finalEgMC = finalEgMC
            self.steps = steps
            self.complete = complete
            self.csv = csv
            self.divergedAt = divergedAt
            self.finalEgODE = finalEgODE
            self.maxRelDeviation = maxRelDeviation
        }

        var json: JSONValue {
            var w = ResultObjectWriter<Fields>()
            w.omittable(.seed, seed.map(JSONValue.seed))
            w.put(.finalEg, .double(finalEg))
            w.omittable(.finalEt, finalEt.map(JSONValue.double))
            w.omittable(.finalEgMC, finalEgMC.map(JSONValue.double))
            w.omittable(.steps, steps.map(JSONValue.int))
            w.omittable(.complete, complete.map(JSONValue.bool))
            w.omittable(.csv, csv.map(JSONValue.string))
            w.omittable(.divergedAt, divergedAt?.json)
            if let maxRelDeviation {
                w.put(.finalEgODE, .double(finalEgODE))
                w.put(.maxRelDeviation, maxRelDeviation.json)
            }
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(seed: r.seed(.seed), finalEg: r.double(.finalEg), finalEt: r.presentDouble(.finalEt), finalEgMC: r.presentDouble(.finalEgMC),
                      steps: r.int(.steps), complete: r.bool(.complete), csv: r.string(.csv), divergedAt: r.object(.divergedAt, Divergence.init(json:)),
                      finalEgODE: r.double(.finalEgODE), maxRelDeviation: r.object(.maxRelDeviation, Deviation.init(json:)))
        }
    }

    /// One ODE integration (`points[].ode[]`).
    public struct ODEIntegration: Sendable, Equatable {
        public enum Fields: String, ResultFields {
            case seed
            case finalEg = "final_eg"
            case csv, method, steps
            case rejectedSteps = "rejected_steps"
            case rhsEvaluations = "rhs_evaluations"
            case errorEstimate = "error_estimate"
            case divergedAt = "diverged_at"

            public static let path = "points[].ode[]"
            public var meaning: String {
                switch self {
                case .seed: return "the seed whose initial weights it started from (null for an `ode` job with `initial`)"
                case .finalEg: return "ε_g at its last record"
                case .csv: return "its trajectory's path in the bundle"
                case .method: return "the integrator"
                case .steps: return "integrator steps taken"
                case .rejectedSteps: return "steps the adaptive integrator rejected"
                case .rhsEvaluations: return "evaluations of the right-hand side"
                case .errorEstimate: return "the integrator's estimate of its error in ε_g"
                case .divergedAt: return "when it diverged (below; left out otherwise)"
                }
            }
        }

        public var seed: UInt64?
        public var finalEg: Double?
        public var csv: String?
        public var method: String?
        public var steps: Int?
        public var rejectedSteps: Int?
        public var rhsEvaluations: Int?
        public var errorEstimate: Double?
        public var divergedAt: Divergence?

        public init(seed: UInt64?, finalEg: Double?, csv: String?, method: String?, steps: Int?, rejectedSteps: Int?, rhsEvaluations: Int?,
                    errorEstimate: Double?, divergedAt: Divergence?) {
            self.seed = seed
            self.finalEg = finalEg
            self.csv = csv
            self.method = method
            self.steps = steps
            self.rejectedSteps = rejectedSteps
            self.rhsEvaluations = rhsEvaluations
            self.errorEstimate = errorEstimate
            self.divergedAt = divergedAt
        }

        var json: JSONValue {
            var w = ResultObjectWriter<Fields>()
            w.put(.seed, seed.map(JSONValue.seed) ?? .null)
            w.put(.finalEg, .double(finalEg))
            w.omittable(.csv, csv.map(JSONValue.string))
            w.omittable(.method, method.map(JSONValue.string))
            w.omittable(.steps, steps.map(JSONValue.int))
            w.omittable(.rejectedSteps, rejectedSteps.map(JSONValue.int))
            w.omittable(.rhsEvaluations, rhsEvaluations.map(JSONValue.int))
            w.put(.errorEstimate, .double(errorEstimate))
            w.omittable(.divergedAt, divergedAt?.json)
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(seed: r.seed(.seed), finalEg: r.double(.finalEg), csv: r.string(.csv), method: r.string(.method), steps: r.int(.steps),
                      rejectedSteps: r.int(.rejectedSteps), rhsEvaluations: r.int(.rhsEvaluations), errorEstimate: r.double(.errorEstimate),
                      divergedAt: r.object(.divergedAt, Divergence.init(json:)))
        }
    }

    /// Where a run or an integration diverged (`diverged_at`).
    public struct Divergence: Sendable, Equatable {
        public enum Fields: String, ResultFields {
            case t, step
            public static let path = "…diverged_at"
            public var meaning: String {
                switch self {
                case .t: return "a run: the time of the step at which a value became infinite or NaN; an integration: its last finite time"
                case .step: return "a run: that SGD step (left out for an integration)"
                }
            }
        }

        public var t: Double?
        public var step: Int?

        public init(t: Double?, step: Int?) {
            self.t = t
            self.step = step
        }

        var json: JSONValue {
            var w = ResultObjectWriter<Fields>()
            w.put(.t, .double(t))
            w.omittable(.step, step.map(JSONValue.int))
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(t: r.double(.t), step: r.int(.step))
        }
    }

    /// The largest relative deviation of ε_g between simulation and ODE (`max_rel_deviation`):
    /// of a run, of a point, or of the whole job (which also says where: `point` and `seed`).
    public struct Deviation: Sendable, Equatable {
        public enum Fields: String, ResultFields {
            case value, t, point, seed
            case egSimulation = "eg_simulation"
            case egODE = "eg_ode"
            public static let path = "…max_rel_deviation"
            public var meaning: String {
                switch self {
                case .value: return "|ε_sim − ε_ode| / ε_ode at its largest (null when infinite: ε_ode = 0 < ε_sim)"
                case .t: return "the time where it is largest"
                case .point: return "the job's: the sweep point's `index`"
                case .seed: return "the job's: the run's seed"
                case .egSimulation: return "the simulation's ε_g there"
                case .egODE: return "the ODE's ε_g there"
                }
            }
        }

        public var value: Double?
        public var t: Double?
        public var point: Int?
        public var seed: UInt64?
        public var egSimulation: Double?
        public var egODE: Double?

        public init(value: Double?, t: Double?, point: Int? = nil, seed: UInt64? = nil, egSimulation: Double?, egODE: Double?) {
            self.value = value
            self.t = t
            self.point = point
            self.seed = seed
            self.egSimulation = egSimulation
            self.egODE = egODE
        }

        var json: JSONValue {
            var w = ResultObjectWriter<Fields>()
            w.put(.value, .double(value))
            w.put(.t, .double(t))
            w.omittable(.point, point.map(JSONValue.int))
            w.omittable(.seed, seed.map(JSONValue.seed))
            w.put(.egSimulation, .double(egSimulation))
            w.put(.egODE, .double(egODE))
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(value: r.double(.value), t: r.double(.t), point: r.int(.point), seed: r.seed(.seed),
                      egSimulation: r.double(.egSimulation), egODE: r.double(.egODE))
        }
    }

    /// Which file holds what (`files`); a rejection has no README.txt, summary, trajectories or plots.
    public struct Files: Sendable, Equatable {
        public enum Fields: String, ResultFields {
            case readme, page, job, summary, log, manifest, trajectories, plots
            public static let path = "files"
            public var meaning: String {
                switch self {
                case .readme: return "README.txt"
                case .page: return "index.html"
                case .job: return "job.json"
                case .summary: return "summary.csv"
                case .log: return "log.txt"
                case .manifest: return "manifest.json"
                case .trajectories: return "every CSV but summary.csv"
                case .plots: return "every SVG"
                }
            }
        }

        public var readme: String?
        public var page: String?
        public var job: String?
        public var summary: String?
        public var log: String?
        public var manifest: String?
        public var trajectories: [String]?
        public var plots: [String]?

        /// The files of a bundle of a job that ran.
        static func ran(trajectories: [String], plots: [String]) -> Files {
            Files(readme: "README.txt", page: "index.html", job: "job.json", summary: "summary.csv", log: "log.txt", manifest: "manifest.json",
                  trajectories: trajectories, plots: plots)
        }

        /// The files of a rejection's bundle.
        static let rejection = Files(readme: nil, page: "index.html", job: "job.json", summary: nil, log: "log.txt", manifest: "manifest.json",
                                     trajectories: nil, plots: nil)

        public init(readme: String?, page: String?, job: String?, summary: String?, log: String?, manifest: String?,
                    trajectories: [String]?, plots: [String]?) {
            self.readme = readme
            self.page = page
            self.job = job
            self.summary = summary
            self.log = log
            self.manifest = manifest
            self.trajectories = trajectories
            self.plots = plots
        }

        var json: JSONValue {
            var w = ResultObjectWriter<Fields>()
            w.omittable(.readme, readme.map(JSONValue.string))
            w.omittable(.page, page.map(JSONValue.string))
            w.omittable(.job, job.map(JSONValue.string))
            w.omittable(.summary, summary.map(JSONValue.string))
            w.omittable(.log, log.map(JSONValue.string))
            w.omittable(.manifest, manifest.map(JSONValue.string))
            w.omittable(.trajectories, trajectories.map { .array($0.map(JSONValue.string)) })
            w.omittable(.plots, plots.map { .array($0.map(JSONValue.string)) })
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(readme: r.string(.readme), page: r.string(.page), job: r.string(.job), summary: r.string(.summary), log: r.string(.log),
                      manifest: r.string(.manifest), trajectories: r.strings(.trajectories), plots: r.strings(.plots))
        }
    }

    /// How long the job took (`timing`).
    public struct Timing: Sendable, Equatable {
        public enum Fields: String, ResultFields {
            case startedAt = "started_at"
            case finishedAt = "finished_at"
            case wallSeconds = "wall_seconds"
            case steps
            case stepsPerSecond = "steps_per_second"
            case resumes
            public static let path = "timing"
            public var meaning: String {
                switch self {
                case .startedAt: return "when it started (ISO 8601, UTC)"
                case .finishedAt: return "when it finished"
                case .wallSeconds: return "seconds between the two (to the millisecond)"
                case .steps: return "SGD steps of all its runs"
                case .stepsPerSecond: return "steps / wall_seconds, rounded"
                case .resumes: return "how many times it was resumed from checkpoints"
                }
            }
        }

        public var startedAt: String?
        public var finishedAt: String?
        public var wallSeconds: Double?
        public var steps: Int?
        public var stepsPerSecond: Double?
        public var resumes: Int?

        public init(startedAt: String?, finishedAt: String?, wallSeconds: Double?, steps: Int?, stepsPerSecond: Double?, resumes: Int?) {
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.wallSeconds = wallSeconds
            self.steps = steps
            self.stepsPerSecond = stepsPerSecond
            self.resumes = resumes
        }

        var json: JSONValue {
            var w = ResultObjectWriter<Fields>()
            w.omittable(.startedAt, startedAt.map(JSONValue.string))
            w.omittable(.finishedAt, finishedAt.map(JSONValue.string))
            w.put(.wallSeconds, .double(wallSeconds))
            w.omittable(.steps, steps.map(JSONValue.int))
            w.put(.stepsPerSecond, .double(stepsPerSecond))
            w.omittable(.resumes, resumes.map(JSONValue.int))
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(startedAt: r.string(.startedAt), finishedAt: r.string(.finishedAt), wallSeconds: r.double(.wallSeconds), steps: r.int(.steps),
                      stepsPerSecond: r.double(.stepsPerSecond), resumes: r.int(.resumes))
        }
    }
}
