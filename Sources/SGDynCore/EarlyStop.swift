/// Where a run ended before t_max because ε_g fell below the job's `stop_below` (checked at
/// record times only, so the run ends exactly at a record and keeps every record up to it).
/// An outcome of the dynamics, like `Divergence`, but a successful one: the run counts as
/// finished and its last record is its final value.
public struct EarlyStop: Sendable, Equatable {
    /// step/N of the record at which ε_g was first below the threshold.
    public var t: Double
    /// The SGD step of that record.
    public var step: Int
    /// ε_g of that record.
    public var eg: Double
    /// The threshold it fell below (`stop_below`).
    public var threshold: Double

    public init(t: Double, step: Int, eg: Double, threshold: Double) {
        self.t = t
        self.step = step
        self.eg = eg
        self.threshold = threshold
    }
}

extension ByteWriter {
    /// Present flag, then t, step, ε_g and the threshold.
    mutating func write(earlyStop: EarlyStop?) {
        write(earlyStop != nil)
        write(earlyStop?.t ?? 0)
        write(earlyStop?.step ?? 0)
        write(earlyStop?.eg ?? 0)
        write(earlyStop?.threshold ?? 0)
    }
}

extension ByteReader {
    mutating func readEarlyStop() throws(SnapshotError) -> EarlyStop? {
        let present = try readBool()
        let t = try readDouble(), step = try readInt(), eg = try readDouble(), threshold = try readDouble()
        return present ? EarlyStop(t: t, step: step, eg: eg, threshold: threshold) : nil
    }
}

/// The parameters' extension block: the keys added after the binary formats' first versions
/// (`task`, `label_flip`, `teacher_sparsity`, `stop_below`, `store_weights`, full-batch descent). Written only by the newer format
/// versions, and only when `SimulationParameters.usesExtensions`, so that a job using none of
/// them has exactly the bytes (work units, checkpoints, results) it had before.
extension ByteWriter {
    /// 1 + 8 + 8 + 9 + 1 + 1 bytes.
    static let parameterExtensionBytes = 28

    mutating func write(parameterExtensions p: SimulationParameters) {
        write(UInt8(LearningTask.allCases.firstIndex(of: p.task)!))
        write(p.labelFlip)
        write(p.teacherSparsity)
        write(optional: p.stopBelow)
        write(p.storeWeights)
        write(p.fullBatch)
    }

    /// The classification errors of a record (extension formats only).
    mutating func write(recordExtensions r: SimulationRecord) {
        write(optional: r.classificationError)
        write(optional: r.trainingClassificationError)
    }
}

extension ByteReader {
    mutating func readParameterExtensions(into p: inout SimulationParameters) throws(SnapshotError) {
        let task = try readByte()
        guard Int(task) < LearningTask.allCases.count else { throw .inconsistent("unknown task \(task)") }
        p.task = LearningTask.allCases[Int(task)]
        p.labelFlip = try readDouble()
        p.teacherSparsity = try readDouble()
        p.stopBelow = try readOptionalDouble()
        p.storeWeights = try readBool()
        p.fullBatch = try readBool()
        guard p.usesExtensions else { throw .inconsistent("an extension block with default values only") }
        if let problem = p.decodingProblem { throw .inconsistent("invalid parameters: \(problem)") }
    }
}

/// Formats whose later blocks (a work unit's start weights) make them extended whatever the
/// parameters: a flag, then the extension block only when the parameters use it.
extension ByteWriter {
    mutating func write(optionalParameterExtensions p: SimulationParameters) {
        write(p.usesExtensions)
        if p.usesExtensions { write(parameterExtensions: p) }
    }
}

extension ByteReader {
    mutating func readOptionalParameterExtensions(into p: inout SimulationParameters) throws(SnapshotError) {
        if try readBool() { try readParameterExtensions(into: &p) }
    }
}
