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

    static let magic = Array("SGDYNREC".utf8)
    static let version: UInt64 = 1

    /// The records part of a simulation (also of one whose weights were released).
    public init(_ simulation: Simulation) {
        parameters = simulation.parameters
        step = simulation.step
        totalSteps = simulation.totalSteps
        records = simulation.records
        divergence = simulation.divergence
    }

    /// Decodes `Simulation.recordsSnapshot()`'s bytes, checking them against the output schedule.
    public init(snapshot bytes: [UInt8]) throws(SnapshotError) {
        var reader = try ByteReader(sealed: bytes, magic: SimulationRecords.magic)
        let version = try reader.readUInt64()
        guard version == SimulationRecords.version else { throw .unsupportedVersion(version) }
        parameters = try reader.readParameters()
        step = try reader.readInt()
        let T = try reader.readDoubles(expected: parameters.M * parameters.M)
        let vstar = try reader.readDoubles(expected: parameters.M)
        records = try reader.readRecords(parameters, T: T, vstar: vstar)
        divergence = try reader.readDivergence()
        guard reader.remaining == 0 else { throw .inconsistent("trailing bytes") }
        let recordSteps = OutputSchedule.steps(tMax: parameters.tMax, points: parameters.points, N: parameters.N)
        totalSteps = recordSteps.last ?? 0
        try Simulation.checkConsistency(step: step, records: records, divergence: divergence, recordSteps: recordSteps)
    }

    /// Whether the run reached t_max (false for a diverged run).
    public var isComplete: Bool { divergence == nil && step >= totalSteps }
}

extension Simulation {
    /// The run's parameters, step, records and divergence, without weights: see
    /// `SimulationRecords`. Works on a run whose weights were released (`withoutWeights`).
    public func recordsSnapshot() -> [UInt8] {
        var writer = ByteWriter()
        writer.append(SimulationRecords.magic)
        writer.write(SimulationRecords.version)
        writer.write(parameters: parameters)
        writer.write(step)
        writer.write(teacherOverlaps)
        writer.write(teacherSecondLayer)
        writer.write(records: records)
        writer.write(divergence: divergence)
        return writer.sealed()
    }
}
