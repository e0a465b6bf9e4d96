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
    /// is stored with no change here.
    static let optionalKeys = JobSchema.parameterKeys.filter { !keys.contains($0) }

    public static func encode(_ p: SimulationParameters) -> JSONValue {
        var draft = JobDraft()
        draft.simulation = p
        draft.activation = p.teacherActivation
        draft.teacherActivation = p.teacherActivation
        draft.studentActivation = p.studentActivation
        draft.lr2 = p.secondLayerLearningRate
        draft.fullBatch = p.fullBatch
        var members = (keys + optionalKeys).compactMap { key in JobSchema.field(named: key)?.normalised(draft).map { (key, $0) } }
        members.append(("seed", .number(String(p.seed))))
        return .object(members)
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
        for (key, member) in members {
            if key == "seed" {
                guard case .number(let text) = member, let s = UInt64(text) else {
                    throw JobError("must be an integer from 0 to \(UInt64.max), got \(member.literal)", key: "\(errorKey).seed")
                }
                seed = s
            } else {
                try draft.apply(key: key, value: member, errorKey: "\(errorKey).\(key)")
            }
        }
        var p = draft.parameters
        p.seed = seed
        // The decoders' one check: the parameters' invariants and sizes whose products fit.
        if let problem = p.decodingProblem { throw JobError("invalid parameters: \(problem)", key: errorKey) }
        return p
    }
}
