/// The widest result.json of a job's shape, for `BundleSizeEstimate`: every member a document
/// can have is present (even members that never appear together, such as `diverged_at` and a
/// run's `max_rel_deviation`), every number is as long as sgdyn ever writes one, every seed 20
/// digits. Its encoding bounds the real document's size from above, field by field, so a field
/// added to `ResultDocument` is in the bound as soon as it is here — and `ResultDocumentTests`
/// fails while it is not (the widest document must write every field of every `Fields` enum).
enum WidestResult {
    /// The longest number `JSONWriter.format` writes: 24 characters.
    static let number = -1.2345678901234567e-123
    /// The longest integer: 20 characters.
    static let integer = Int.min
    /// The longest seed: 20 digits.
    static let seed = UInt64.max
    /// A time as `Timing` writes it (ISO 8601, whole seconds, UTC).
    static let time = "2025-06-01T02:03:04Z"
    /// The longest status and kind.
    static let status = "cancelled", kind = "simulate"
    /// The reason of a cancelled or failed job (a daemon message; a rejection is not estimated).
    static let errorMessage = String(repeating: "x", count: 2_000)
    /// The longest submitter: a user name as long as the system allows (LOGIN_NAME_MAX, 256).
    static let submitter = String(repeating: "u", count: 256)

    static let divergence = ResultDocument.Divergence(t: number, step: integer)
    static let earlyStop = ResultDocument.EarlyStop(t: number, step: integer, eg: number, stopBelow: number)
    static let deviation = ResultDocument.Deviation(value: number, t: number, egSimulation: number, egODE: number)
    static let jobDeviation = ResultDocument.Deviation(value: number, t: number, point: integer, seed: seed, egSimulation: number, egODE: number)

    /// Which members only some jobs have are in the bound: classification (`task` "classify" at
    /// some point) and early stops (`stop_below` at some point), as `ResultBundle` writes them,
    /// so that other jobs' bound stays as tight as before those members existed.
    struct Shape: Sendable {
        var classify = true
        var stopping = true
        static let all = Shape()

        init(classify: Bool = true, stopping: Bool = true) {
            self.classify = classify
            self.stopping = stopping
        }

        init(_ spec: JobSpec) {
            classify = spec.points.contains { $0.parameters.task == .classify }
            stopping = spec.points.contains { $0.parameters.stopBelow != nil }
        }
    }

    /// A simulation run's document in the bundle's top folder (a sweep point's folder adds its
    /// name and a slash to `csv`).
    static func shapedRun(_ shape: Shape) -> ResultDocument.Run {
        ResultDocument.Run(seed: seed, finalEg: number, finalEt: number, finalEgMC: number, finalCerr: shape.classify ? number : nil,
                           finalCerrTrain: shape.classify ? number : nil, steps: integer, complete: false, csv: "seed-\(seed).csv",
                           divergedAt: divergence, stoppedEarly: shape.stopping ? earlyStop : nil, finalEgODE: number, maxRelDeviation: deviation)
    }
    /// The widest run of any job.
    static let run = shapedRun(.all)
    /// An ODE integration's document, likewise.
    static let ode = ResultDocument.ODEIntegration(seed: seed, finalEg: number, csv: "ode-seed-\(seed).csv", method: "adaptive", steps: integer,
                                                   rejectedSteps: integer, rhsEvaluations: integer, errorEstimate: number, divergedAt: divergence,
                                                   underResolvedFrom: number, underResolvedEvaluations: integer)

    /// A sweep point without its runs and integrations (`runs` and `ode` empty).
    static func point(parameters: JSONValue, folder: String, shape: Shape = .all) -> ResultDocument.Point {
        ResultDocument.Point(index: integer, parameters: parameters, folder: folder, runs: [], finalEgMean: number, finalEgStderr: number,
                             finalEgODE: number, finalCerrMean: shape.classify ? number : nil, finalCerrStderr: shape.classify ? number : nil,
                             stoppedEarly: shape.stopping ? integer : nil, meanStopT: shape.stopping ? number : nil,
                             ode: [], maxRelDeviation: deviation)
    }

    /// A job's weight sources at their widest: four files (B, v*, W, v), each reference and path
    /// as long as `WeightReference` allows, a SHA-256 in hex.
    static let weightSources = Array(repeating: ResultDocument.WeightSource(
        key: "student_from", from: String(repeating: "x", count: WeightReference.maxLength),
        path: String(repeating: "x", count: WeightReference.maxLength + WeightReference.maxPathExtra), sha256: String(repeating: "0", count: 64)), count: 4)

    static let timing = ResultDocument.Timing(startedAt: time, finishedAt: time, wallSeconds: number, steps: integer, stepsPerSecond: number,
                                              resumes: integer)

    /// The document of a job, given its points (the lists of files empty; `files.weights`, one
    /// path here, is bounded with the `.npy` files themselves by `BundleSizeEstimate`).
    /// `weightsFrom`: the sources of a job with `teacher_from` or `student_from` (the widest
    /// four by default); nil for other jobs, whose bound stays as it was.
    static func document(name: String, job: JSONValue, warnings: [String], points: [ResultDocument.Point],
                         weightsFrom: [ResultDocument.WeightSource]? = weightSources) -> ResultDocument {
        ResultDocument(status: status, name: name, submitter: submitter, kind: kind, error: ResultDocument.ErrorInfo(message: errorMessage, key: "", line: integer, column: integer),
                       job: job, dataSet: ResultDocument.DataSetInfo(trainSamples: integer, testSamples: integer, inputs: integer),
                       warnings: warnings, weightsFrom: weightsFrom, points: points, maxRelDeviation: jobDeviation,
                       files: .ran(trajectories: [], plots: [], weights: [""]), timing: timing)
    }

    /// The bytes one element adds to a list of objects at `level` of the pretty-printed document
    /// (result.json's `points` is at level 1, a point's `runs` and `ode` at level 3): its text,
    /// its indent, a comma and a newline.
    static func elementBytes(_ value: JSONValue, level: Int) -> Int {
        var out = ""
        JSONWriter.write(value, to: &out, indent: "  ", level: level + 1)
        return out.utf8.count + 2 * (level + 1) + 2
    }

    /// A path in `files.trajectories` (`, "…"`).
    static func listedPathBytes(_ path: String) -> Int { path.utf8.count + 4 }

    /// A run's bytes in result.json — its document and its CSV's entry in `files` — in the top
    /// folder; a sweep point's folder adds `2 * (folder + 1)`.
    static func shapedRunBytes(_ shape: Shape) -> Int { elementBytes(shapedRun(shape).json, level: 3) + listedPathBytes(shapedRun(shape).csv ?? "") }
    static let runBytes = shapedRunBytes(.all)
    static let odeBytes = elementBytes(ode.json, level: 3) + listedPathBytes(ode.csv ?? "")
    /// What an empty list turning into a list of one costs beyond one element (brackets on
    /// their own lines), per list.
    static let listBytes = 16
}
