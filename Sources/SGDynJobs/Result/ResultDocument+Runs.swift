/// The members of result.json's `points`: a sweep point, its simulation runs and its ODE
/// integrations (see `ResultDocument`).
extension ResultDocument {
    /// One sweep point (`points[]`).
    public struct Point: Sendable, Equatable {
        public enum Fields: String, ResultFields {
            case index, parameters, folder, runs
            case finalEgMean = "final_eg_mean"
            case finalEgStderr = "final_eg_stderr"
            case finalEgODE = "final_eg_ode"
            case finalCerrMean = "final_cerr_mean"
            case finalCerrStderr = "final_cerr_stderr"
            case stoppedEarly = "stopped_early"
            case meanStopT = "mean_stop_t"
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
                case .finalCerrMean: return "classification (`task` \"classify\"): mean final classification error of the finished runs (null when none finished; left out for other jobs)"
                case .finalCerrStderr: return "classification: its standard error (null for one seed; left out for other jobs)"
                case .stoppedEarly: return "with `stop_below`: how many runs stopped early below it (left out for other jobs)"
                case .meanStopT: return "with `stop_below`: the mean time at which they stopped (null when none did; left out for other jobs)"
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
        /// Left out when nil (jobs without `task` "classify"); NaN when result.json says `null`.
        public var finalCerrMean: Double?
        public var finalCerrStderr: Double?
        /// Left out when nil (jobs without `stop_below`).
        public var stoppedEarly: Int?
        /// Left out when nil (jobs without `stop_below`); NaN when result.json says `null`.
        public var meanStopT: Double?
        /// Nil (left out) when the point has no integrations.
        public var ode: [ODEIntegration]?
        public var maxRelDeviation: Deviation?

        public init(index: Int?, parameters: JSONValue?, folder: String?, runs: [Run], finalEgMean: Double?, finalEgStderr: Double?,
                    finalEgODE: Double?, finalCerrMean: Double? = nil, finalCerrStderr: Double? = nil, stoppedEarly: Int? = nil,
                    meanStopT: Double? = nil, ode: [ODEIntegration]?, maxRelDeviation: Deviation?) {
            self.index = index
            self.parameters = parameters
            self.folder = folder
            self.runs = runs
            self.finalEgMean = finalEgMean
            self.finalEgStderr = finalEgStderr
            self.finalEgODE = finalEgODE
            self.finalCerrMean = finalCerrMean
            self.finalCerrStderr = finalCerrStderr
            self.stoppedEarly = stoppedEarly
            self.meanStopT = meanStopT
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
            w.omittable(.finalCerrMean, finalCerrMean.map(JSONValue.double))
            w.omittable(.finalCerrStderr, finalCerrStderr.map(JSONValue.double))
            w.omittable(.stoppedEarly, stoppedEarly.map(JSONValue.int))
            w.omittable(.meanStopT, meanStopT.map(JSONValue.double))
            w.omittable(.ode, ode.flatMap { $0.isEmpty ? nil : JSONValue.array($0.map(\.json)) })
            w.omittable(.maxRelDeviation, maxRelDeviation?.json)
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(index: r.int(.index), parameters: r[.parameters], folder: r.string(.folder), runs: r.array(.runs, Run.init(json:)) ?? [],
                      finalEgMean: r.double(.finalEgMean), finalEgStderr: r.double(.finalEgStderr), finalEgODE: r.double(.finalEgODE),
                      finalCerrMean: r.presentDouble(.finalCerrMean), finalCerrStderr: r.presentDouble(.finalCerrStderr),
                      stoppedEarly: r.int(.stoppedEarly), meanStopT: r.presentDouble(.meanStopT),
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
            case finalCerr = "final_cerr"
            case finalCerrTrain = "final_cerr_train"
            case steps, complete, csv
            case divergedAt = "diverged_at"
            case stoppedEarly = "stopped_early"
            case finalEgODE = "final_eg_ode"
            case maxRelDeviation = "max_rel_deviation"

            public static let path = "points[].runs[]"
            public var meaning: String {
                switch self {
                case .seed: return "the run's seed"
                case .finalEg: return "ε_g at its last record (null for a diverged run)"
                case .finalEt: return "the training error there (with `training_set`; left out otherwise)"
                case .finalEgMC: return "the Monte Carlo test-set ε_g there (with `mc_test_set`; left out otherwise)"
                case .finalCerr: return "classification: the fraction of wrong signs on the test set there (left out otherwise)"
                case .finalCerrTrain: return "classification with `training_set`: the same on the training set, with its labels as trained on (left out otherwise)"
                case .steps: return "SGD steps done"
                case .complete: return "whether it reached `t_max` (or stopped early below `stop_below`) without diverging"
                case .csv: return "its trajectory's path in the bundle"
                case .divergedAt: return "when it diverged (below; left out otherwise)"
                case .stoppedEarly: return "when it ended below `stop_below` (below; left out otherwise)"
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
        /// Left out when nil; NaN when result.json says `null`.
        public var finalCerr: Double?
        public var finalCerrTrain: Double?
        public var steps: Int?
        public var complete: Bool?
        public var csv: String?
        public var divergedAt: Divergence?
        public var stoppedEarly: EarlyStop?
        /// Written (null when the ODE has no record) exactly when `maxRelDeviation` is.
        public var finalEgODE: Double?
        public var maxRelDeviation: Deviation?

        public init(seed: UInt64?, finalEg: Double?, finalEt: Double? = nil, finalEgMC: Double? = nil, finalCerr: Double? = nil,
                    finalCerrTrain: Double? = nil, steps: Int?, complete: Bool?, csv: String?, divergedAt: Divergence? = nil,
                    stoppedEarly: EarlyStop? = nil, finalEgODE: Double? = nil, maxRelDeviation: Deviation? = nil) {
            self.seed = seed
            self.finalEg = finalEg
            self.finalEt = finalEt
            self.finalEgMC = finalEgMC
            self.finalCerr = finalCerr
            self.finalCerrTrain = finalCerrTrain
            self.steps = steps
            self.complete = complete
            self.csv = csv
            self.divergedAt = divergedAt
            self.stoppedEarly = stoppedEarly
            self.finalEgODE = finalEgODE
            self.maxRelDeviation = maxRelDeviation
        }

        var json: JSONValue {
            var w = ResultObjectWriter<Fields>()
            w.omittable(.seed, seed.map(JSONValue.seed))
            w.put(.finalEg, .double(finalEg))
            w.omittable(.finalEt, finalEt.map(JSONValue.double))
            w.omittable(.finalEgMC, finalEgMC.map(JSONValue.double))
            w.omittable(.finalCerr, finalCerr.map(JSONValue.double))
            w.omittable(.finalCerrTrain, finalCerrTrain.map(JSONValue.double))
            w.omittable(.steps, steps.map(JSONValue.int))
            w.omittable(.complete, complete.map(JSONValue.bool))
            w.omittable(.csv, csv.map(JSONValue.string))
            w.omittable(.divergedAt, divergedAt?.json)
            w.omittable(.stoppedEarly, stoppedEarly?.json)
            if let maxRelDeviation {
                w.put(.finalEgODE, .double(finalEgODE))
                w.put(.maxRelDeviation, maxRelDeviation.json)
            }
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(seed: r.seed(.seed), finalEg: r.double(.finalEg), finalEt: r.presentDouble(.finalEt), finalEgMC: r.presentDouble(.finalEgMC),
                      finalCerr: r.presentDouble(.finalCerr), finalCerrTrain: r.presentDouble(.finalCerrTrain),
                      steps: r.int(.steps), complete: r.bool(.complete), csv: r.string(.csv), divergedAt: r.object(.divergedAt, Divergence.init(json:)),
                      stoppedEarly: r.object(.stoppedEarly, EarlyStop.init(json:)),
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
            case underResolvedFrom = "under_resolved_from"
            case underResolvedEvaluations = "under_resolved_evaluations"

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
                case .underResolvedFrom:
                    return "the time from which some right-hand sides took a quadrature at its cap on the work (the fields had grown "
                        + "beyond the scale it resolves), so their integrals are less accurate than the error budget: the records "
                        + "after it may be off by more than the tolerance (docs/numerics.md \"Where the rules cap their work\"; "
                        + "left out when none did)"
                case .underResolvedEvaluations: return "how many right-hand sides did (left out when none)"
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
        public var underResolvedFrom: Double?
        public var underResolvedEvaluations: Int?

        public init(seed: UInt64?, finalEg: Double?, csv: String?, method: String?, steps: Int?, rejectedSteps: Int?, rhsEvaluations: Int?,
                    errorEstimate: Double?, divergedAt: Divergence?, underResolvedFrom: Double? = nil, underResolvedEvaluations: Int? = nil) {
            self.seed = seed
            self.finalEg = finalEg
            self.csv = csv
            self.method = method
            self.steps = steps
            self.rejectedSteps = rejectedSteps
            self.rhsEvaluations = rhsEvaluations
            self.errorEstimate = errorEstimate
            self.divergedAt = divergedAt
            self.underResolvedFrom = underResolvedFrom
            self.underResolvedEvaluations = underResolvedEvaluations
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
            w.omittable(.underResolvedFrom, underResolvedFrom.map { .double($0) })
            w.omittable(.underResolvedEvaluations, underResolvedEvaluations.map(JSONValue.int))
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(seed: r.seed(.seed), finalEg: r.double(.finalEg), csv: r.string(.csv), method: r.string(.method), steps: r.int(.steps),
                      rejectedSteps: r.int(.rejectedSteps), rhsEvaluations: r.int(.rhsEvaluations), errorEstimate: r.double(.errorEstimate),
                      divergedAt: r.object(.divergedAt, Divergence.init(json:)),
                      underResolvedFrom: r.double(.underResolvedFrom), underResolvedEvaluations: r.int(.underResolvedEvaluations))
        }
    }
}
