import SGDynCore

/// Simulation parameters as a JSON object under the job-file key names (`N`, `lr`, `lr2`,
/// `teacher_activation`, …, plus `seed`), read back through the job schema's own readers: one
/// codec for a run's parameters wherever they are stored, exact to the bit (numbers are written
/// in the shortest form that reads back to the same Double).
public enum ParametersJSON {
    /// The parameter keys of the first stored form, always written, in the order they are
    /// written. Frozen: stored forms of every version hold exactly these, so a new key never
    /// joins them (it is one of `optionalKeys`).
    static let keys = ["N", "M", "K", "teacher_activation", "student_activation", "lr", "lr2", "sigma", "weight_decay",
                       "batch_size", "train_second_layer", "student_init", "teacher_second_layer", "training_set", "t_max",
                       "points", "mc_test_set"]
    /// Every other parameter key of the job schema (`task`, `label_flip`, …, in table order):
    /// written only when not at its default (its schema entry's normalised form is then nil), so
    /// other runs' stored forms keep their bytes, and optional when read. Derived, so a new key
    /// is stored with no change here. `data` is stored as `data_set` (its folder, files and sizes).
    static let optionalKeys = JobSchema.parameterKeys.filter { !keys.contains($0) && $0 != "data" } + ["data_set"]

    public static func encode(_ p: SimulationParameters) -> JSONValue {
        var draft = JobDraft()
        draft.simulation = p
        draft.activation = p.teacherActivation
        draft.teacherActivation = p.teacherActivation
        draft.studentActivation = p.studentActivation
        draft.lr2 = p.secondLayerLearningRate
        draft.fullBatch = p.fullBatch
        var members = (keys + optionalKeys).compactMap { key in JobSchema.field(named: key)?.normalised(draft).map { (key, $0) } }
        if let data = p.data { members.append(("data_set", encode(data))) }
        members.append(("seed", .number(String(p.seed))))
        return .object(members)
    }

    /// A data-set reference: the folder, the four paths, the sample counts.
    static func encode(_ data: DataSetReference) -> JSONValue {
        .object([("folder", .string(data.folder))] + data.files.map { ($0.key.replacingOccurrences(of: "data.", with: ""), JSONValue.string($0.path)) }
                + [("train_count", .int(data.trainCount)), ("test_count", .int(data.testCount))])
    }

    static func decodeDataSet(_ value: JSONValue, errorKey: String) throws(JobError) -> DataSetReference {
        func text(_ key: String) throws(JobError) -> String { try JobValues.string(value[key] ?? .null, "\(errorKey).\(key)") }
        func count(_ key: String) throws(JobError) -> Int { try JobValues.integer(value[key] ?? .null, "\(errorKey).\(key)", min: 1, max: Int(Int32.max)) }
        guard case .object(let members) = value, members.count == 7 else { throw JobError("must be an object of 7 keys", key: errorKey) }
        return DataSetReference(folder: try text("folder"), trainInputs: try text("train_inputs"), trainLabels: try text("train_labels"),
                                testInputs: try text("test_inputs"), testLabels: try text("test_labels"),
                                trainCount: try count("train_count"), testCount: try count("test_count"))
    }

    /// Reads what `encode` wrote: every key exactly once, each value checked by its job key's
    /// reader, and the invariants the simulator relies on checked, so that nothing decoded can
    /// reach a precondition. `errorKey` prefixes the keys in errors.
    public static func decode(_ value: JSONValue, errorKey: String = "parameters") throws(JobError) -> SimulationParameters {
        guard case .object(let members) = value else { throw JobError("must be an object of simulation parameters", key: errorKey) }
        let expected = keys + ["seed"]
        let required = members.map(\.key).filter { !optionalKeys.contains($0) }
        let optional = members.map(\.key).filter { optionalKeys.contains($0) }
        guard required.sorted() == expected.sorted(), Set(optional).count == optional.count else {
            throw JobError("must have exactly the keys \(expected.joined(separator: ", ")) and optionally \(optionalKeys.joined(separator: ", ")), got \(members.map(\.key).joined(separator: ", "))",
                           key: errorKey)
        }
        var draft = JobDraft()
        var seed: UInt64 = 0
        var data: DataSetReference?
        var noTeacher = false
        for (key, member) in members {
            if key == "data_set" {
                data = try decodeDataSet(member, errorKey: "\(errorKey).data_set")
            } else if key == "M", member == .number("0") {
                // A data-set run has no teacher; `check` below accepts M = 0 only with a data set.
                noTeacher = true
            } else if key == "seed" {
                guard case .number(let text) = member, let s = UInt64(text) else {
                    throw JobError("must be an integer from 0 to \(UInt64.max), got \(member.literal)", key: "\(errorKey).seed")
                }
                seed = s
            } else {
                try draft.apply(key: key, value: member, errorKey: "\(errorKey).\(key)")
            }
        }
        draft.simulation.data = data
        if noTeacher { draft.simulation.M = 0 }
        var p = draft.parameters
        p.seed = seed
        // The decoders' one check: the parameters' invariants and sizes whose products fit.
        if let problem = p.decodingProblem { throw JobError("invalid parameters: \(problem)", key: errorKey) }
        return p
    }
}
