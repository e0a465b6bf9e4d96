extension ResultDocument {
    /// One file a job took weights from (`teacher_from`, `student_from`): where it was in the
    /// outbox and its SHA-256 when the job read it, so a later reader can tell whether the source
    /// bundle still holds the same weights.
    public struct WeightSource: Sendable, Equatable {
        public enum Fields: String, ResultFields {
            case key, from
            case file = "path"
            case sha256
            public static let path = "weights_from[]"
            public var meaning: String {
                switch self {
                case .key: return "the job key that named it: `teacher_from` or `student_from`"
                case .from: return "the key's value, as given"
                case .file: return "the `.npy` file read, relative to the outbox"
                case .sha256: return "its SHA-256 (hex) as read"
                }
            }
        }

        public var key: String?
        public var from: String?
        public var path: String?
        public var sha256: String?

        public init(key: String?, from: String?, path: String?, sha256: String?) {
            self.key = key
            self.from = from
            self.path = path
            self.sha256 = sha256
        }

        var json: JSONValue {
            var w = ResultObjectWriter<Fields>()
            w.omittable(.key, key.map(JSONValue.string))
            w.omittable(.from, from.map(JSONValue.string))
            w.omittable(.file, path.map(JSONValue.string))
            w.omittable(.sha256, sha256.map(JSONValue.string))
            return w.json
        }

        init(json: JSONValue) {
            let r = ResultObjectReader<Fields>(json: json)
            self.init(key: r.string(.key), from: r.string(.from), path: r.string(.file), sha256: r.string(.sha256))
        }
    }
}
