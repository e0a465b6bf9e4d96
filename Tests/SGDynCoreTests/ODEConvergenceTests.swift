import Testing
@testable import SGDynCore

/// Orders of convergence and agreement between the integrators, on the reference problem
/// (erf, K = M = 2, η = 0.5, σ = 0.01) and a larger one.
@Suite struct ODEConvergenceTests {
    /// Max-norm error over Q, R at t = 10 (the fast initial decay, before the plateau) against
    /// adaptive at rtol 1e-13 (error ≈ 1e-13, far below the smallest error measured here,
    /// ≈ 5e-10). Halving dt must divide the error by 2^p: the measured order must be within
    /// 0.3 of 4 for rk4 and 0.1 of 1 for Euler (asymptotic regime: higher-order terms shift it
    /// by O(dt)).
    @Test func fixedStepOrders() throws {
        let (parameters, initial) = try referenceProblem()
        let exact = try ODE.integrate(parameters, from: initial, times: [10], method: .adaptive(rtol: 1e-13, atol: 1e-15))
        func error(_ method: ODEMethod) throws -> Double {
            let result = try ODE.integrate(parameters, from: initial, times: [10], method: method)
            let a = result.records[0].orderParameters, b = exact.records[0].orderParameters
            return zip(a.Q + a.R, b.Q + b.R).map { abs($0 - $1) }.max()!
        }
        let rk4 = try [0.2, 0.1, 0.05].map { try error(.rk4(dt: $0)) }
        let euler = try [0.02, 0.01, 0.005].map { try error(.euler(dt: $0)) }
        for (name, errors, order, slack) in [("rk4", rk4, 4.0, 0.3), ("euler", euler, 1.0, 0.1)] {
            for level in 0..<2 {
                let measured = (errors[level] / errors[level + 1]).log2
                #expect(abs(measured - order) < slack, "\(name): errors \(errors), order \(measured)")
            }
        }
        print("rk4 errors \(rk4), euler errors \(euler)")
    }

    /// The adaptive method against RK4 with dt = 0.005 over the whole trajectory to t ≈ 1000,
    /// plateau escape included, at all 300 reference times. The RK4 solution is converged: it
    /// differs from dt = 0.01 by ≤ 1e-7 relative in ε_g (measured 1.2e-10), so its own error is
    /// ≈ 1/16 of that.
    /// - rtol 1e-10 must agree to 1e-6 relative in ε_g everywhere (measured 1.2e-7);
    /// - the default rtol 1e-8 to 1e-6 before the escape, t ≤ 150 (measured 1.8e-7); through the
    ///   escape, which amplifies errors, it reaches ≈ 1.2e-5;
    /// - the global error is proportional to rtol (measured ratio 10.3 between 1e-9 and 1e-10):
    ///   the ratio must lie in [5, 20].
    @Test func adaptiveAgreesWithConvergedRK4() throws {
        let reference = try ODEReference.load()
        let times = reference.rows.map { $0[0] }
        let (parameters, initial) = (reference.parameters, try reference.orderParameters())
        let fine = try ODE.integrate(parameters, from: initial, times: times, method: .rk4(dt: 0.005))
        let coarse = try ODE.integrate(parameters, from: initial, times: times, method: .rk4(dt: 0.01))
        let converged = largestRelativeEgDifference(coarse, fine)
        #expect(converged.relative < 1e-7, "RK4 dt 0.01 vs 0.005: \(converged)")

        func deviation(rtol: Double, in range: ClosedRange<Double> = 0...Double.infinity) throws -> Double {
            let adaptive = try ODE.integrate(parameters, from: initial, times: times, method: .adaptive(rtol: rtol, atol: 1e-4 * rtol))
            return largestRelativeEgDifference(adaptive, fine, in: range).relative
        }
        let tight = try deviation(rtol: 1e-10)
        #expect(tight < 1e-6, "adaptive rtol 1e-10 vs RK4: \(tight)")
        let standard = try ODE.integrate(parameters, from: initial, times: times, method: .standard)
        let beforeEscape = largestRelativeEgDifference(standard, fine, in: 0...150)
        #expect(beforeEscape.relative < 1e-6, "adaptive rtol 1e-8 vs RK4 for t ≤ 150: \(beforeEscape)")
        let ratio = try deviation(rtol: 1e-9) / tight
        #expect(ratio > 5 && ratio < 20, "error ratio between rtol 1e-9 and 1e-10: \(ratio)")
        print("RK4 self-convergence \(converged.relative); adaptive vs RK4: rtol 1e-10 \(tight), rtol 1e-8 before the escape",
              "\(beforeEscape.relative), through it \(largestRelativeEgDifference(standard, fine).relative)")
    }

    /// The same for K = 4, M = 2 from a drawn initial condition, with the second layer trained
    /// (a different code path), to t = 100.
    @Test func adaptiveAgreesWithRK4TrainedSecondLayer() throws {
        let simulation = SimulationParameters(N: 500, M: 2, K: 4, learningRate: 0.5, noise: 0.01, trainSecondLayer: true,
                                              teacherSecondLayer: .random, tMax: 100, seed: 3)
        let parameters = try ODEParameters(simulation: simulation)
        let initial = ODEInitialConditions.drawn(for: simulation)
        let times = OutputSchedule.times(tMax: 100, points: 100)
        let fine = try ODE.integrate(parameters, from: initial, times: times, method: .rk4(dt: 0.005))
        let adaptive = try ODE.integrate(parameters, from: initial, times: times, method: .standard)
        let agreement = largestRelativeEgDifference(adaptive, fine)
        #expect(agreement.relative < 1e-6, "adaptive vs RK4: \(agreement)")
    }

    /// Dense output: the step sequence does not depend on the output times, so the final state
    /// is bit-identical whether 1 or 300 intermediate outputs were interpolated.
    @Test func outputTimesDoNotChangeTheSolution() throws {
        let reference = try ODEReference.load()
        let times = reference.rows.map { $0[0] }
        let (parameters, initial) = (reference.parameters, try reference.orderParameters())
        let many = try ODE.integrate(parameters, from: initial, times: times, method: .standard)
        let one = try ODE.integrate(parameters, from: initial, times: [times.last!], method: .standard)
        #expect(many.finalRecord == one.finalRecord)
        #expect(many.statistics.steps == one.statistics.steps)
    }

    /// Fixed steps reach off-grid times by a short step from the last grid point without
    /// disturbing the grid: asking for t = 0.123 as well leaves the t = 1 state bit-identical.
    @Test(arguments: [ODEMethod.euler(dt: 0.01), .rk4(dt: 0.01)])
    func offGridTimesDoNotDisturbTheGrid(_ method: ODEMethod) throws {
        let (parameters, initial) = try referenceProblem()
        let with = try ODE.integrate(parameters, from: initial, times: [0.123, 1], method: method)
        let without = try ODE.integrate(parameters, from: initial, times: [1], method: method)
        #expect(with.finalRecord == without.finalRecord)
        // The short step lands between its neighbours' grid values.
        let before = try ODE.integrate(parameters, from: initial, times: [0.12, 0.123, 0.13], method: method)
        let eg = before.records.map(\.eg)
        #expect(eg[0] > eg[1] && eg[1] > eg[2])
    }
}

fileprivate extension Double {
    var log2: Double { Double.log2(self) }
}
