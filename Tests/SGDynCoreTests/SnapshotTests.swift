import Testing
@testable import SGDynCore

@Suite("Determinism and snapshots")
struct SnapshotTests {
    static let configurations: [SimulationParameters] = [
        SimulationParameters(N: 97, M: 2, K: 3, tMax: 4, points: 20, seed: 1),
        SimulationParameters(N: 64, M: 3, K: 2, teacherActivation: .relu, studentActivation: .erf, noise: 0.1,
                             weightDecay: 0.2, batchSize: 3, trainSecondLayer: true, teacherSecondLayer: .random,
                             tMax: 3, points: 15, seed: 2),
        SimulationParameters(N: 50, M: 2, K: 4, studentActivation: .relu, noise: 0.3, trainSecondLayer: true,
                             studentInit: .mixed, trainingSetRatio: 1.5, tMax: 4, points: 10, seed: 3, monteCarloTestSize: 30),
        // The newer keys (format version 3): classification with flips on a finite set, a sparse
        // teacher, a run that stops early.
        { var p = SimulationParameters(N: 60, M: 2, K: 3, trainingSetRatio: 1, tMax: 4, points: 12, seed: 4, monteCarloTestSize: 40)
          p.task = .classify; p.labelFlip = 0.2; p.teacherSparsity = 0.5; return p }(),
        { var p = SimulationParameters(N: 50, M: 2, K: 2, noise: 0.05, tMax: 30, points: 40, seed: 5)
          p.teacherSparsity = 0.3; p.stopBelow = 0.1; p.storeWeights = true; return p }(),
        { var p = SimulationParameters(N: 30, M: 2, K: 2, noise: 0.1, batchSize: 45, trainingSetRatio: 1.5, tMax: 3, points: 10, seed: 6)
          p.fullBatch = true; return p }(),
    ]

    @Test("the same parameters give identical bytes", arguments: configurations.indices)
    func sameJobSameBytes(index: Int) {
        var a = Simulation(parameters: Self.configurations[index])
        var b = Simulation(parameters: Self.configurations[index])
        a.runToEnd()
        b.runToEnd()
        #expect(a.snapshot() == b.snapshot())
        #expect(a.records == b.records)
    }

    @Test("restoring a snapshot taken at random steps and continuing is bit-identical to never stopping",
          arguments: configurations.indices)
    func snapshotRestore(index: Int) throws {
        let p = Self.configurations[index]
        var reference = Simulation(parameters: p)
        reference.runToEnd()
        var g = Xoshiro256StarStar(seed: 77, stream: .testSample, counter: UInt64(index))
        var interrupted = Simulation(parameters: p)
        var stops = 0
        while !interrupted.isFinished {
            // Stop after 1…37 steps: hits record steps, non-record steps and mid-epoch positions.
            interrupted.advance(maxSteps: Int(g.below(37)) + 1)
            interrupted = try Simulation(snapshot: interrupted.snapshot())
            stops += 1
        }
        #expect(stops > 3)
        #expect(interrupted.records == reference.records)
        #expect(interrupted.snapshot() == reference.snapshot())
    }

    @Test("a corrupted or truncated snapshot is refused with a reason")
    func corruptSnapshot() {
        var sim = Simulation(parameters: Self.configurations[0])
        sim.advance(maxSteps: 10)
        var bytes = sim.snapshot()
        #expect(throws: SnapshotError.checksumMismatch) {
            _ = try Simulation(snapshot: Array(bytes.dropLast(5)))
        }
        bytes[100] ^= 1
        #expect(throws: SnapshotError.checksumMismatch) { _ = try Simulation(snapshot: bytes) }
        #expect(throws: SnapshotError.notASnapshot) { _ = try Simulation(snapshot: Array("hello".utf8)) }
    }
}
