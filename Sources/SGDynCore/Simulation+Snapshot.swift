/// Why a snapshot could not be restored.
public enum SnapshotError: Error, Equatable, CustomStringConvertible {
    case notASnapshot
    case unsupportedVersion(UInt64)
    case checksumMismatch
    case truncated
    case inconsistent(String)

    public var description: String {
        switch self {
        case .notASnapshot: return "not an sgdyn snapshot of this kind"
        case .unsupportedVersion(let v): return "snapshot format version \(v) is not supported by this build"
        case .checksumMismatch: return "snapshot checksum mismatch (corrupted data)"
        case .truncated: return "snapshot is truncated"
        case .inconsistent(let why): return "snapshot is inconsistent: \(why)"
        }
    }
}

/// Snapshots: the complete state of a run as bytes, and back.
///
/// Layout (little-endian): the magic `SGDYNSNP`, the format version, the parameters, the step, W,
/// v, the records, (version 2) the divergence, and a SHA-256 of everything before it. The teacher
/// is not stored: it is regenerated from the seed, bit for bit. A pending update is applied before
/// writing, which changes no bit of the continuation (see `Simulation.applyUpdate`). Version 1
/// (before divergence was recorded) still restores, as a run that has not diverged. Version 3,
/// written only for parameters that use the newer keys (`usesExtensions`), adds the parameters'
/// extension block after them, the classification errors to every record and the early stop
/// after the divergence; every other run is still written as version 2, byte for byte.
extension Simulation {
    static let snapshotMagic = Array("SGDYNSNP".utf8)
    static let snapshotVersion: UInt64 = 2
    static let extendedSnapshotVersion: UInt64 = 3

    /// The complete state of the run.
    public func snapshot() -> [UInt8] {
        precondition(!isReleased, "snapshot of a simulation whose weights were released")
        var state = self
        state.applyPendingUpdate()
        var writer = ByteWriter()
        writer.append(Simulation.snapshotMagic)
        let extended = parameters.usesExtensions
        writer.write(extended ? Simulation.extendedSnapshotVersion : Simulation.snapshotVersion)
        writer.write(parameters: parameters)
        if extended { writer.write(parameterExtensions: parameters) }
        writer.write(state.step)
        writer.write(state.studentWeights)
        writer.write(state.studentSecondLayer)
        writer.write(records: state.records, extended: extended)
        writer.write(divergence: state.divergence)
        if extended { writer.write(earlyStop: state.earlyStop) }
        return writer.sealed()
    }

    /// Restores a run from `snapshot()`'s bytes (format version 1, 2 or 3); continuing it gives
    /// bit-identical results to the run that was snapshotted.
    public init(snapshot bytes: [UInt8]) throws(SnapshotError) {
        try self.init(snapshot: bytes, start: nil)
    }

    /// Restores a run whose teacher was `start`'s (`teacher_from`): a snapshot holds the student,
    /// never the teacher, which comes from the work unit again (or the seed).
    public init(snapshot bytes: [UInt8], start: StartWeights?) throws(SnapshotError) {
        var reader = try ByteReader(sealed: bytes, magic: Simulation.snapshotMagic)
        let version = try reader.readUInt64()
        guard (1...Simulation.extendedSnapshotVersion).contains(version) else { throw .unsupportedVersion(version) }
        var p = try reader.readParameters()
        let extended = version >= Simulation.extendedSnapshotVersion
        if extended { try reader.readParameterExtensions(into: &p) }
        // Before the teacher (M×N) and the sample buffers (B×N) are allocated: none of them is in the bytes.
        if let problem = p.simulationMemoryProblem { throw .inconsistent(problem) }
        let step = try reader.readInt()
        let weights = try reader.readDoubles(expected: p.K * p.N)
        let secondLayer = try reader.readDoubles(expected: p.K)
        if let start, !start.fits(p) { throw .inconsistent("the unit's start weights do not fit its parameters") }
        let teacher = Simulation.drawTeacher(p, start: start)
        let T = Simulation.symmetricGram(teacher.weights, rows: p.M, n: p.N)
        let records = try reader.readRecords(p, T: T, vstar: teacher.secondLayer, extended: extended)
        let divergence = version >= 2 ? try reader.readDivergence() : nil
        let earlyStop = extended ? try reader.readEarlyStop() : nil
        guard reader.remaining == 0 else { throw .inconsistent("trailing bytes") }
        self.init(parameters: p, teacher: teacher, studentWeights: weights, studentSecondLayer: secondLayer,
                  step: step, records: records, divergence: divergence)
        self.earlyStop = earlyStop
        try Simulation.checkConsistency(step: step, records: records, divergence: divergence, earlyStop: earlyStop,
                                        recordSteps: recordSteps)
    }

    /// A snapshot's step, records and divergence must fit together and with the output schedule.
    static func checkConsistency(step: Int, records: [SimulationRecord], divergence: Divergence?, earlyStop: EarlyStop? = nil,
                                 recordSteps: [Int]) throws(SnapshotError) {
        let due = recordSteps.filter { $0 <= step }
        // A run that diverged at a record step has no record there.
        let matches = records.map(\.step) == due || (divergence != nil && records.map(\.step) == due.filter { $0 < step })
        guard step >= 0, step <= (recordSteps.last ?? 0), matches else {
            throw .inconsistent("step \(step) does not match the \(records.count) records")
        }
        if let divergence, divergence.step != step { throw .inconsistent("divergence at a step other than the run's") }
        if let earlyStop {
            guard divergence == nil, earlyStop.step == step, records.last?.step == step, records.last?.eg == earlyStop.eg else {
                throw .inconsistent("an early stop other than at the run's last record")
            }
        }
    }
}

extension ByteWriter {
    /// The records of one run, without T and v* (the same for every record).
    /// `extended`: with each record's classification errors (format versions with extensions).
    mutating func write(records: [SimulationRecord], extended: Bool) {
        write(records.count)
        for record in records {
            write(record.step)
            write(record.t)
            write(record.eg)
            write(record.orderParameters.Q)
            write(record.orderParameters.R)
            write(record.orderParameters.v)
            write(optional: record.trainingError)
            write(optional: record.monteCarloError)
            if extended { write(recordExtensions: record) }
        }
    }
}

extension ByteReader {
    /// What `write(records:)` wrote, with T and v* filled in.
    mutating func readRecords(_ p: SimulationParameters, T: [Double], vstar: [Double], extended: Bool) throws(SnapshotError) -> [SimulationRecord] {
        let count = try readInt()
        var records: [SimulationRecord] = []
        for _ in 0..<max(0, count) {
            let recordStep = try readInt()
            let t = try readDouble()
            let eg = try readDouble()
            let Q = try readDoubles(expected: p.K * p.K)
            let R = try readDoubles(expected: p.K * p.M)
            let v = try readDoubles(expected: p.K)
            let op = OrderParameters(K: p.K, M: p.M, Q: Q, R: R, T: T, v: v, vstar: vstar)
            var record = SimulationRecord(step: recordStep, t: t, eg: eg, orderParameters: op,
                                          trainingError: try readOptionalDouble(),
                                          monteCarloError: try readOptionalDouble())
            if extended {
                record.classificationError = try readOptionalDouble()
                record.trainingClassificationError = try readOptionalDouble()
            }
            records.append(record)
        }
        return records
    }
}

extension ByteWriter {
    mutating func write(parameters p: SimulationParameters) {
        write(p.N)
        write(p.M)
        write(p.K)
        write(p.teacherActivation.declaration.tag)
        write(p.studentActivation.declaration.tag)
        write(p.learningRate)
        write(p.secondLayerLearningRate)
        write(p.noise)
        write(p.weightDecay)
        write(p.batchSize)
        write(p.trainSecondLayer)
        write(UInt8(StudentInit.allCases.firstIndex(of: p.studentInit)!))
        switch p.teacherSecondLayer {
        case .ones: write(UInt8(0)); write(0.0)
        case .random: write(UInt8(1)); write(0.0)
        case .normalise: write(UInt8(2)); write(0.0)
        case .meanfield: write(UInt8(3)); write(0.0)
        case .mix: write(UInt8(4)); write(0.0)
        case .constant(let a): write(UInt8(5)); write(a)
        }
        write(optional: p.trainingSetRatio)
        write(p.tMax)
        write(p.points)
        write(p.seed)
        write(optional: p.monteCarloTestSize)
    }
}

extension ByteReader {
    mutating func readParameters() throws(SnapshotError) -> SimulationParameters {
        func pick<T>(_ all: [T], _ index: UInt8) throws(SnapshotError) -> T {
            guard Int(index) < all.count else { throw .inconsistent("unknown enumeration value \(index)") }
            return all[Int(index)]
        }
        func activation(_ tag: UInt8) throws(SnapshotError) -> Activation {
            guard let a = Activation(tag: tag) else { throw .inconsistent("unknown activation tag \(tag)") }
            return a
        }
        var p = SimulationParameters()
        p.N = try readInt()
        p.M = try readInt()
        p.K = try readInt()
        p.teacherActivation = try activation(try readByte())
        p.studentActivation = try activation(try readByte())
        p.learningRate = try readDouble()
        p.secondLayerLearningRate = try readDouble()
        p.noise = try readDouble()
        p.weightDecay = try readDouble()
        p.batchSize = try readInt()
        p.trainSecondLayer = try readBool()
        p.studentInit = try pick(StudentInit.allCases, try readByte())
        let tag = try readByte()
        let value = try readDouble()
        p.teacherSecondLayer = try pick([.ones, .random, .normalise, .meanfield, .mix, .constant(value)], tag)
        p.trainingSetRatio = try readOptionalDouble()
        p.tMax = try readDouble()
        p.points = try readInt()
        p.seed = try readUInt64()
        p.monteCarloTestSize = try readOptionalInt()
        if let problem = p.decodingProblem { throw .inconsistent("invalid parameters: \(problem)") }
        return p
    }
}
