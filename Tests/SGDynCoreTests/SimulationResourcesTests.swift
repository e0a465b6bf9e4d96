import Testing
@testable import SGDynCore

/// `SimulationResources` against what a run really holds and writes.
@Suite("Simulation resources")
struct SimulationResourcesTests {
    static let cases: [SimulationParameters] = [
        SimulationParameters(N: 50, M: 2, K: 2, tMax: 2, points: 7),
        SimulationParameters(N: 30, M: 3, K: 5, batchSize: 3, trainSecondLayer: true, teacherSecondLayer: .random,
                             trainingSetRatio: 1.5, tMax: 1.5, points: 9, monteCarloTestSize: 20),
        SimulationParameters(N: 1, M: 4, K: 1, tMax: 100, points: 200),
        SimulationParameters(N: 200, M: 12, K: 17, studentInit: .informed, tMax: 0.5, points: 30),
        { var p = SimulationParameters(N: 40, M: 2, K: 3, trainingSetRatio: 1, tMax: 2, points: 10)
          p.task = .classify; p.labelFlip = 0.1; p.monteCarloTestSize = 20; p.stopBelow = 1e-9; return p }(),
    ]

    @Test("snapshotBytes is the exact size of every snapshot, at any step", arguments: cases)
    func snapshotSize(_ p: SimulationParameters) {
        var simulation = Simulation(parameters: p)
        var steps = 0
        while true {
            #expect(simulation.snapshot().count == SimulationResources.snapshotBytes(p, records: simulation.records.count))
            if simulation.isFinished { break }
            steps += 1
            simulation.advance(maxSteps: steps * 7)
        }
        #expect(simulation.snapshot().count <= SimulationResources.largestSnapshotBytes(p))
    }

    @Test("recordCount bounds the records a run takes, and is exact when no two output times share a step", arguments: cases)
    func recordCount(_ p: SimulationParameters) {
        var simulation = Simulation(parameters: p)
        simulation.runToEnd()
        #expect(simulation.records.count <= SimulationResources.recordCount(p))
        var large = p
        large.N = 100_000
        large.tMax = 1
        #expect(OutputSchedule.steps(tMax: large.tMax, points: large.points, N: large.N).count == SimulationResources.recordCount(large))
    }

    /// The heap bytes of an array as allocated: Swift sizes an array's capacity to what malloc
    /// really gave (malloc_usable_size), so 32 + 8·capacity is the usable size of its block.
    static func heap(_ a: [Double]) -> Int { a.capacity == 0 ? 0 : SimulationResources.heapBytes(32 + 8 * a.capacity) }

    @Test("recordBytes bounds the memory of the records a run holds (Q, R, v of each; T, v* shared)",
          arguments: [(1, 1), (2, 2), (4, 3), (16, 2), (64, 64), (200, 100)])
    func recordMemory(_ K: Int, _ M: Int) {
        let p = SimulationParameters(N: 40, M: M, K: K, trainSecondLayer: true, tMax: 1, points: 12)
        var simulation = Simulation(parameters: p)
        simulation.runToEnd()
        let records = simulation.records
        let arrays = records.reduce(0) { $0 + Self.heap($1.orderParameters.Q) + Self.heap($1.orderParameters.R) + Self.heap($1.orderParameters.v) }
        let slots = records.capacity * MemoryLayout<SimulationRecord>.stride
        let actual = arrays + slots
        let estimate = records.count * SimulationResources.recordBytes(K: K, M: M)
        #expect(actual <= estimate, "K = \(K), M = \(M): \(actual) > \(estimate)")
        // Tight where the arrays dominate: within a factor 1.5 of what the records really take.
        if K >= 16 { #expect(Double(estimate) <= 1.5 * Double(actual), "K = \(K), M = \(M): \(estimate) vs \(actual)") }
    }
}
