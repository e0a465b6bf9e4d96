import Testing
@testable import SGDynCore

@Suite("Order parameters and output times")
struct OrderParameterTests {
    @Test("recorded Q, R, T equal direct dot products of the weights")
    func orderParametersMatchDotProducts() {
        let p = SimulationParameters(N: 123, M: 3, K: 4, tMax: 1, points: 5, seed: 9)
        var sim = Simulation(parameters: p)
        sim.advance(maxSteps: 50)
        let op = sim.orderParameters
        sim.applyPendingUpdate()
        let w = sim.studentWeights, b = sim.teacherWeights, n = p.N
        func dot(_ a: [Double], _ i: Int, _ c: [Double], _ j: Int) -> Double {
            var s = 0.0
            for l in 0..<n { s += a[i * n + l] * c[j * n + l] }
            return s / Double(n)
        }
        // Different summation orders agree to a few ulps of the terms' magnitude (~N·1e-16).
        for i in 0..<p.K { for k in 0..<p.K { #expect(abs(op.q(i, k) - dot(w, i, w, k)) < 1e-12) } }
        for i in 0..<p.K { for m in 0..<p.M { #expect(abs(op.r(i, m) - dot(w, i, b, m)) < 1e-12) } }
        for n1 in 0..<p.M { for m in 0..<p.M { #expect(abs(op.t(n1, m) - dot(b, n1, b, m)) < 1e-12) } }
        #expect(op.Q == (0..<16).map { op.q($0 % 4, $0 / 4) }, "Q is exactly symmetric")
    }

    @Test("output times: t = 0, then `points` log-spaced times from min(0.1, t_max/100) to t_max")
    func outputTimes() {
        for (tMax, points) in [(100.0, 200), (5.0, 7), (1000.0, 2)] {
            let times = OutputSchedule.times(tMax: tMax, points: points)
            #expect(times.count == points + 1)
            #expect(times[0] == 0)
            #expect(times[1] == min(0.1, tMax / 100))
            #expect(times.last == tMax)
            let ratios = (2..<times.count).map { times[$0] / times[$0 - 1] }
            for r in ratios { #expect(abs(r - ratios[0]) < 1e-9 * ratios[0]) }
        }
    }

    @Test("a simulation records at the first step at or after each output time, once per step")
    func recordSteps() {
        let p = SimulationParameters(N: 10, K: 2, tMax: 3, points: 30)
        var sim = Simulation(parameters: p)
        sim.runToEnd()
        let expected = Array(Set(OutputSchedule.times(tMax: 3, points: 30).map { t in
            (0...).first { Double($0) >= t * 10 - 1e-9 }!
        })).sorted()
        #expect(sim.records.map(\.step) == expected)
        #expect(sim.records.map(\.t) == expected.map { Double($0) / 10 })
        #expect(sim.step == 30)
        #expect(OutputSchedule.step(atTime: 0.1, N: 1000) == 100)
        #expect(OutputSchedule.step(atTime: 0.10001, N: 1000) == 101)
    }

    @Test("student initialisations have the overlaps science.md §3 gives them")
    func initialisations() {
        let N = 4000
        func op(_ i: StudentInit, K: Int = 3, trainV: Bool = true, vstar: TeacherSecondLayer = .random) -> OrderParameters {
            Simulation(parameters: SimulationParameters(N: N, M: 2, K: K, trainSecondLayer: trainV, studentInit: i,
                                                        teacherSecondLayer: vstar, tMax: 1, seed: 1)).records[0].orderParameters
        }
        // Q_kk of N(0,1) rows has standard deviation √(2/N) ≈ 0.022; 5σ ≈ 0.11.
        #expect(op(.large).Q.enumerated().allSatisfy { $0.offset % 4 == 0 ? abs($0.element - 1) < 0.11 : abs($0.element) < 0.11 })
        #expect(op(.small).Q[0] < 1.2e-6 && op(.small).v.allSatisfy { abs($0) < 5e-3 })
        #expect(abs(op(.mixed).Q[0] * Double(N) - 1) < 0.11)
        let informed = op(.informed)
        #expect(abs(informed.r(0, 0) - informed.t(0, 0)) < 1e-6 && abs(informed.r(1, 1) - informed.t(1, 1)) < 1e-6)
        #expect(abs(informed.v[0] - informed.vstar[0]) < 1e-6 && abs(informed.v[2]) < 1e-6)
        let denoise = op(.denoise, K: 5)
        // Units 0, 2, 4 copy teacher unit 0 (three copies), units 1, 3 copy unit 1 (two copies).
        #expect(denoise.r(4, 0) == denoise.t(0, 0) && denoise.r(3, 1) == denoise.t(1, 1))
        #expect(abs(denoise.v[4] - denoise.vstar[0] / 3) < 1e-15 && abs(denoise.v[1] - denoise.vstar[1] / 2) < 1e-15)
        #expect(op(.large, trainV: false, vstar: .meanfield).v == [Double](repeating: 1 / 3.0.squareRoot(), count: 3))
        #expect(op(.large, trainV: false, vstar: .mix).vstar == [1, -1])
        #expect(op(.large, trainV: false, vstar: .normalise).vstar == [0.5, 0.5])
    }
}
