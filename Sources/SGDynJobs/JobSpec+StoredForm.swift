import SGDynCore

/// The stored form of a validated job: what the daemon keeps after parsing a job file once at
/// intake, and builds the bundle from later without reading the submitted bytes again. JSON
/// (compact) written with sgdyn's own JSON writer; every field of the spec, parameters exact to
/// the bit, so a bundle made from the decoded spec is byte-identical to one made from the original.
extension JobSpec {
    static let storedFormat = "sgdyn-job-spec"
    static let storedVersion = 1

    public func storedForm() -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = [
            ("format", .string(JobSpec.storedFormat)),
            ("version", .int(JobSpec.storedVersion)),
            ("kind", .string(kind.rawValue)),
            ("name", .string(name)),
            ("description", description.map { .string($0) } ?? .null),
            ("seeds", .array(seeds.map { .number(String($0)) })),
            ("priority", .int(priority)),
            ("ode", JobField.normalisedObject(JobSchema.odeFields, of: ode)),
        ]
        if let initial {
            members.append(("initial", .object([
                ("K", .int(initial.K)), ("M", .int(initial.M)), ("Q", Self.numbers(initial.Q)), ("R", Self.numbers(initial.R)),
                ("T", Self.numbers(initial.T)), ("v", Self.numbers(initial.v)), ("vstar", Self.numbers(initial.vstar)),
            ])))
        } else {
            members.append(("initial", .null))
        }
        members += [
            ("points", .array(points.map { point in
                .object([("index", .int(point.index)), ("assignments", .object(point.assignments)),
                         ("parameters", ParametersJSON.encode(point.parameters))])
            })),
            ("sweep_keys", .array(sweepKeys.map { .string($0) })),
            ("warnings", .array(warnings.map { .string($0) })),
            ("slurm", slurm.map { s in
                .object([("partition", s.partition.map { .string($0) } ?? .null),
                         ("time_limit_seconds", s.timeLimitSeconds.map { .int($0) } ?? .null)])
            } ?? .null),
            ("normalised", normalised),
        ]
        // teacher_from / student_from: the files read (for result.json); only when there are
        // some, so that every other job's stored form keeps its bytes. The arrays travel in the units.
        if let weightsFrom { members.append(("weights_from", .array(weightsFrom.map(\.json)))) }
        return Array(JSONWriter.string(.object(members), pretty: false).utf8)
    }

    /// Reads `storedForm()`'s bytes. Anything else — another format or version, a missing or
    /// malformed field, parameters the simulator could not run — is a `JobError` naming the field
    /// (`stored.points`), never a trap.
    public init(storedForm bytes: [UInt8]) throws(JobError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw JobError("the stored job is not JSON: \(error.message)", key: "stored", line: error.line, column: error.column)
        }
        var reader = try StoredFormReader(document)
        guard try reader.string("format") == JobSpec.storedFormat else { throw JobError("is not a stored sgdyn job", key: "stored.format") }
        let version = try reader.int("version")
        guard version == JobSpec.storedVersion else {
            throw JobError("stored job format version \(version) is not supported by this build", key: "stored.version")
        }
        guard let kind = JobKind(rawValue: try reader.string("kind")) else { throw JobError("unknown kind", key: "stored.kind") }
        let name = try reader.string("name")
        let description = try reader.optional("description") { v, k throws(JobError) in try JobValues.string(v, k) }
        let seeds = try reader.list("seeds") { v, k throws(JobError) -> UInt64 in
            guard case .number(let text) = v, let s = UInt64(text) else { throw JobError("must be a list of seeds", key: k) }
            return s
        }
        let priority = try reader.int("priority")
        let ode = try JobReader.object(JobSchema.odeFields, start: ODEOptions(), invalid: "must be an object").read(try reader.value("ode"), "stored.ode")
        let initial = try reader.optional("initial") { v, k throws(JobError) in try StoredFormReader.orderParameters(v, k) }
        let points = try reader.list("points") { v, k throws(JobError) -> SweepPoint in
            var point = try StoredFormReader(v, key: k)
            guard case .object(let assignments) = try point.value("assignments") else { throw JobError("must be an object", key: "\(k).assignments") }
            return SweepPoint(index: try point.int("index"), assignments: assignments,
                              parameters: try ParametersJSON.decode(try point.value("parameters"), errorKey: "\(k).parameters"))
        }
        guard !points.isEmpty, !seeds.isEmpty, points.enumerated().allSatisfy({ $0.offset == $0.element.index }) else {
            throw JobError("must list the sweep points in order, and at least one point and one seed", key: "stored.points")
        }
        let sweepKeys = try reader.list("sweep_keys") { v, k throws(JobError) in try JobValues.string(v, k) }
        let warnings = try reader.list("warnings") { v, k throws(JobError) in try JobValues.string(v, k) }
        let slurm = try reader.optional("slurm") { v, k throws(JobError) -> SlurmRequest in
            var s = try StoredFormReader(v, key: k)
            return SlurmRequest(partition: try s.optional("partition") { v, k throws(JobError) in try JobValues.string(v, k) },
                                timeLimitSeconds: try s.optional("time_limit_seconds") { v, k throws(JobError) in try JobValues.integer(v, k, min: 1) })
        }
        let normalised = try reader.value("normalised")
        var weightsFrom: [ResultDocument.WeightSource]?
        if let sources = reader.ifPresent("weights_from") {
            guard case .array(let items) = sources, items.allSatisfy({ if case .object = $0 { true } else { false } }) else {
                throw JobError("must be a list of objects", key: "stored.weights_from")
            }
            weightsFrom = items.map(ResultDocument.WeightSource.init(json:))
        }
        try reader.finish()
        self.init(kind: kind, name: name, description: description, seeds: seeds, priority: priority, ode: ode, initial: initial,
                  points: points, sweepKeys: sweepKeys, warnings: warnings, normalised: normalised, slurm: slurm, weightsFrom: weightsFrom)
    }

    static func numbers(_ values: [Double]) -> JSONValue { .array(values.map { .double($0) }) }
}

/// Reads the members of one object of a stored job, each exactly once, and checks at the end
/// that none was left over.
struct StoredFormReader {
    private var members: [(key: String, value: JSONValue)]
    private let key: String

    init(_ value: JSONValue, key: String = "stored") throws(JobError) {
        guard case .object(let members) = value else { throw JobError("must be an object", key: key) }
        self.members = members
        self.key = key
    }

    mutating func value(_ name: String) throws(JobError) -> JSONValue {
        guard let i = members.firstIndex(where: { $0.key == name }) else { throw JobError("is missing", key: "\(key).\(name)") }
        return members.remove(at: i).value
    }

    /// A member that only some stored jobs have, removed when present.
    mutating func ifPresent(_ name: String) -> JSONValue? {
        guard let i = members.firstIndex(where: { $0.key == name }) else { return nil }
        return members.remove(at: i).value
    }

    mutating func string(_ name: String) throws(JobError) -> String { try JobValues.string(try value(name), "\(key).\(name)") }

    mutating func int(_ name: String) throws(JobError) -> Int {
        try JobValues.integer(try value(name), "\(key).\(name)", min: Int.min + 1)
    }

    mutating func optional<T>(_ name: String, _ read: (JSONValue, String) throws(JobError) -> T) throws(JobError) -> T? {
        let v = try value(name)
        return v == .null ? nil : try read(v, "\(key).\(name)")
    }

    mutating func list<T>(_ name: String, _ read: (JSONValue, String) throws(JobError) -> T) throws(JobError) -> [T] {
        guard case .array(let items) = try value(name) else { throw JobError("must be a list", key: "\(key).\(name)") }
        var out: [T] = []
        for (i, item) in items.enumerated() { out.append(try read(item, "\(key).\(name)[\(i)]")) }
        return out
    }

    func finish() throws(JobError) {
        if let extra = members.first { throw JobError("is not a field of a stored job", key: "\(key).\(extra.key)") }
    }

    /// Order parameters with their shapes checked before `OrderParameters.init` (which traps on
    /// a mismatch) sees them.
    static func orderParameters(_ value: JSONValue, _ key: String) throws(JobError) -> OrderParameters {
        var r = try StoredFormReader(value, key: key)
        let K = try r.int("K"), M = try r.int("M")
        guard (1...JobLimits.maxUnits).contains(K), (1...JobLimits.maxUnits).contains(M) else {
            throw JobError("K and M must be from 1 to \(JobLimits.maxUnits)", key: key)
        }
        let Q = try JobValues.vector(try r.value("Q"), "\(key).Q", count: K * K)
        let R = try JobValues.vector(try r.value("R"), "\(key).R", count: K * M)
        let T = try JobValues.vector(try r.value("T"), "\(key).T", count: M * M)
        let v = try JobValues.vector(try r.value("v"), "\(key).v", count: K)
        let vstar = try JobValues.vector(try r.value("vstar"), "\(key).vstar", count: M)
        try r.finish()
        return OrderParameters(K: K, M: M, Q: Q, R: R, T: T, v: v, vstar: vstar)
    }
}
