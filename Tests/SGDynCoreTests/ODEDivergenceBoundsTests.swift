import Testing
@testable import SGDynCore

/// An ODE integration that leaves what any learning run can reach (a covariance that is not
/// positive semi-definite, order parameters or ε_g beyond 10¹⁰) diverges at that time, as the
/// simulation of the same job does (issue 17, item 6).
@Suite("ODE divergence: states no learning run can reach")
struct ODEDivergenceBoundsTests {
    /// The job: ReLU, K = 8, M = 2, η = 0.5, σ = 0.01. Its simulation diverges in seconds;
    /// its ODE used to stay finite for an hour while ε_g grew past 10¹⁹.
    @Test("ReLU K=8 M=2 η=0.5 σ=0.01 diverges early, in few steps, with finite records before it")
    func reluK8Diverges() throws {
        let simulation = SimulationParameters(N: 500, M: 2, K: 8, teacherActivation: .relu, studentActivation: .relu,
                                              learningRate: 0.5, noise: 0.01, tMax: 1000, points: 100, seed: 0)
        let parameters = try ODEParameters(simulation: simulation)
        var integration = try ODEIntegration(parameters: parameters, initial: ODEInitialConditions.drawn(for: simulation),
                                             times: OutputSchedule.times(tMax: 1000, points: 100), method: .standard)
        var steps = 0
        while !integration.isFinished && steps < 100_000 { steps += integration.advance(maxSteps: 1000) }
        let divergence = try #require(integration.divergence)
        // Measured: t ≈ 6 after a few hundred steps. The bound is generous (an order of magnitude)
        // so that the test states the property, not the exact step.
        #expect(divergence.t < 60 && steps < 10_000, "diverged at t = \(divergence.t) after \(steps) steps")
        #expect(integration.records.allSatisfy { abs($0.eg) <= ODEStateBounds.bound })
        #expect(integration.records.last.map { $0.t <= divergence.t } ?? true)
    }

    @Test("the semi-definiteness test: valid singular covariances pass, indefinite ones fail")
    func semidefinite() {
        func check(_ rows: [[Double]]) -> Bool {
            var flat = rows.flatMap { $0 }
            return flat.withUnsafeMutableBufferPointer { ODEStateBounds.isPositiveSemiDefinite($0.baseAddress!, n: rows.count) }
        }
        // A student equal to its teacher: [[Q, R], [R, T]] with Q = R = T, singular.
        #expect(check([[1, 0.5, 1, 0.5], [0.5, 1, 0.5, 1], [1, 0.5, 1, 0.5], [0.5, 1, 0.5, 1]]))
        // Two identical student units, with rounding of 10⁻¹³.
        #expect(check([[2, 2 - 1e-13, 0.3], [2 - 1e-13, 2, 0.3], [0.3, 0.3, 1]]))
        #expect(check([[1, 0], [0, 1]]))
        // R too large for Q and T (R² > Q·T): no weights give it.
        #expect(!check([[1, 2], [2, 1]]))
        #expect(!check([[1, 0.5, 0.9], [0.5, 1, 0.9], [0.9, 0.9, 1]]))
    }
}
