import Foundation
import Testing
@testable import SGDynCore

/// Divergence is an outcome: runs stop with finite records and say when; normal runs never do.
@Suite("Divergence")
struct SimulationDivergenceTests {
    /// Every number a record holds is finite.
    static func isFinite(_ r: SimulationRecord) -> Bool {
        r.t.isFinite && r.eg.isFinite && (r.orderParameters.Q + r.orderParameters.R + r.orderParameters.v).allSatisfy(\.isFinite)
            && (r.trainingError?.isFinite ?? true) && (r.monteCarloError?.isFinite ?? true)
    }

    static let huge = SimulationParameters(N: 100, M: 2, K: 2, learningRate: 1e308, tMax: 10, points: 20, seed: 1)
    /// Linear networks trained by the first layer with ηK = 3 > 2: unstable (science.md §6).
    static let unstableLinear = SimulationParameters(N: 200, M: 2, K: 3, teacherActivation: .linear, studentActivation: .linear,
                                                     learningRate: 1, noise: 0.1, tMax: 1000, points: 50, seed: 4)
    /// The same on a finite training set, with a Monte-Carlo test set: et and eg_mc stay finite too.
    static let unstableFiniteSet = SimulationParameters(N: 100, M: 2, K: 3, teacherActivation: .linear,
                                                        studentActivation: .linear, learningRate: 1, noise: 0.1,
                                                        trainingSetRatio: 2, tMax: 1000, points: 50, seed: 5,
                                                        monteCarloTestSize: 50)

    @Test("lr = 1e308 ends diverged, with only finite records")
    func hugeLearningRate() throws {
        var simulation = Simulation(parameters: Self.huge)
        simulation.runToEnd()
        let divergence = try #require(simulation.divergence)
        #expect(simulation.isFinished && simulation.progress == 1)
        #expect(simulation.step < simulation.totalSteps)
        #expect(divergence.step == simulation.step)
        #expect(divergence.t == Double(simulation.step) / 100)
        #expect(!simulation.records.isEmpty && simulation.records.allSatisfy(Self.isFinite))
        #expect(simulation.records.allSatisfy { $0.step <= simulation.step })
        #expect(simulation.finalRecord == nil)
        #expect(simulation.advance(maxSteps: 100) == 0)
    }

    @Test("linear networks with lr·K > 2 diverge in simulation and ODE (every method); lr·K < 2 does not")
    func unstableLinearNetworks() throws {
        var simulation = Simulation(parameters: Self.unstableLinear)
        simulation.runToEnd()
        let divergence = try #require(simulation.divergence)
        #expect(divergence.t < 1000)
        #expect(simulation.records.allSatisfy(Self.isFinite))

        let initial = ODEInitialConditions.drawn(for: Self.unstableLinear)
        let parameters = try ODEParameters(simulation: Self.unstableLinear)
        let times = OutputSchedule.times(tMax: 1000, points: 50)
        for method in [ODEMethod.standard, .euler(dt: 0.01), .rk4(dt: 0.01)] {
            let result = try ODE.integrate(parameters, from: initial, times: times, method: method)
            let odeDivergence = try #require(result.divergence, "\(method)")
            // ε_g grows like e^{3t}: it passes the bound no learning run reaches (10¹⁰,
            // `ODEStateBounds`) near t ≈ ln(10¹⁰)/3 ≈ 8 whatever the method (it would overflow
            // near t ≈ 240).
            #expect(odeDivergence.t > 4 && odeDivergence.t < 15, "\(method): \(odeDivergence)")
            #expect(odeDivergence.step == nil)
            #expect(result.records.count < times.count && result.finalRecord == nil)
            #expect(result.records.allSatisfy { $0.t <= odeDivergence.t && $0.eg.isFinite })
        }

        var stable = Self.unstableLinear
        stable.learningRate = 0.5
        stable.tMax = 100
        var stableRun = Simulation(parameters: stable)
        stableRun.runToEnd()
        #expect(stableRun.divergence == nil && stableRun.finalRecord != nil)
        let stableODE = try ODE.integrate(try ODEParameters(simulation: stable), from: initial, times: times, method: .standard)
        #expect(stableODE.divergence == nil && stableODE.records.count == times.count)
    }

    @Test("normal runs never report divergence", arguments: SnapshotTests.configurations.indices)
    func normalRuns(index: Int) {
        var simulation = Simulation(parameters: SnapshotTests.configurations[index])
        simulation.runToEnd()
        #expect(simulation.divergence == nil)
        #expect(simulation.records.count == simulation.recordSteps.count)
    }

    @Test("a diverging run snapshotted at random steps diverges exactly as one that never stopped",
          arguments: [huge, unstableLinear, unstableFiniteSet])
    func divergenceSurvivesSnapshots(parameters: SimulationParameters) throws {
        var reference = Simulation(parameters: parameters)
        reference.runToEnd()
        var g = Xoshiro256StarStar(seed: 9, stream: .testSample, counter: 0)
        var interrupted = Simulation(parameters: parameters)
        while !interrupted.isFinished {
            interrupted.advance(maxSteps: Int(g.below(UInt64(parameters.N * 40))) + 1)
            interrupted = try Simulation(snapshot: interrupted.snapshot())
        }
        #expect(interrupted.divergence != nil)
        #expect(interrupted.divergence == reference.divergence)
        #expect(reference.records.allSatisfy(Self.isFinite))
        #expect(interrupted.records == reference.records)
        #expect(interrupted.snapshot() == reference.snapshot())
    }

    /// Tests/Fixtures/snapshot-v1: a checkpoint written by the previous release (format 1).
    /// The fixture was written by 0.1.x. Its bytes restore exactly (the stored records are the
    /// ones a fresh run of that version made); 0.2.0's vector erf rounds differently, so a fresh
    /// run of this version agrees with them only to rounding, and a continued restore goes on
    /// with this version's arithmetic, deterministically.
    @Test("a version-1 snapshot restores and continues with this version's arithmetic")
    func versionOneSnapshot() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/snapshot-v1/erf-N200-K2-M2.snapshot").standardizedFileURL
        let bytes = [UInt8](try Data(contentsOf: url))
        #expect(bytes[8] == 1)  // the version, little-endian, after the 8-byte magic
        var restored = try Simulation(snapshot: bytes)
        #expect(restored.step == 1_425_000 && restored.divergence == nil)
        var fresh = Simulation(parameters: restored.parameters)
        fresh.advance(maxSteps: restored.step)
        // 1e-9 relative: the erf kernels differ by a few ulps per call (≤ 2e-11 relative on
        // whole runs, docs/measurements.md, "Versions"); SGD at this η contracts such differences rather
        // than amplifying them, so 1e-9 leaves a margin of 50 and still catches any real change
        // (a wrong record or a lost step moves ε_g by far more).
        #expect(fresh.records.count == restored.records.count)
        for (a, b) in zip(fresh.records, restored.records) {
            #expect(a.step == b.step && a.t == b.t)
            #expect(abs(a.eg - b.eg) <= 1e-9 * abs(b.eg))
        }
        restored.advance(maxSteps: 5000)
        fresh.advance(maxSteps: 5000)
        let last = try #require(restored.records.last), freshLast = try #require(fresh.records.last)
        #expect(last.step == freshLast.step && abs(last.eg - freshLast.eg) <= 1e-9 * abs(freshLast.eg))
        var again = try Simulation(snapshot: bytes)
        again.advance(maxSteps: 5000)
        #expect(again.snapshot() == restored.snapshot())
    }

    @Test("records snapshots round-trip without weights: finished, released, diverged, mid-run")
    func recordsSnapshots() throws {
        var finished = Simulation(parameters: SnapshotTests.configurations[2])
        finished.runToEnd()
        var diverged = Simulation(parameters: Self.huge)
        diverged.runToEnd()
        var midRun = Simulation(parameters: SnapshotTests.configurations[1])
        midRun.advance(maxSteps: 77)
        for simulation in [finished, finished.withoutWeights, diverged, diverged.withoutWeights, midRun] {
            let decoded = try SimulationRecords(snapshot: simulation.recordsSnapshot())
            #expect(decoded == SimulationRecords(simulation))
            #expect(decoded.records == simulation.records)
            #expect(decoded.step == simulation.step && decoded.parameters == simulation.parameters)
            #expect(decoded.divergence == simulation.divergence)
            #expect(decoded.isComplete == (simulation.finalRecord != nil))
        }
        // T and v* once, not the M×N teacher nor W: far smaller than the full snapshot.
        #expect(finished.recordsSnapshot().count < finished.snapshot().count)
        var bytes = finished.recordsSnapshot()
        #expect(throws: SnapshotError.notASnapshot) { _ = try SimulationRecords(snapshot: finished.snapshot()) }
        #expect(throws: SnapshotError.notASnapshot) { _ = try Simulation(snapshot: bytes) }
        bytes[40] ^= 1
        #expect(throws: SnapshotError.checksumMismatch) { _ = try SimulationRecords(snapshot: bytes) }
    }
}
