/// The small objects of result.json: where something diverged, a deviation between simulation
/// and ODE, which file holds what, and the timing (see `ResultDocument`).
extension ResultDocument {
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

    /// Where a run ended early because ε_g fell below `stop_below` (`stopped_early`).
    public struct EarlyStop: Sendable, Equatable {
        public enum Fields: String, ResultFields {
            case t, step, eg
            case stopBelow = "stop_below"
            case reason
            public static let path = "points[].runs[].stopped_early"
            public var meaning: String {
                switch self {
                case .t: return "the output time at which it stopped"
                case .step: return "that SGD step"
                case .eg: return "ε_g there (below `stop_below`)"
                case .stopBelow: return "the job's `stop_below`"
                case .reason: return "why, for people: `\"eg fell below stop_below\"`"
                }
            }
        }

        /// What `reason` says for every early stop sgdyn makes.
        public static let belowThreshold = "eg fell below stop_below"

        public var t: Double?
        public var step: Int?
        public var eg: Double?
        public var stopBelow: Double?
        public var reason: String?

        public init(t: Double?, step: Int?, eg: Double?, stopBelow: Double?, reason: String? = EarlyStop.belowThreshold) {
            self.t = t
            self.step = step
            self.eg = eg
            self.stopBelow = stopBelow
            self.reason = reason
        }

        var json: JSONValue {
            var w = ResultObjectWriter<Fields>()
            w.put(.t, .double(t))
            w.omittable(.step, step.map(JSONValue.int))
            w.put(.eg, .double(eg))
            w.put(.stopBelow, .double(stopBelow))
            w.omittable(.reason, reason.map(JSONValue.string))
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(t: r.double(.t), step: r.int(.step), eg: r.double(.eg), stopBelow: r.double(.stopBelow), reason: r.string(.reason))
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
            case readme, page, job, summary, log, manifest, trajectories, plots, weights
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
                case .weights: return "every `.npy` file (`store_weights`; left out when there are none)"
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
        /// Left out when nil or empty.
        public var weights: [String]?

        /// The files of a bundle of a job that ran.
        static func ran(trajectories: [String], plots: [String], weights: [String] = []) -> Files {
            Files(readme: "README.txt", page: "index.html", job: "job.json", summary: "summary.csv", log: "log.txt", manifest: "manifest.json",
                  trajectories: trajectories, plots: plots, weights: weights)
        }

        /// The files of a rejection's bundle.
        static let rejection = Files(readme: nil, page: "index.html", job: "job.json", summary: nil, log: "log.txt", manifest: "manifest.json",
                                     trajectories: nil, plots: nil)

        public init(readme: String?, page: String?, job: String?, summary: String?, log: String?, manifest: String?,
                    trajectories: [String]?, plots: [String]?, weights: [String]? = nil) {
            self.readme = readme
            self.page = page
            self.job = job
            self.summary = summary
            self.log = log
            self.manifest = manifest
            self.trajectories = trajectories
            self.plots = plots
            self.weights = weights
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
            w.omittable(.weights, weights.flatMap { $0.isEmpty ? nil : .array($0.map(JSONValue.string)) })
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(readme: r.string(.readme), page: r.string(.page), job: r.string(.job), summary: r.string(.summary), log: r.string(.log),
                      manifest: r.string(.manifest), trajectories: r.strings(.trajectories), plots: r.strings(.plots),
                      weights: r.strings(.weights))
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
