import SGDynCore

/// The job-file format as one table: every key a job file may contain, in the order the docs
/// list them and result.json echoes them. Parsing (`JobParser`), the sweep, the normalised job,
/// "did you mean" suggestions and docs/job-files.md all come from here, so a new key is one
/// entry below (plus its field in `JobDraft`); `JobSchemaTests` fails when the docs disagree.
enum JobSchema {
    static let fields: [JobField<JobDraft>] = [
        JobField("kind", .choice(JobKind.self), default: .string("simulate"),
                 meaning: "`simulate`: SGD simulations; `ode`: integrate the ODEs (N → ∞); `compare`: both from identical initial conditions, with their deviation",
                 store: { $0.kind = $1 }, normalised: { .string($0.kind.rawValue) }),
        JobField("name", .jobName, default: nil, defaultText: "the file name without `.json`",
                 meaning: "names the result bundle",
                 store: { $0.name = $1 }, normalised: { .string($0.name ?? "") }),
        JobField("description", .string, default: nil,
                 meaning: "free text for your notes, kept in result.json (left out of it when not given)",
                 store: { $0.description = $1 }, normalised: { $0.description.map { .string($0) } }),
        JobField("N", .integer(min: 1), default: .number("500"), sweepable: true,
                 meaning: "input dimension (used by `ode` only to draw the initial conditions)",
                 store: { $0.simulation.N = $1 }, normalised: { .int($0.simulation.N) }),
        JobField("M", .integer(min: 1, max: JobLimits.maxUnits), default: .number("2"), sweepable: true,
                 meaning: "hidden units of the teacher",
                 store: { $0.simulation.M = $1 }, normalised: { .int($0.simulation.M) }),
        JobField("K", .integer(min: 1, max: JobLimits.maxUnits), default: .number("2"), sweepable: true,
                 meaning: "hidden units of the student",
                 store: { $0.simulation.K = $1 }, normalised: { .int($0.simulation.K) }),
        JobField("activation", .choice(Activation.self), default: .string("erf"), sweepable: true,
                 meaning: "activation of both networks, unless `teacher_activation` or `student_activation` says otherwise (the table of activations below lists them)",
                 store: { $0.activation = $1 }, normalised: { .string($0.activation.rawValue) }),
        JobField("teacher_activation", .choice(Activation.self), default: nil, defaultText: "= `activation`", sweepable: true,
                 meaning: "activation g1 of the teacher",
                 store: { $0.teacherActivation = $1 }, normalised: { .string($0.parameters.teacherActivation.rawValue) }),
        JobField("student_activation", .choice(Activation.self), default: nil, defaultText: "= `activation`", sweepable: true,
                 meaning: "activation g2 of the student",
                 store: { $0.studentActivation = $1 }, normalised: { .string($0.parameters.studentActivation.rawValue) }),
        JobField("lr", .number("a number > 0", { $0 > 0 }), default: .number("0.5"), sweepable: true, aliases: ["learning_rate", "eta"],
                 meaning: "learning rate η of the first layer",
                 store: { $0.simulation.learningRate = $1 }, normalised: { .double($0.simulation.learningRate) }),
        JobField("lr2", .number("a number > 0", { $0 > 0 }), default: nil, defaultText: "= `lr`", sweepable: true,
                 aliases: ["lr_v", "eta_v"],
                 meaning: "learning rate η_v of the second layer (null in the normalised job when it follows a swept `lr`)",
                 store: { $0.lr2 = $1 },
                 normalised: { d in d.lr2 == nil && d.sweep.contains { $0.key == "lr" } ? .null : .double(d.lr2 ?? d.simulation.learningRate) }),
        JobField("sigma", .number("a number ≥ 0", { $0 >= 0 }), default: .number("0"), sweepable: true, aliases: ["noise"],
                 meaning: "standard deviation σ of the label noise",
                 store: { $0.simulation.noise = $1 }, normalised: { .double($0.simulation.noise) }),
        JobField("task", .choice(LearningTask.self), default: .string("regress"), sweepable: true,
                 meaning: "`regress`: labels φ* + σζ; `classify`: labels sign(φ*) (0 counted as +1), learnt by the same squared loss, with the classification error recorded (column `cerr`) and `eg` the test-set estimate ½·mean (sign(φ*) − φ)² on the Monte-Carlo test set (`mc_test_set`, 10000 samples unless given); simulations only (the ODEs describe regression); in the normalised job only when not the default",
                 store: { $0.simulation.task = $1 }, normalised: { $0.simulation.task == .regress ? nil : .string($0.simulation.task.rawValue) }),
        JobField("label_flip", .number("a number from 0 to 1", { $0 >= 0 && $0 <= 1 }), default: .number("0"), sweepable: true,
                 meaning: "`classify` only, in place of `sigma`: the probability that a label is replaced by a random ±1 (so about half of those are flipped); in the normalised job only when not 0",
                 store: { $0.simulation.labelFlip = $1 }, normalised: { $0.simulation.labelFlip == 0 ? nil : .double($0.simulation.labelFlip) }),
        JobField("weight_decay", .number("a number ≥ 0", { $0 >= 0 }), default: .number("0"), sweepable: true,
                 aliases: ["decay", "kappa"],
                 meaning: "weight decay κ",
                 store: { $0.simulation.weightDecay = $1 }, normalised: { .double($0.simulation.weightDecay) }),
        JobField("batch_size", .batchSize, default: .number("1"), sweepable: true, aliases: ["batch"],
                 meaning: "mini-batch size B (time is still steps/N); `\"full\"`: gradient descent on the whole finite training set (`training_set`) every step, t still steps/N",
                 store: { draft, size in
                     draft.fullBatch = size == nil
                     if let size { draft.simulation.batchSize = size }
                 }, normalised: { $0.fullBatch ? .string("full") : .int($0.simulation.batchSize) }),
        JobField("train_second_layer", .bool, default: .bool(false), sweepable: true,
                 meaning: "also train the student's second layer v",
                 store: { $0.simulation.trainSecondLayer = $1 }, normalised: { .bool($0.simulation.trainSecondLayer) }),
        JobField("student_init", .choice(StudentInit.self), default: .string("large"), sweepable: true,
                 meaning: "how the student's weights start (see docs/science.md, initial conditions)",
                 store: { $0.simulation.studentInit = $1 }, normalised: { .string($0.simulation.studentInit.rawValue) }),
        JobField("teacher_second_layer", .teacherSecondLayer, default: .string("ones"), sweepable: true,
                 meaning: "the teacher's second layer v*; an untrained student's v follows the same rule with K for M (1 for `random` and `mix`)",
                 store: { $0.simulation.teacherSecondLayer = $1 }, normalised: { JobSchema.json($0.simulation.teacherSecondLayer) }),
        JobField("teacher_sparsity", .number("a number from 0 to less than 1", { $0 >= 0 && $0 < 1 }), default: .number("0"), sweepable: true,
                 meaning: "the fraction of each teacher unit's N first-layer weights set to zero (round(fraction·N) per row, chosen from the seed); T is measured from the teacher drawn, and `ode`/`compare` jobs start from it; in the normalised job only when not 0",
                 store: { $0.simulation.teacherSparsity = $1 }, normalised: { $0.simulation.teacherSparsity == 0 ? nil : .double($0.simulation.teacherSparsity) }),
        JobField("training_set", JobReader.number("a number α > 0 (a training set of α·N samples) or null", { $0 > 0 }).orNull(),
                 type: "a number α > 0, or null", default: .null, sweepable: true, aliases: ["alpha"],
                 meaning: "a finite training set of α·N samples, reshuffled every epoch (records the training error `et`); null: online learning",
                 store: { $0.simulation.trainingSetRatio = $1 }, normalised: { d in d.simulation.trainingSetRatio.map { .double($0) } ?? .null }),
        JobField("t_max", .number("a number > 0", { $0 > 0 }), default: .number("100"), sweepable: true, aliases: ["tmax"],
                 meaning: "final time, in steps/N",
                 store: { $0.simulation.tMax = $1 }, normalised: { .double($0.simulation.tMax) }),
        JobField("stop_below", JobReader.number("a number > 0", { $0 > 0 }).orNull(), default: .null, sweepable: true,
                 meaning: "ends a simulation run at the first output time whose `eg` is below this value (its records up to there are kept; result.json says where, under `stopped_early`); simulations only; in the normalised job only when given",
                 store: { $0.simulation.stopBelow = $1 }, normalised: { d in d.simulation.stopBelow.map { .double($0) } }),
        JobField("store_weights", .bool, default: .bool(false),
                 meaning: "the bundle also holds, per simulation run, the teacher's B and v* and the student's initial and final W and v as NumPy `.npy` files (`weights/seed-S/`, counted by the bundle limits); simulations only; in the normalised job only when true",
                 store: { $0.simulation.storeWeights = $1 }, normalised: { $0.simulation.storeWeights ? .bool(true) : nil }),
        JobField("teacher_from", .weightReference(.teacher), default: nil,
                 meaning: "takes the teacher (B and v*) of a run of an earlier bundle in the outbox that has `store_weights`, instead of drawing it from the seed: `\"BUNDLE/seed-S\"` (its `weights/seed-S/B.npy` and `vstar.npy`), or `\"BUNDLE/POINT/seed-S\"` for a run of its sweep point folder POINT; every run of the job learns that teacher (N and M as the job's, not swept; `teacher_sparsity` 0; `teacher_second_layer` then only sets an untrained student's v); the files are opened beneath the outbox only, never through a symbolic link, and result.json's `weights_from` records their SHA-256; simulations only (`kind` \"simulate\"); `sgdyn run` reads them from its `--outbox`; in the normalised job only when given",
                 store: { $0.teacherFrom = $1 }, normalised: { $0.teacherFrom.map { .string($0.text) } }),
        JobField("student_from", .weightReference(.student), default: nil,
                 meaning: "starts every run's student from the initial W and v (`W-initial.npy`, `v-initial.npy`) of a run of an earlier bundle, named as for `teacher_from`; with `/final` after the run, from where that run ended (`W-final.npy`, `v-final.npy`: continual learning); N and K as the job's, not swept; replaces `student_init` (which must stay \"large\"); simulations only; in the normalised job only when given",
                 store: { $0.studentFrom = $1 }, normalised: { $0.studentFrom.map { .string($0.text) } }),
        JobField("points", .integer(min: 2, max: JobLimits.maxPoints), default: .number("200"),
                 meaning: "output times: t = 0, then `points` times log-spaced from min(0.1, t_max/100) to t_max",
                 store: { $0.simulation.points = $1 }, normalised: { .int($0.simulation.points) }),
        JobField("seeds", .seeds, default: .number("1"), aliases: ["seed"],
                 meaning: "independent runs at every sweep point: n means seeds 0…n−1; or the list of seeds",
                 store: { $0.seeds = $1 }, normalised: { .array($0.seeds.map { .number(String($0)) }) }),
        JobField("mc_test_set", JobReader.integer(min: 1, max: JobLimits.maxTestSet).orNull(), default: .null,
                 meaning: "also estimate ε_g on a fixed Monte-Carlo test set of this many samples (column `eg_mc`); with `task` \"classify\" the test set of `eg` and `cerr` (null there means 10000); simulations only",
                 store: { $0.simulation.monteCarloTestSize = $1 }, normalised: { d in d.simulation.monteCarloTestSize.map { .int($0) } ?? .null }),
        JobField("ode", .object(odeFields, start: ODEOptions(), invalid: "must be an object such as {\"method\": \"adaptive\", \"rtol\": 1e-8}"),
                 default: .object(odeFields.compactMap { f in f.defaultValue.map { (f.name, $0) } }),
                 defaultText: "the defaults of its keys",
                 meaning: "how `ode` and `compare` jobs integrate the ODEs; its keys are listed below",
                 store: { $0.ode = $1 }, normalised: { JobField.normalisedObject(odeFields, of: $0.ode) }),
        JobField("initial", .initialConditions, default: nil,
                 meaning: "explicit initial order parameters, `ode` jobs only (matrices as lists of rows; checked for shape, symmetry and a positive semi-definite covariance); without it they are drawn as a simulation with the same seed and N draws its weights",
                 store: { $0.initial = $1 }, normalised: { $0.initial ?? .null }),
        JobField("sweep", type: "an object: job key → non-empty list of values", default: nil,
                 meaning: "runs the cartesian product of these values (keys in file order, the last one fastest); see the sweepable column",
                 apply: { draft, value, _ throws(JobError) in try draft.applySweep(value) },
                 normalised: { d in d.sweep.isEmpty ? .null : .object(d.sweep.map { ($0.key, .array($0.values)) }) }),
        JobField("priority", .integer(min: -1_000_000, max: 1_000_000), default: .number("0"), aliases: ["priority_level"],
                 meaning: "higher runs first (daemon)",
                 store: { $0.priority = $1 }, normalised: { .int($0.priority) }),
        JobField("slurm", .object(slurmFields, start: SlurmRequest(),
                                  invalid: "must be an object such as {\"partition\": \"gpu\", \"time_limit\": \"1-00:00:00\"}"),
                 default: nil,
                 meaning: "where the daemon may run the job's units on a Slurm cluster, within what its configuration allows (ignored when run locally); its keys are listed below; in the normalised job only when given",
                 store: { $0.slurm = $1 }, normalised: { d in d.slurm.map { JobField.normalisedObject(slurmFields, of: $0) } }),
    ]

    /// The keys of `ode`.
    static let odeFields: [JobField<ODEOptions>] = [
        JobField("method", .choice(ODEOptions.Method.self), default: .string("adaptive"),
                 meaning: "`adaptive`: Dormand–Prince 5(4) with error control; `euler`, `rk4`: fixed steps of `dt`",
                 store: { $0.method = $1 }, normalised: { .string($0.method.rawValue) }),
        JobField("rtol", .number("a number in (0, 0.1]", { $0 > 0 && $0 <= 0.1 }), default: .number("1e-8"),
                 meaning: "relative tolerance of `adaptive`",
                 store: { $0.rtol = $1 }, normalised: { .double($0.rtol) }),
        JobField("atol", .number("a number in (0, 0.1]", { $0 > 0 && $0 <= 0.1 }), default: .number("1e-12"),
                 meaning: "absolute tolerance of `adaptive`",
                 store: { $0.atol = $1 }, normalised: { .double($0.atol) }),
        JobField("dt", .number("a number in (0, 1]", { $0 > 0 && $0 <= 1 }), default: .number("0.01"),
                 meaning: "time step of `euler` and `rk4`",
                 store: { $0.dt = $1 }, normalised: { .double($0.dt) }),
    ]

    /// The keys of `slurm`; each may be left out.
    static let slurmFields: [JobField<SlurmRequest>] = [
        JobField("partition", .slurmPartition, default: nil,
                 meaning: "the Slurm partition to submit the units to",
                 store: { $0.partition = $1 }, normalised: { $0.partition.map { .string($0) } }),
        JobField("time_limit", .slurmTimeLimit, default: nil,
                 meaning: "time limit of each unit (Slurm rounds seconds up to minutes); the normalised job gives it as \"D-HH:MM:SS\"",
                 store: { $0.timeLimitSeconds = $1 },
                 normalised: { $0.timeLimitSeconds.map { .string(SlurmRequest.timeString(seconds: $0)) } }),
    ]

    /// The keys of `initial` (all required), with their shapes.
    static let initialKeys: [(name: String, meaning: String)] = [
        ("Q", "K×K student–student overlaps, symmetric"),
        ("R", "K×M student–teacher overlaps"),
        ("T", "M×M teacher–teacher overlaps, symmetric"),
        ("v", "the student's K second-layer weights"),
        ("vstar", "the teacher's M second-layer weights"),
    ]

    private static let index: [String: Int] = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1.name, $0) })

    /// The field of a top-level key.
    static func field(named name: String) -> JobField<JobDraft>? {
        index[name].map { fields[$0] }
    }

    static var knownKeys: [String] { fields.map(\.name) }
    static var sweepableKeys: Set<String> { Set(fields.filter(\.sweepable).map(\.name)) }

    /// How `teacher_second_layer` appears in the normalised job.
    static func json(_ layer: TeacherSecondLayer) -> JSONValue {
        switch layer {
        case .ones: return .string("ones")
        case .random: return .string("random")
        case .normalise: return .string("normalise")
        case .meanfield: return .string("meanfield")
        case .mix: return .string("mix")
        case .constant(let a): return .double(a)
        }
    }
}

extension JobField {
    /// A key whose value is read by the target itself (the sweep, which validates its values
    /// against the rest of the job).
    init(_ name: String, type: String, default defaultValue: JSONValue?, defaultText: String? = nil, meaning: String,
         apply: @escaping @Sendable (inout Target, JSONValue, String) throws(JobError) -> Void,
         normalised: @escaping @Sendable (Target) -> JSONValue?) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.defaultText = defaultText ?? defaultValue.map { "`\($0.literal)`" } ?? "none"
        self.sweepable = false
        self.meaning = meaning
        self.aliases = []
        self.apply = apply
        self.normalised = normalised
    }
}
