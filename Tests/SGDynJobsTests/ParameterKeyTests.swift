import SGDynCore
import Testing
@testable import SGDynJobs

/// The split of the job schema into parameter keys and job keys (`JobSchema.jobKeys`), and the
/// stores every parameter key must reach without a list of its own: the stored form
/// (`ParametersJSON`, whose optional keys are derived from the schema) and the binary codec of
/// work units and snapshots. A new key that is left out of one fails here.
@Suite("Job schema: every parameter key is stored")
struct ParameterKeyTests {
    /// A valid value of each parameter key that cannot be swept (the sweepable ones have
    /// `JobSchemaTests.sweepSamples`). A key in neither is tried with `candidates`.
    static let otherSamples: [String: JSONValue] = ["points": .number("3"), "mc_test_set": .number("50"), "store_weights": .bool(true)]

    /// Values tried for a key without samples of its own (numbers, booleans, and each word that
    /// the key's type names, such as the cases of a choice).
    static func candidates(_ key: String) -> [JSONValue] {
        let words = (JobSchema.field(named: key)?.type ?? "").split(separator: "\"", omittingEmptySubsequences: false)
        let quoted = words.indices.filter { $0 % 2 == 1 }.map { JSONValue.string(String(words[$0])) }
        return [.number("0.5"), .number("2"), .number("0.25"), .number("3"), .number("0.01"), .bool(true), .bool(false)] + quoted
    }

    /// Two values of `key` that are valid with what it needs (`JobSchemaTests.sweepBase`) and give
    /// different parameters, or nil.
    static func candidatePair(_ key: String) -> (JSONValue, JSONValue)? {
        let start = base.filter { $0.key != key } + (JobSchemaTests.sweepBase[key] ?? [])
        var found: [(JSONValue, SimulationParameters)] = []
        for value in candidates(key) {
            guard let p = try? JobSchemaTests.parse(.object(start + [(key, value)])).points[0].parameters else { continue }
            if !found.contains(where: { $0.1 == p }) { found.append((value, p)) }
            if found.count == 2 { return (found[0].0, found[1].0) }
        }
        return nil
    }

    static let base: [(key: String, value: JSONValue)] = [("N", .number("12")), ("t_max", .number("1")), ("points", .number("2"))]

    /// The parameters of a job giving `key` a value other than its default, with what it needs
    /// beside it, and the parameters of the same job without it.
    static func sample(_ key: String) throws -> (with: SimulationParameters, without: SimulationParameters) {
        let needs = JobSchemaTests.sweepBase[key] ?? []
        let start = base.filter { $0.key != key } + needs
        let without = try JobSchemaTests.parse(.object(start)).points[0].parameters
        var values = otherSamples[key].map { [$0] } ?? []
        if let (a, b) = JobSchemaTests.sweepSamples[key] { values += [a, b] }
        values += candidates(key)
        for value in values {
            let with = try JobSchemaTests.parse(.object(start + [(key, value)])).points[0].parameters
            if with != without { return (with, without) }
        }
        Issue.record("no sample value of \(key) changes the simulation parameters")
        return (without, without)
    }

    /// A value of `key` that is not its default (for jobs that list every key).
    static func nonDefault(_ key: String) throws -> JSONValue {
        let samples = (otherSamples[key].map { [$0] } ?? []) + (JobSchemaTests.sweepSamples[key].map { [$0.0, $0.1] } ?? []) + candidates(key)
        let base = try JobSchemaTests.parse(.object(JobSchemaTests.sweepBase[key] ?? [])).normalised
        for value in samples where try JobSchemaTests.parse(.object((JobSchemaTests.sweepBase[key] ?? []) + [(key, value)])).normalised != base {
            return value
        }
        Issue.record("no sample value of \(key) differs from its default")
        return .null
    }

    @Test("every parameter key has a sample and reaches the parameters; the stored form and the binary codec keep it")
    func parameterKeysAreStored() throws {
        // `data` is stored as `data_set` (its folder, files and sizes) and needs files beneath a
        // data folder to parse: DataSetJobTests round-trips it through the same three codecs.
        #expect(Set(ParametersJSON.keys + ParametersJSON.optionalKeys) == Set(JobSchema.parameterKeys).subtracting(["data"]).union(["data_set"]))
        for key in SimulationParameters.laterKeys { #expect(ParametersJSON.optionalKeys.contains(key.name), "\(key.name)") }
        for key in JobSchema.parameterKeys where key != "data" {
            var (p, without) = try Self.sample(key)
            #expect(p != without, "\(key)")
            p.seed = 5
            #expect(try ParametersJSON.decode(ParametersJSON.encode(p)) == p, "the stored form loses \(key)")
            #expect(try WorkUnit(encoded: WorkUnit(.simulation(p)).encoded()).parameters == p, "the work-unit codec loses \(key)")
            #expect(try Simulation(snapshot: Simulation(parameters: p).snapshot()).parameters == p, "the snapshot codec loses \(key)")
        }
    }

    @Test("the paper's symbols belong to parameter keys, and each key's documented meaning names its symbol")
    func symbolsAreDocumented() throws {
        for (key, symbol) in JobSchema.symbols {
            let field = try #require(JobSchema.field(named: key), "\(key)")
            #expect(JobSchema.parameterKeys.contains(key), "\(key)")
            // A symbol that is the key's own name (N, M, K) needs no mention.
            #expect(symbol == key || field.meaning.contains(symbol), "the meaning of \(key) does not name \(symbol)")
        }
    }

    @Test("the fallback samples work for every key that has hand-written ones, so a new key needs none")
    func candidatesCoverTheKnownKeys() {
        for key in JobSchema.sweepableKeys.sorted() { #expect(Self.candidatePair(key) != nil, "\(key)") }
    }

    @Test("parameters at their defaults are stored with the first stored form's keys only, and in the original binary format")
    func defaultsKeepTheirBytes() throws {
        let p = try JobSchemaTests.parse(.object([])).points[0].parameters
        guard case .object(let members) = ParametersJSON.encode(p) else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ParametersJSON.keys + ["seed"])
        #expect(!p.usesExtensions)
        for key in ParametersJSON.optionalKeys where key != "data_set" { #expect(try Self.sample(key).with.usesExtensions, "\(key) is not in the extension block") }
    }

    @Test("job keys other than activation leave the simulation parameters alone")
    func jobKeysAreNotParameters() throws {
        #expect(JobSchema.jobKeys.isSubset(of: Set(JobSchema.knownKeys)))
        #expect(JobParser.fileKeys.isSubset(of: Set(JobSchema.knownKeys)), "the keys the daemon reads off its loop are job keys")
        let plain = try JobSchemaTests.parse(.object([])).points[0].parameters
        let values: [String: JSONValue] = [
            "kind": .string("compare"), "name": .string("x"), "description": .string("d"), "seeds": .number("3"),
            "ode": .object([("method", .string("rk4"))]), "priority": .number("3"), "slurm": .object([("partition", .string("p"))]),
            "teacher_from": .string("b/seed-0"), "student_from": .string("b/seed-1"),
        ]
        for key in JobSchema.jobKeys.subtracting(["activation", "initial", "sweep"]).sorted() {
            let value = try #require(values[key], "no sample value for job key \(key)")
            let spec = try JobSchemaTests.parse(.object([(key, value)]))
            #expect(spec.points[0].parameters == plain, "\(key) changes the parameters: it is not a job key")
        }
    }
}
