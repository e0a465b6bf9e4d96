import Foundation
import Testing
import SGDynCore

/// `compare`: simulations against the ODE from the same initial conditions.
@Suite struct ODEComparisonTests {
    @Test func largestDeviationAndWhere() throws {
        let simulation: [(t: Double, eg: Double)] = [(0, 1.0), (0.5, 0.5), (1.0, 0.2), (2.0, 0.1)]
        let ode: [(t: Double, eg: Double)] = [(0, 1.0), (0.25, 0.7), (0.5, 0.52), (1.0, 0.25), (2.0, 0.1)]
        let deviation = try ODEComparison.largestRelativeDeviation(simulation: simulation, ode: ode)
        #expect(deviation.t == 1.0 && deviation.simulationEg == 0.2 && deviation.odeEg == 0.25)
        #expect(abs(deviation.relative - 0.2) < 1e-15)
        let early = try ODEComparison.largestRelativeDeviation(simulation: simulation, ode: ode, upTo: 0.5)
        #expect(early.t == 0.5 && abs(early.relative - 0.02 / 0.52) < 1e-15)
        #expect(throws: ODEError.self) {
            _ = try ODEComparison.largestRelativeDeviation(simulation: [(0.75, 0.3)], ode: ode)
        }
    }

    /// End to end as a `compare` job runs it: simulations at N = 10⁴ (erf, K = M = 2, η = 0.5,
    /// σ = 0.01), the ODE from each one's exact initial order parameters at its record times
    /// step/N, to t = 6 (the fast decay, where the relative deviation of ε_g peaks).
    /// The deviation is finite-N noise: measured over 16 seeds its RMS is 0.61/√N at t ≈ 1.2,
    /// 1.04/√N at t ≈ 3.1 and 1.0–1.3/√N at t = 5, the same at N = 2500 and N = 10⁴ (see
    /// `finiteSizeScaling`), i.e. ≤ 1.35 % at N = 10⁴. Single seeds reach 2–4 %. Hence: each seed
    /// within 5 % (3.7 σ), and the RMS over the three seeds within 3 % at every time (for RMS
    /// 1.35 %, a three-seed RMS above 3 % has probability < 1e-3).
    @Test func erfSimulationFollowsTheODE() throws {
        var squares: [Double] = []
        for seed in UInt64(0)..<3 {
            let p = SimulationParameters(N: 10_000, M: 2, K: 2, learningRate: 0.5, noise: 0.01, tMax: 6, points: 30, seed: seed)
            var simulation = Simulation(parameters: p)
            simulation.runToEnd()
            let ode = try ODE.companion(of: simulation)
            #expect(ode.records.count == simulation.records.count)
            let deviation = try ODEComparison.largestRelativeDeviation(simulation: simulation.records, ode: ode.records)
            #expect(deviation.relative < 0.05, "seed \(seed): \(deviation)")
            let relative = zip(simulation.records, ode.records).map { $0.eg / $1.eg - 1 }
            squares = squares.isEmpty ? relative.map { $0 * $0 } : zip(squares, relative).map { $0 + $1 * $1 }
            print("erf N = 10⁴ seed \(seed): largest relative ε_g deviation \(deviation.relative) at t = \(deviation.t)")
        }
        let rms = squares.map { ($0 / 3).squareRoot() }.max()!
        #expect(rms < 0.03, "RMS over seeds \(rms)")
    }

    /// ReLU, which the reference code cannot do: K = M = 2, η = 0.2, σ = 0.1, second layer
    /// trained (exercises I2 as well), N = 10⁴ to t = 10. The same O(N^{-1/2}) scale: a few per
    /// cent, 4 % (measured 0.7 % up to t = 20).
    @Test func reluSimulationFollowsTheODE() throws {
        let p = SimulationParameters(N: 10_000, M: 2, K: 2, teacherActivation: .relu, studentActivation: .relu,
                                     learningRate: 0.2, noise: 0.1, trainSecondLayer: true, tMax: 10, points: 30, seed: 5)
        var simulation = Simulation(parameters: p)
        simulation.runToEnd()
        let ode = try ODE.companion(of: simulation)
        let deviation = try ODEComparison.largestRelativeDeviation(simulation: simulation.records, ode: ode.records)
        #expect(deviation.relative < 0.04, "\(deviation)")
        #expect(ode.finalRecord!.eg < 0.75 * ode.records[0].eg)  // it learns (0.80 → 0.51)
        print("relu N = 10⁴: largest relative ε_g deviation \(deviation.relative) at t = \(deviation.t)")
    }

    /// The deviation shrinks like N^{-1/2}, as it must if the ODE is the N → ∞ limit: the RMS
    /// over 16 seeds times √N at t ≈ 3.1 and t = 5 agrees between N = 2500 and N = 10⁴ within
    /// 40 % (the RMS of 16 samples scatters by ≈ 18 %; a systematic error would make √N·RMS grow
    /// with N). Several minutes: run with SGDYN_LONG_TESTS=1.
    @Test(.enabled(if: longTestsEnabled))
    func finiteSizeScaling() throws {
        var scaled: [[Double]] = []
        for N in [2_500, 10_000] {
            var squares = [0.0, 0.0]
            for seed in UInt64(100)..<116 {
                let p = SimulationParameters(N: N, M: 2, K: 2, learningRate: 0.5, noise: 0.01, tMax: 5, points: 20, seed: seed)
                var simulation = Simulation(parameters: p)
                simulation.runToEnd()
                let ode = try ODE.companion(of: simulation)
                for (index, target) in [3.0, 5.0].enumerated() {
                    let i = simulation.records.firstIndex { $0.t >= target }!
                    let relative = simulation.records[i].eg / ode.records[i].eg - 1
                    squares[index] += relative * relative
                }
            }
            scaled.append(squares.map { ($0 / 16 * Double(N)).squareRoot() })
        }
        for index in 0..<2 {
            #expect(abs(scaled[1][index] / scaled[0][index] - 1) < 0.4, "√N·RMS at N = 2500, 10⁴: \(scaled)")
        }
        print("√N·RMS deviation at t ≈ 3, 5: N = 2500 \(scaled[0]), N = 10⁴ \(scaled[1])")
    }
}

/// Long-running checks (minutes) run only when SGDYN_LONG_TESTS is set.
private let longTestsEnabled = ProcessInfo.processInfo.environment["SGDYN_LONG_TESTS"] != nil
