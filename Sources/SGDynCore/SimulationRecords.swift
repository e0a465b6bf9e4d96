/// A run kept without its weights: parameters, step, records and divergence — what the worker
/// stores as the result of a finished (or diverged) simulation, and what publishing reads back.
///
/// Its bytes (`Simulation.recordsSnapshot()`) hold T and v* once, so decoding them neither
/// allocates nor regenerates the M×N teacher, unlike `Simulation(snapshot:)`. Layout
/// (little-endian): the magic `SGDYNREC`, the format version, the parameters, the step, T, v*,
/// the records, the divergence, and a SHA-256 of everything before it.
public struct SimulationRecords: Sendable, Equatable {
    public let parameters: SimulationParameters
    /// SGD steps done.
    public let step: Int
    /// Steps of the complete run, ⌈t_max·N⌉.
    public let totalSteps: Int
    public let records: [SimulationRecord]
    public let divergence: Divergence?
    /// Set when the run ended early at a record below `stop_below`.
    public let earlyStop: EarlyStop?
    /// With `store_weights`: the student's weights W (K×N) and v where the run ended.
    public let finalWeights: [Double]?
    public let finalSecondLayer: [Double]?

    static let magic = Array("SGDYNREC".utf8)
    static let version: UInt64 = 1
    /// Written for parameters that use the newer keys: the parameters' extension block, the
    /// records' classification errors and the early stop (see `Simulation.snapshot()`).
    static let extendedVersion: UInt64 = 2

    /// The records part of a simulation (also of one whose weights were released).
    public init(_ simulation: Simulation) {
        parameters = simulation.parameters
        step = simulation.step
        totalSteps = simulation.totalSteps
        records = simulation.records
        divergence = simulation.divergence
        earlyStop = simulation.earlyStop
        if simulation.parameters.storeWeights {
            var copy = simulation
            copy.applyPendingUpdate()
            finalWeights = copy.studentWeights
            finalSecondLayer = copy.studentSecondLayer
        } else {
            finalWeights = nil
            finalSecondLayer = nil
        }
    }

    /// Decodes `Simulation.recordsSnapshot()`'s bytes, checking them against the output schedule.
    public init(snapshot bytes: [UInt8]) throws(SnapshotError) {
        var reader = try ByteReader(sealed: bytes, magic: SimulationRecords.magic)
        let version = try reader.readUInt64()
        guard version == SimulationRecords.version || version == SimulationRecords.extendedVersion else { throw .unsupportedVersion(version) }
        let extended = version == SimulationRecords.extendedVersion
        var p = try reader.readParameters(checked: !extended)
        if extended { try reader.readParameterExtensions(into: &p) }
        parameters = p
        step = try reader.readInt()
        let T = try reader.readDoubles(expected: parameters.M * parameters.M)
        let vstar = try reader.readDoubles(expected: parameters.M)
        records = try reader.readRecords(parameters, T: T, vstar: vstar, extended: extended)
        divergence = try reader.readDivergence()
        earlyStop = extended ? try reader.readEarlyStop() : nil
        if parameters.storeWeights {
            finalWeights = try reader.readDoubles(expected: parameters.K * parameters.N)
            finalSecondLayer = try reader.readDoubles(expected: parameters.K)
        } else {
            finalWeights = nil
            finalSecondLayer = nil
        }
        guard reader.remaining == 0 else { throw .inconsistent("trailing bytes") }
        let recordSteps = OutputSchedule.steps(tMax: parameters.tMax, points: parameters.points, N: parameters.N)
        totalSteps = recordSteps.last ?? 0
        try Simulation.checkConsistency(step: step, records: records, divergence: divergence, earlyStop: earlyStop,
                                        recordSteps: recordSteps)
    }

    /// Whether the run reached t_max or stopped early below `stop_below` (false for a diverged run).
    public var isComplete: Bool { divergence == nil && (step >= totalSteps || earlyStop != nil) }
}

extension Simulation {
    /// The run's parameters, step, records and divergence, without weights: see
    /// `SimulationRecords`. Works on a run whose weights were released (`withoutWeights`).
    public func recordsSnapshot() -> [UInt8] {
        var writer = ByteWriter()
        writer.append(SimulationRecords.magic)
        let extended = parameters.usesExtensions
        writer.write(extended ? SimulationRecords.extendedVersion : SimulationRecords.version)
        writer.write(parameters: parameters)
        if extended { writer.write(parameterExtensions: parameters) }
        writer.write(step)
        writer.write(teacherOverlaps)
        writer.write(teacherSecondLayer)
        writer.write(records: records, extended: extended)
        writer.write(divergence: divergence)
        if extended { writer.write(earlyStop: earlyStop) }
        if parameters.storeWeights {
            let final = SimulationRecords(self)
            writer.write(final.finalWeights ?? [])
            writer.write(final.finalSecondLayer ?? [])
        }
        return writer.sealed()
    }
}
