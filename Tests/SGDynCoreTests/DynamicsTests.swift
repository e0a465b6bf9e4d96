import RealModule
import Testing
@testable import SGDynCore

/// The physics of science.md §6 that a correct simulator reproduces at moderate N.
@Suite("Learning dynamics")
struct DynamicsTests {
    @Test("linear networks, first layer only: time-averaged ε_g reaches ηKσ²/(2(2 − ηK)) within 5 %")
    func linearAsymptote() {
        let eta = 0.5, K = 2, sigma = 0.5
        let p = SimulationParameters(N: 1000, M: 2, K: K, teacherActivation: .linear, studentActivation: .linear,
                                     learningRate: eta, noise: sigma, tMax: 200, points: 20, seed: 4)
        var sim = Simulation(parameters: p)
        sim.advance(maxSteps: 40 * p.N)  // transient: relaxation time ~ 1/(ηK(2 − ηK)) ≪ 40
        var sum = 0.0, count = 0
        while !sim.isFinished {
            sim.advance(maxSteps: p.N / 4)
            sum += GeneralisationError.analytic(sim.orderParameters, teacher: .linear, student: .linear)
            count += 1
        }
        let expected = eta * Double(K) * sigma * sigma / (2 * (2 - eta * Double(K)))
        // The average over 640 samples of a stationary process with correlation time ~1 (640 in
        // units of t = 160): statistical error ≈ 1–2 %, finite-N bias O(1/N) = 0.1 %.
        #expect(abs(sum / Double(count) / expected - 1) < 0.05, "mean ε_g \(sum / Double(count)) vs \(expected)")
    }

    @Test("erf, K = M = 2, η = 0.5, σ = 0.01: a symmetric plateau, then specialisation")
    func plateauThenSpecialisation() {
        let p = SimulationParameters(N: 500, M: 2, K: 2, learningRate: 0.5, noise: 0.01, tMax: 1000, points: 100, seed: 2)
        var sim = Simulation(parameters: p)
        sim.runToEnd()
        let records = sim.records
        #expect(records[0].eg > 0.3)
        // On the plateau ε_g stays near 0.02 for a long stretch of time: find a time t with
        // ε_g(t) and ε_g(3t) both within [0.01, 0.03].
        let plateau = records.contains { r in
            r.t >= 5 && (0.01...0.03).contains(r.eg)
                && records.contains { abs($0.t / r.t - 3) < 0.3 && (0.01...0.03).contains($0.eg) }
        }
        #expect(plateau, "no plateau: \(records.map { ($0.t, $0.eg) })")
        // During the plateau the student units are not yet specialised: R entries alike.
        let final = records.last!
        #expect(final.eg < 1e-4, "final ε_g \(final.eg) (science.md §6: ≈ 1.1e-5)")
        // Specialised: each student unit has one large overlap with one teacher unit, a permutation.
        let R = final.orderParameters
        let firstUnitOnTeacher0 = abs(R.r(0, 0)) > abs(R.r(0, 1))
        let big = firstUnitOnTeacher0 ? [R.r(0, 0), R.r(1, 1)] : [R.r(0, 1), R.r(1, 0)]
        let small = firstUnitOnTeacher0 ? [R.r(0, 1), R.r(1, 0)] : [R.r(0, 0), R.r(1, 1)]
        #expect(big.allSatisfy { $0 > 0.9 } && small.allSatisfy { abs($0) < 0.1 }, "R = \(R.R)")
    }
}
