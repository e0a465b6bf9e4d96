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
///
/// Its last byte holds flags: bit 0 full-batch descent, bit 1 a tail of later keys follows
/// (`SimulationParameters.laterKeys`): a count, then (tag, value) for each one not at its
/// default, tags ascending. A key added there needs no change to this codec or its format
/// versions, and a job that uses no such key keeps its bytes; a reader that does not know a
/// tag refuses the block (as readers before the tail refuse the flag).
extension ByteWriter {
    /// 1 + 8 + 8 + 9 + 1 + 1 bytes without a tail.
    static let parameterExtensionBytes = 28

    /// The block's size for these parameters: the fixed part and the tail.
    static func parameterExtensionBytes(_ p: SimulationParameters) -> Int {
        let tail = SimulationParameters.laterKeys.filter { $0.stored(p) != nil }.count
        return parameterExtensionBytes + (tail == 0 ? 0 : 1 + 9 * tail)
    }

    mutating func write(parameterExtensions p: SimulationParameters) {
        // The task byte's high bit says that a data-set block follows (data jobs only, so every
        // other job's extension block keeps its bytes).
        write(p.task.tag | (p.data == nil ? 0 : 0x80))
        write(p.labelFlip)
        write(p.teacherSparsity)
        write(optional: p.stopBelow)
        write(p.storeWeights)
        let tail = SimulationParameters.laterKeys.compactMap { key in key.stored(p).map { (key.tag, $0) } }
        write(UInt8(p.fullBatch ? 1 : 0) | (tail.isEmpty ? 0 : 2))
        if !tail.isEmpty {
            write(UInt8(tail.count))
            for (tag, value) in tail {
                write(tag)
                write(value)
            }
        }
        // After the tail: the data set's reference (data jobs only).
        if let data = p.data {
            write(string: data.folder)
            for file in data.files { write(string: file.path) }
            write(data.trainCount)
            write(data.testCount)
        }
    }

    /// The classification errors of a record (extension formats only).
    mutating func write(recordExtensions r: SimulationRecord) {
        write(optional: r.classificationError)
        write(optional: r.trainingClassificationError)
    }
}

extension ByteReader {
    mutating func readParameterExtensions(into p: inout SimulationParameters) throws(SnapshotError) {
        let tagged = try readByte()
        let task = tagged & 0x7F
        guard let learningTask = LearningTask(tag: task) else { throw .inconsistent("unknown task \(task)") }
        p.task = learningTask
        p.labelFlip = try readDouble()
        p.teacherSparsity = try readDouble()
        p.stopBelow = try readOptionalDouble()
        p.storeWeights = try readBool()
        let flags = try readByte()
        guard flags & ~3 == 0 else { throw .inconsistent("unknown parameter flags \(flags)") }
        p.fullBatch = flags & 1 != 0
        if flags & 2 != 0 {
            let count = try readByte()
            guard count >= 1 else { throw .inconsistent("an empty tail of parameters") }
            var last: UInt8?
            for _ in 0..<count {
                let tag = try readByte()
                guard last.map({ tag > $0 }) ?? true, let key = SimulationParameters.laterKeys.first(where: { $0.tag == tag }) else {
                    throw .inconsistent("unknown or repeated parameter tag \(tag)")
                }
                last = tag
                key.restore(&p, try readDouble())
                guard key.stored(p) != nil else { throw .inconsistent("parameter tag \(tag) stored at its default") }
            }
        }
        if tagged & 0x80 != 0 {
            let folder = try readString(), trainInputs = try readString(), trainLabels = try readString()
            let testInputs = try readString(), testLabels = try readString()
            p.data = DataSetReference(folder: folder, trainInputs: trainInputs, trainLabels: trainLabels, testInputs: testInputs,
                                      testLabels: testLabels, trainCount: try readInt(), testCount: try readInt())
        }
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
    /// Reads the flag and the block; the parameters are checked either way (read unchecked before).
    mutating func readOptionalParameterExtensions(into p: inout SimulationParameters) throws(SnapshotError) {
        if try readBool() {
            try readParameterExtensions(into: &p)
        } else if let problem = p.decodingProblem {
            throw .inconsistent("invalid parameters: \(problem)")
        }
    }
}
