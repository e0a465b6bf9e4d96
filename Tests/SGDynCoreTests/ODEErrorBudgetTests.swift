import Testing
@testable import SGDynCore

/// How the ODE's own error splits between the integrator and the integrals (docs/numerics.md, "ODEs and
/// compare jobs"), for ReLU, whose I4 is the one computed by quadrature.
@Suite struct ODEErrorBudgetTests {
    /// ReLU, K = M = 2 and K = 3, M = 2 (η = 0.5, σ = 0.01, start drawn with N = 500, seed 0),
    /// the largest relative ε_g difference over 50 log-spaced output times:
    /// - integrator: `adaptive` at rtol 1e-8 (the default) against rtol 1e-12;
    /// - integrals: the right-hand side as run against reference integrals (the general
    ///   recursion with a 4× finer orthant rule and 2 more cuts), both at rtol 1e-12.
    /// Measured: K = 2: 2.3e-6 and 8.5e-10; K = 3: see the printed line. The integrals' share
    /// must stay below 1 % of the integrator's and below 1e-8 (what a shift of the quadrature
    /// error by several orders would take to violate).
    @Test(arguments: [(2, 1000.0), (3, 300.0)])
    func integralsAreFarBelowTheIntegratorsError(_ K: Int, _ tMax: Double) throws {
        let simulation = SimulationParameters(N: 500, M: 2, K: K, teacherActivation: .relu, studentActivation: .relu,
                                              learningRate: 0.5, noise: 0.01, tMax: tMax, points: 50, seed: 0)
        let initial = ODEInitialConditions.drawn(for: simulation)
        let parameters = try ODEParameters(simulation: simulation)
        let times = OutputSchedule.times(tMax: tMax, points: 50)
        func run(rtol: Double, reference: Bool) throws -> [Double] {
            var integration = try ODEIntegration(parameters: parameters, initial: initial, times: times,
                                                 method: .adaptive(rtol: rtol, atol: 1e-4 * rtol))
            integration.referenceIntegrals = reference
            while !integration.isFinished { integration.advance(maxSteps: 1000) }
            return integration.records.map(\.eg)
        }
        func largest(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) / abs($1) }.max()! }
        let standard = try run(rtol: 1e-8, reference: false)
        let fine = try run(rtol: 1e-12, reference: false)
        let reference = try run(rtol: 1e-12, reference: true)
        let integrator = largest(standard, fine), integrals = largest(fine, reference)
        print("ReLU K = \(K): ε_g error from the integrator (rtol 1e-8) \(integrator), from the integrals \(integrals)")
        #expect(integrals < 0.01 * integrator && integrals < 1e-8)
    }
}
