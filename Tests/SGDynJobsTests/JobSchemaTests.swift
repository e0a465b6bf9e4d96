import SGDynCore
import Testing
@testable import SGDynJobs

/// The job schema table agrees with everything derived from it: defaults, the normalised job,
/// suggestions, the simulation parameters each key sets, and the snapshot codec that stores them.
@Suite("Job schema: one table")
struct JobSchemaTests {
    /// Two different valid values of every sweepable key. A new sweepable key must be added here,
    /// which is the point: the test then checks that it really reaches the simulation parameters.
    static let sweepSamples: [String: (JSONValue, JSONValue)] = [
        "N": (.number("10"), .number("20")), "M": (.number("1"), .number("3")), "K": (.number("3"), .number("4")),
        "activation": (.string("relu"), .string("linear")), "teacher_activation": (.string("relu"), .string("linear")),
        "student_activation": (.string("relu"), .string("linear")), "lr": (.number("0.1"), .number("0.2")),
        "lr2": (.number("0.1"), .number("0.3")), "sigma": (.number("0.1"), .number("0.2")),
        "weight_decay": (.number("0.1"), .number("0.2")), "batch_size": (.number("2"), .number("3")),
        "train_second_layer": (.bool(true), .bool(false)), "student_init": (.string("small"), .string("mixed")),
        "teacher_second_layer": (.string("random"), .number("0.5")), "training_set": (.number("2"), .null),
        "t_max": (.number("3"), .number("4")),
        "task": (.string("regress"), .string("classify")), "label_flip": (.number("0.1"), .number("0.2")),
        "teacher_sparsity": (.number("0.1"), .number("0.5")), "stop_below": (.null, .number("0.01")),
    ]
    /// Keys a sample needs beside N, t_max and points: flips need classification.
    static let sweepBase: [String: [(key: String, value: JSONValue)]] = ["label_flip": [("task", .string("classify"))]]

    static func parse(_ document: JSONValue) throws(JobError) -> JobSpec {
        try JobParser.parse(Array(JSONWriter.string(document).utf8), defaultName: "schema-test")
    }

    @Test("names are unique, aliases point nowhere else, and every default is a valid value of its key")
    func tableIsConsistent() throws {
        let names = JobSchema.fields.map(\.name)
        #expect(Set(names).count == names.count)
        let aliases = JobSchema.fields.flatMap(\.aliases)
        #expect(Set(aliases).count == aliases.count && Set(aliases).isDisjoint(with: names))
        for field in JobSchema.fields {
            for alias in field.aliases { #expect(JobParser.suggestion(for: alias) == field.name, "\(alias)") }
            guard let value = field.defaultValue else { continue }
            // Giving the default explicitly changes nothing.
            #expect(try Self.parse(.object([(field.name, value)])).normalised == Self.parse(.object([])).normalised, "\(field.name)")
        }
        #expect(JobDraft().ode == ODEOptions())
    }

    @Test("the normalised job lists every key in table order; description, slurm and the issue-21 keys only when given")
    func normalisedOrder() throws {
        // The keys added after the corpus was recorded appear only when not at their defaults,
        // so that every earlier job's normalised form (and result.json) keeps its bytes.
        let added: Set = ["task", "label_flip", "teacher_sparsity", "stop_below", "store_weights", "teacher_from", "student_from"]
        let optional = Set(["description", "slurm"]).union(added)
        let bare = try Self.parse(.object([]))
        guard case .object(let members) = bare.normalised else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == JobSchema.knownKeys.filter { !optional.contains($0) })
        let full = try Self.parse(.object([("slurm", .object([("partition", .string("p"))])), ("description", .string("d"))]))
        guard case .object(let all) = full.normalised else { Issue.record("not an object"); return }
        #expect(all.map(\.key) == JobSchema.knownKeys.filter { !added.contains($0) })
        let extended = try Self.parse(.object([("task", .string("classify")), ("label_flip", .number("0.1")), ("teacher_sparsity", .number("0.2")),
                                               ("stop_below", .number("0.01")), ("store_weights", .bool(true)),
                                               ("student_from", .string("b/seed-1"))]))
        guard case .object(let withAdded) = extended.normalised else { Issue.record("not an object"); return }
        // teacher_from excludes teacher_sparsity: it is checked on its own.
        #expect(withAdded.map(\.key) == JobSchema.knownKeys.filter { !["description", "slurm", "teacher_from"].contains($0) })
        let reused = try Self.parse(.object([("teacher_from", .string("b/seed-0"))]))
        guard case .object(let withTeacher) = reused.normalised else { Issue.record("not an object"); return }
        #expect(withTeacher.map(\.key) == JobSchema.knownKeys.filter { $0 == "teacher_from" || !optional.contains($0) })
        #expect(reused.normalised["teacher_from"] == .string("b/seed-0"))
        #expect(full.normalised["slurm"] == .object([("partition", .string("p"))]))
    }

    @Test("every sweepable key reaches the simulation parameters, and the snapshot codec keeps them")
    func sweepableKeysReachTheParameters() throws {
        #expect(Set(Self.sweepSamples.keys) == JobSchema.sweepableKeys)
        for key in JobSchema.sweepableKeys.sorted() {
            let (a, b) = try #require(Self.sweepSamples[key], "no sample values for \(key)")
            let spec = try Self.parse(.object([("N", .number("12")), ("t_max", .number("1")), ("points", .number("2"))] + (Self.sweepBase[key] ?? [])
                                              + [("sweep", .object([(key, .array([a, b]))]))]))
            #expect(spec.points.count == 2)
            #expect(spec.points[0].parameters != spec.points[1].parameters, "\(key) does not change the parameters")
            // The same value given directly gives the same parameters as the sweep point.
            let base: [(key: String, value: JSONValue)] = [("N", .number("12")), ("t_max", .number("1")), ("points", .number("2"))] + (Self.sweepBase[key] ?? [])
            let direct = try Self.parse(.object(base.filter { $0.key != key } + [(key, b)]))
            #expect(direct.points[0].parameters == spec.points[1].parameters, "\(key)")
            for point in spec.points {
                var p = point.parameters
                p.seed = 7
                let restored = try Simulation(snapshot: Simulation(parameters: p).snapshot())
                #expect(restored.parameters == p, "the snapshot codec loses \(key)")
            }
        }
    }

    @Test("keys that are not sweepable are refused in a sweep, naming the key")
    func notSweepable() {
        for field in JobSchema.fields where !field.sweepable {
            do {
                _ = try Self.parse(.object([("sweep", .object([(field.name, .array([.number("1"), .number("2")]))]))]))
                Issue.record("\(field.name) was swept")
            } catch {
                #expect(error.key == "sweep.\(field.name)" && error.message.hasPrefix("cannot be swept"))
            }
        }
    }

    @Test("every key of ode is read, and an unknown one is named")
    func odeKeys() throws {
        let spec = try Self.parse(.object([("ode", .object([("method", .string("rk4")), ("rtol", .number("1e-3")),
                                                            ("atol", .number("1e-4")), ("dt", .number("0.5"))]))]))
        #expect(spec.ode.method == .rk4 && spec.ode.rtol == 1e-3 && spec.ode.atol == 1e-4 && spec.ode.dt == 0.5)
        #expect(spec.normalised["ode"] == JobField.normalisedObject(JobSchema.odeFields, of: spec.ode))
    }
}
