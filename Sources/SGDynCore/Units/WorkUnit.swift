/// One unit of work of a job, as a worker receives it: a simulation of one sweep point and seed,
/// or one ODE integration. A value with a stable binary form (`encoded()`), so the daemon can store
/// it when the job arrives and hand it to any worker — a local process or a Slurm task — which
/// computes it without reading the job file again.
public struct WorkUnit: Sendable, Equatable {
    /// What to compute.
    public enum Work: Sendable, Equatable {
        /// The SGD simulation with these parameters (seed included).
        case simulation(SimulationParameters)
        /// The ODEs of science.md §5.
        case ode(ODEWork)
    }

    public var work: Work
    /// A simulation's teacher or initial student taken from an earlier run (`teacher_from`,
    /// `student_from`), read from the outbox when the job arrived: the unit carries the arrays
    /// themselves, so a worker anywhere (a Slurm node that does not see the outbox) and a resume
    /// from a checkpoint use exactly what was read then, whatever happens to the source later.
    public var start: StartWeights?

    public init(_ work: Work) { self.work = work }

    public init(_ work: Work, start: StartWeights?) {
        self.work = work
        // Only simulations take weights; an empty `StartWeights` is none.
        if case .simulation = work, let start, start.teacher != nil || start.student != nil { self.start = start }
    }

    /// The simulation or ODE parameters; for an ODE the simulation whose dynamics it describes.
    public var parameters: SimulationParameters {
        switch work {
        case .simulation(let p): return p
        case .ode(let o): return o.parameters
        }
    }
}

/// An ODE integration as a unit: the dynamics of a simulation with `parameters`, from `start`, to
/// the output `times`, with `method`.
public struct ODEWork: Sendable, Equatable {
    /// Where the integration starts.
    public enum Start: Sendable, Equatable {
        /// Where a simulation with `parameters` (and its seed) starts: its weights drawn exactly as
        /// `Simulation(parameters:)` draws them.
        case drawn
        /// Explicit order parameters from the job (already validated).
        case explicit(OrderParameters)

        /// K and M of explicit initial conditions (nil when drawn: the parameters' K and M).
        var sizes: (K: Int, M: Int)? {
            if case .explicit(let op) = self { return (op.K, op.M) }
            return nil
        }
    }

    /// When to record.
    public enum Times: Sendable, Equatable {
        /// The job's output times, `OutputSchedule.times(tMax:points:)`.
        case requested
        /// A simulation's record times step/N (`compare` jobs record where the simulation does).
        case simulationRecords
    }

    public var parameters: SimulationParameters
    public var method: ODEMethod
    public var start: Start
    public var times: Times

    public init(parameters: SimulationParameters, method: ODEMethod, start: Start, times: Times) {
        self.parameters = parameters
        self.method = method
        self.start = start
        self.times = times
    }

    /// The output times this integration records at.
    public var outputTimes: [Double] {
        switch times {
        case .requested:
            return OutputSchedule.times(tMax: parameters.tMax, points: parameters.points)
        case .simulationRecords:
            let N = Double(parameters.N)
            return OutputSchedule.steps(tMax: parameters.tMax, points: parameters.points, N: parameters.N).map { Double($0) / N }
        }
    }

    /// The initial order parameters (drawing the weights when `start` is `.drawn`).
    public func initialConditions() -> OrderParameters {
        switch start {
        case .drawn: return ODEInitialConditions.drawn(for: parameters)
        case .explicit(let op): return op
        }
    }
}

/// Why encoded bytes are not a work unit.
public enum WorkUnitDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAWorkUnit
    case unsupportedVersion(UInt64)
    case malformed(SnapshotError)

    public var description: String {
        switch self {
        case .notAWorkUnit: return "not an sgdyn work unit"
        case .unsupportedVersion(let v): return "work unit format version \(v) is not supported by this build"
        case .malformed(let why): return "malformed work unit: \(why)"
        }
    }
}

extension WorkUnit {
    static let magic = Array("SGDYNWRK".utf8)
    static let version: UInt64 = 1
    /// Written when the parameters use the newer keys: their extension block follows them.
    static let extendedVersion: UInt64 = 2
    /// Written when the unit carries start weights: version 2's body, then a flags byte (1: the
    /// teacher's B and v*, 2: the student's W and v) and those arrays (counted, their sizes checked
    /// against the parameters).
    static let startVersion: UInt64 = 3

    /// The stable binary form: magic, version, kind, the parameters (the same codec as snapshots),
    /// and for an ODE its method, start and times; a SHA-256 of all of it at the end.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.append(Self.magic)
        let extended = parameters.usesExtensions || start != nil
        writer.write(start != nil ? Self.startVersion : extended ? Self.extendedVersion : Self.version)
        switch work {
        case .simulation(let p):
            writer.write(UInt8(0))
            writer.write(parameters: p)
            if start != nil {
                writer.write(optionalParameterExtensions: p)
            } else if extended {
                writer.write(parameterExtensions: p)
            }
            if let start {
                writer.write(UInt8((start.teacher != nil ? 1 : 0) | (start.student != nil ? 2 : 0)))
                for layers in [start.teacher, start.student].compactMap({ $0 }) {
                    writer.write(layers.first)
                    writer.write(layers.second)
                }
            }
        case .ode(let o):
            writer.write(UInt8(1))
            writer.write(parameters: o.parameters)
            if extended { writer.write(parameterExtensions: o.parameters) }
            writer.write(method: o.method)
            switch o.start {
            case .drawn:
                writer.write(UInt8(0))
            case .explicit(let op):
                writer.write(UInt8(1))
                writer.write(orderParameters: op)
            }
            writer.write(UInt8(o.times == .requested ? 0 : 1))
        }
        var bytes = writer.bytes
        bytes += SHA256.hash(bytes)
        return bytes
    }

    /// Reads `encoded()`'s bytes back, checking the checksum.
    public init(encoded bytes: [UInt8]) throws(WorkUnitDecodingError) {
        guard bytes.count >= Self.magic.count + 8 + 32, Array(bytes.prefix(Self.magic.count)) == Self.magic else {
            throw .notAWorkUnit
        }
        let body = Array(bytes.dropLast(32))
        guard SHA256.hash(body) == Array(bytes.suffix(32)) else { throw .malformed(.checksumMismatch) }
        var reader = ByteReader(body)
        do {
            _ = try reader.readRaw(Self.magic.count)
            let version = try reader.readUInt64()
            guard (Self.version...Self.startVersion).contains(version) else { throw WorkUnitDecodingError.unsupportedVersion(version) }
            let extended = version >= Self.extendedVersion
            switch try reader.readByte() {
            case 0:
                var parameters = try reader.readParameters()
                if version == Self.startVersion {
                    try reader.readOptionalParameterExtensions(into: &parameters)
                } else if extended {
                    try reader.readParameterExtensions(into: &parameters)
                }
                if let problem = parameters.simulationMemoryProblem { throw SnapshotError.inconsistent(problem) }
                work = .simulation(parameters)
                if version == Self.startVersion {
                    let flags = try reader.readByte()
                    guard flags >= 1 && flags <= 3 else { throw SnapshotError.inconsistent("unknown start weights \(flags)") }
                    let p = parameters
                    func layers(rows: Int) throws(SnapshotError) -> StartWeights.Layers {
                        let first = try reader.readDoubles(expected: rows * p.N)
                        let second = try reader.readDoubles(expected: rows)
                        guard first.allSatisfy(\.isFinite), second.allSatisfy(\.isFinite) else { throw .inconsistent("non-finite start weights") }
                        return StartWeights.Layers(first: first, second: second)
                    }
                    start = StartWeights(teacher: flags & 1 != 0 ? try layers(rows: p.M) : nil, student: flags & 2 != 0 ? try layers(rows: p.K) : nil)
                }
            case 1:
                var parameters = try reader.readParameters()
                if extended { try reader.readParameterExtensions(into: &parameters) }
                let method = try reader.readMethod()
                let start: ODEWork.Start
                switch try reader.readByte() {
                case 0: start = .drawn
                case 1: start = .explicit(try reader.readOrderParameters())
                default: throw SnapshotError.inconsistent("unknown ODE start")
                }
                let (K, M) = start.sizes ?? (parameters.K, parameters.M)
                if let problem = ODEResources.decodingProblem(K: K, M: M, activation: parameters.studentActivation) {
                    throw SnapshotError.inconsistent(problem)
                }
                let times: ODEWork.Times
                switch try reader.readByte() {
                case 0: times = .requested
                case 1: times = .simulationRecords
                default: throw SnapshotError.inconsistent("unknown ODE times")
                }
                work = .ode(ODEWork(parameters: parameters, method: method, start: start, times: times))
            default:
                throw SnapshotError.inconsistent("unknown unit kind")
            }
            guard reader.remaining == 0 else { throw SnapshotError.inconsistent("trailing bytes") }
        } catch let error as WorkUnitDecodingError {
            throw error
        } catch let error as SnapshotError {
            throw .malformed(error)
        } catch {
            throw .notAWorkUnit
        }
    }
}
