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
    /// `JobSchemaTests.sweepSamples`). A new such key must be added here.
    static let otherSamples: [String: JSONValue] = ["points": .number("3"), "mc_test_set": .number("50"), "store_weights": .bool(true)]

    static let base: [(key: String, value: JSONValue)] = [("N", .number("12")), ("t_max", .number("1")), ("points", .number("2"))]

    /// The parameters of a job giving `key` a value other than its default, with what it needs
    /// beside it, and the parameters of the same job without it.
    static func sample(_ key: String) throws -> (with: SimulationParameters, without: SimulationParameters) {
        let needs = JobSchemaTests.sweepBase[key] ?? []
        let start = base.filter { $0.key != key } + needs
        let without = try JobSchemaTests.parse(.object(start)).points[0].parameters
        var values = otherSamples[key].map { [$0] } ?? []
        if let (a, b) = JobSchemaTests.sweepSamples[key] { values += [a, b] }
        for value in values {
            let with = try JobSchemaTests.parse(.object(start + [(key, value)])).points[0].parameters
            if with != without { return (with, without) }
        }
        Issue.record("no sample value of \(key) changes the simulation parameters")
        return (without, without)
    }

    /// A value of `key` that is not its default (for jobs that list every key).
    static func nonDefault(_ key: String) throws -> JSONValue {
        let samples = (otherSamples[key].map { [$0] } ?? []) + (JobSchemaTests.sweepSamples[key].map { [$0.0, $0.1] } ?? [])
        let base = try JobSchemaTests.parse(.object(JobSchemaTests.sweepBase[key] ?? [])).normalised
        for value in samples where try JobSchemaTests.parse(.object((JobSchemaTests.sweepBase[key] ?? []) + [(key, value)])).normalised != base {
            return value
        }
        Issue.record("no sample value of \(key) differs from its default")
        return .null
    }

    @Test("every parameter key has a sample and reaches the parameters; the stored form and the binary codec keep it")
    func parameterKeysAreStored() throws {
        #expect(Set(ParametersJSON.keys + ParametersJSON.optionalKeys) == Set(JobSchema.parameterKeys))
        for key in JobSchema.parameterKeys {
            var (p, without) = try Self.sample(key)
            #expect(p != without, "\(key)")
            p.seed = 5
            #expect(try ParametersJSON.decode(ParametersJSON.encode(p)) == p, "the stored form loses \(key)")
            #expect(try WorkUnit(encoded: WorkUnit(.simulation(p)).encoded()).parameters == p, "the work-unit codec loses \(key)")
            #expect(try Simulation(snapshot: Simulation(parameters: p).snapshot()).parameters == p, "the snapshot codec loses \(key)")
        }
    }

    @Test("parameters at their defaults are stored with the first stored form's keys only, and in the original binary format")
    func defaultsKeepTheirBytes() throws {
        let p = try JobSchemaTests.parse(.object([])).points[0].parameters
        guard case .object(let members) = ParametersJSON.encode(p) else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ParametersJSON.keys + ["seed"])
        #expect(!p.usesExtensions)
        for key in ParametersJSON.optionalKeys { #expect(try Self.sample(key).with.usesExtensions, "\(key) is not in the extension block") }
    }

    @Test("job keys other than activation leave the simulation parameters alone")
    func jobKeysAreNotParameters() throws {
        #expect(JobSchema.jobKeys.isSubset(of: Set(JobSchema.knownKeys)))
        let plain = try JobSchemaTests.parse(.object([])).points[0].parameters
        let values: [String: JSONValue] = [
            "kind": .string("compare"), "name": .string("x"), "description": .string("d"), "seeds": .number("3"),
            "ode": .object([("method", .string("rk4"))]), "priority": .number("3"), "slurm": .object([("partition", .string("p"))]),
        ]
        for key in JobSchema.jobKeys.subtracting(["activation", "initial", "sweep"]).sorted() {
            let value = try #require(values[key], "no sample value for job key \(key)")
            let spec = try JobSchemaTests.parse(.object([(key, value)]))
            #expect(spec.points[0].parameters == plain, "\(key) changes the parameters: it is not a job key")
        }
    }
}
