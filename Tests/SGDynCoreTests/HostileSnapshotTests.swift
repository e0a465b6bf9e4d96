import Testing
@testable import SGDynCore

/// Snapshots, records and work units whose sizes were altered and re-sealed (a valid SHA-256, as
/// a crafted file on a shared spool would have): each is refused with a `SnapshotError` before
/// anything of the claimed size is allocated. The first ones are inputs the fuzz targets found
/// (Fuzz/, docs/operations.md, "Fuzzing and sanitizers"); a trap or an allocation failure would end this test process.
@Suite("Snapshots: hostile sizes are refused")
struct HostileSnapshotTests {
    static let parameters = SimulationParameters(N: 20, M: 2, K: 2, tMax: 2, points: 4, seed: 5)

    /// Byte offsets of the parameters in `Simulation.snapshot()`, `recordsSnapshot()` and a
    /// simulation's `WorkUnit.encoded()` (after the 8-byte magic and the 8-byte version; a work
    /// unit has its kind byte first).
    enum Field: Int {
        case N = 16, M = 24, K = 32, learningRate = 42, batchSize = 74, tMax = 102, points = 110
    }

    /// `bytes` with the 8 bytes of `field` replaced by `value`, and the SHA-256 trailer made again.
    static func patched(_ bytes: [UInt8], _ field: Field, _ value: UInt64, shift: Int = 0) -> [UInt8] {
        var body = Array(bytes.dropLast(32))
        for i in 0..<8 { body[field.rawValue + shift + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) }
        return body + SHA256.hash(body)
    }

    static func snapshot() -> [UInt8] {
        var run = Simulation(parameters: parameters)
        run.advance(maxSteps: 7)
        return run.snapshot()
    }

    @Test("the patching helper keeps an unchanged snapshot valid")
    func helper() throws {
        let bytes = Self.snapshot()
        #expect(try Simulation(snapshot: Self.patched(bytes, .N, 20)).snapshot() == bytes)
    }

    @Test("a snapshot claiming 10¹² output times (found by fuzz-simulation-snapshot: the schedule was built first)")
    func hugePoints() {
        let bad = Self.patched(Self.snapshot(), .points, 1_000_000_000_000)
        #expect(throws: SnapshotError.self) { _ = try Simulation(snapshot: bad) }
    }

    @Test("records claiming 10¹² output times (found by fuzz-records-snapshot)")
    func hugePointsInRecords() {
        var run = Simulation(parameters: Self.parameters)
        run.runToEnd()
        let bad = Self.patched(run.recordsSnapshot(), .points, 1_000_000_000_000)
        #expect(throws: SnapshotError.self) { _ = try SimulationRecords(snapshot: bad) }
    }

    @Test("sizes whose products overflow, or whose weights would not fit", arguments: [
        (Field.K, UInt64(1) << 32),          // K·K overflows
        (Field.N, UInt64(1) << 61),          // 8·K·N overflows
        (Field.M, UInt64(1_000_000)),        // a teacher of M·N doubles that the bytes do not hold
        (Field.batchSize, UInt64(1) << 40),  // sample buffers of B·N doubles
        (Field.tMax, (1e300).bitPattern),    // ⌈t_max·N⌉ beyond Int
        (Field.tMax, Double.infinity.bitPattern),
        (Field.tMax, Double.nan.bitPattern),
        (Field.tMax, (5e-324).bitPattern),   // its output times were NaN (found by fuzz-records-snapshot)
        (Field.learningRate, Double.nan.bitPattern),  // would reach check()'s precondition
    ])
    func oversized(field: Field, value: UInt64) {
        let bad = Self.patched(Self.snapshot(), field, value)
        #expect(throws: SnapshotError.self) { _ = try Simulation(snapshot: bad) }
        var run = Simulation(parameters: Self.parameters)
        run.runToEnd()
        #expect(throws: SnapshotError.self) { _ = try SimulationRecords(snapshot: Self.patched(run.recordsSnapshot(), field, value)) }
        let unit = WorkUnit(.simulation(Self.parameters)).encoded()
        #expect(throws: WorkUnitDecodingError.self) { _ = try WorkUnit(encoded: Self.patched(unit, field, value, shift: 1)) }
    }

    @Test("a simulation unit whose run would need more memory than any job may")
    func unitOverMemory() {
        // Its weights are small; a thousand records of 1024×1024 order parameters are not (17 GB).
        var p = Self.parameters
        p.N = 100
        p.M = 1024
        p.K = 1024
        p.points = 1000
        p.tMax = 100
        #expect(p.decodingProblem == nil)
        #expect(p.simulationMemoryProblem != nil)
        #expect(throws: WorkUnitDecodingError.self) { _ = try WorkUnit(encoded: WorkUnit(.simulation(p)).encoded()) }
    }

    @Test("an ODE snapshot or unit whose sizes no decoder accepts is refused before its workspace exists")
    func odeWorkspace() throws {
        // Since 0.2.0 the workspace grows like (K + M)²: at the decoders' largest sizes it is over
        // the workspace limit (3.9 GB for ReLU), at one unit more the sizes alone are refused.
        let largest = SimulationLimits.maxUnits
        #expect(ODEResources.workspaceBytes(K: largest, M: largest, activation: .relu) > SimulationLimits.maxODEWorkspaceBytes)
        #expect(ODEResources.decodingProblem(K: largest, M: largest, activation: .relu) != nil)
        let K = largest + 1
        var op = OrderParameters(K: K, M: 1, Q: [Double](repeating: 0, count: K * K), R: [Double](repeating: 0, count: K),
                                 T: [1], v: [Double](repeating: 1, count: K), vstar: [1])
        for k in 0..<K { op.Q[k * K + k] = 1 }
        #expect(ODEResources.decodingProblem(K: K, M: 1, activation: .erf) != nil)
        var p = Self.parameters
        p.K = K
        p.M = 1
        let unit = WorkUnit(.ode(ODEWork(parameters: p, method: .rk4(dt: 0.1), start: .explicit(op), times: .requested)))
        #expect(throws: WorkUnitDecodingError.self) { _ = try WorkUnit(encoded: unit.encoded()) }
        // Its snapshot too: the integration can be made (its workspace comes with the first step),
        // but a worker must not restore it.
        let ode = try ODEIntegration(parameters: ODEParameters(), initial: op, times: [0, 1], method: .rk4(dt: 0.1))
        #expect(throws: SnapshotError.self) { _ = try ODEIntegration(snapshot: ode.snapshot()) }
    }

    @Test("a fixed step so small that t/dt exceeds 2⁵² is refused before the integrator counts steps as Int (found by fuzz-ode-snapshot)")
    func tinyStep() throws {
        let start = ODEInitialConditions.drawn(for: Self.parameters)
        for method in [ODEMethod.euler(dt: 1e-300), .rk4(dt: 1e-300), .euler(dt: 1e-16)] {
            #expect(throws: ODEError.self) { _ = try ODEIntegration(parameters: ODEParameters(), initial: start, times: [0, 1], method: method) }
        }
        _ = try ODEIntegration(parameters: ODEParameters(), initial: start, times: [0, 1], method: .euler(dt: 1e-15))
    }

    @Test("a length field near Int.max is refused, not overflowed")
    func hugeLengths() {
        var reader = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] + [UInt8](repeating: 0, count: 16))
        #expect(throws: SnapshotError.self) { _ = try reader.readDoubles(expected: Int.max) }
        var raw = ByteReader([1, 2, 3])
        #expect(throws: SnapshotError.self) { _ = try raw.readRaw(-1) }
    }
}
