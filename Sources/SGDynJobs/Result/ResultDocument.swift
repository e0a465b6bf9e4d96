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
        case status, name, submitter, kind
        case sgdynVersion = "sgdyn_version"
        case error, job, warnings
        case weightsFrom = "weights_from"
        case points
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
            case .submitter: return "who submitted it, as the daemon knows them (also in a rejection; left out when unknown, as for `sgdyn run`)"
            case .kind: return "the job's kind (not for a rejection)"
            case .sgdynVersion: return "the version that wrote the bundle"
            case .error: return "when not done: why (below)"
            case .job: return "the normalised job: every key of the table above with its value or default, in table order (`description` and "
                + "`slurm` only when given; `task`, `label_flip`, `teacher_sparsity` and `stop_below` only when not at their defaults, so that "
                + "jobs written before them keep their result.json; `lr2` null when it follows a swept `lr`)"
            case .warnings: return "the warnings, as text"
            case .weightsFrom: return "`teacher_from` or `student_from`: every `.npy` file the job's weights were taken from (below); left out otherwise"
            case .points: return "one per sweep point (below)"
            case .maxRelDeviation: return "`compare`: the largest relative deviation of all, with its `point` and `seed` (below)"
            case .files: return "which file holds what (below)"
            case .timing: return "how long it took (below); the only member that differs between two runs of the same job"
            }
        }
    }

    public var status: String?
    public var name: String?
    /// Who submitted the job (the daemon); nil (left out) for `sgdyn run`.
    public var submitter: String?
    public var kind: String?
    public var sgdynVersion: String?
    public var error: ErrorInfo?
    /// The normalised job, as `JobSpec.normalised` (its keys are the schema's, not this type's).
    public var job: JSONValue?
    public var warnings: [String]?
    /// The files the job's teacher or initial student came from; nil (left out) for other jobs.
    public var weightsFrom: [WeightSource]?
    public var points: [Point]?
    public var maxRelDeviation: Deviation?
    public var files: Files?
    public var timing: Timing?

    public init(status: String?, name: String?, submitter: String? = nil, kind: String? = nil, sgdynVersion: String? = SGDynVersion.string, error: ErrorInfo? = nil,
                job: JSONValue? = nil, warnings: [String]? = nil, weightsFrom: [WeightSource]? = nil, points: [Point]? = nil, maxRelDeviation: Deviation? = nil,
                files: Files? = nil, timing: Timing? = nil) {
        self.status = status
        self.name = name
        self.submitter = submitter
        self.kind = kind
        self.sgdynVersion = sgdynVersion
        self.error = error
        self.job = job
        self.warnings = warnings
        self.weightsFrom = weightsFrom
        self.points = points
        self.maxRelDeviation = maxRelDeviation
        self.files = files
        self.timing = timing
    }

    public var json: JSONValue {
        var w = ResultObjectWriter<Fields>()
        w.omittable(.status, status.map(JSONValue.string))
        w.omittable(.name, name.map(JSONValue.string))
        w.omittable(.submitter, submitter.map(JSONValue.string))
        w.omittable(.kind, kind.map(JSONValue.string))
        w.omittable(.sgdynVersion, sgdynVersion.map(JSONValue.string))
        w.omittable(.error, error?.json)
        w.omittable(.job, job)
        w.omittable(.warnings, warnings.map { .array($0.map(JSONValue.string)) })
        w.omittable(.weightsFrom, weightsFrom.map { .array($0.map(\.json)) })
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
        submitter = r.string(.submitter)
        kind = r.string(.kind)
        sgdynVersion = r.string(.sgdynVersion)
        error = r.object(.error, ErrorInfo.init(json:))
        job = r[.job]
        warnings = r.strings(.warnings)
        weightsFrom = r.array(.weightsFrom, WeightSource.init(json:))
        points = r.array(.points, Point.init(json:))
        maxRelDeviation = r.object(.maxRelDeviation, Deviation.init(json:))
        files = r.object(.files, Files.init(json:))
        timing = r.object(.timing, Timing.init(json:))
    }

    /// The text of result.json: pretty-printed, two-space indents, a final newline.
    public var text: String { JSONWriter.string(json) }

    /// Every kind of object of the document with its fields, in the order of docs/job-files.md.
    public static let allFields: [(path: String, fields: [(name: String, meaning: String)])] = [
        describe(Fields.self), describe(ErrorInfo.Fields.self), describe(WeightSource.Fields.self), describe(Point.Fields.self), describe(Run.Fields.self), describe(EarlyStop.Fields.self),
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
}
