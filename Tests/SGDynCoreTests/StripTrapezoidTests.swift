import RealModule
import Testing
@testable import SGDynCore

/// The trapezoid rules of the erf-student right-hand side for tanh, sigmoid and softplus
/// teachers (`StripTrapezoid`) against the nested rule with three times the panels
/// (`PairAverage.general(refine: 3)`, itself checked against closed forms in
/// GaussianAverageTests), and the right-hand side against its old path (`PairAverage.value`).
///
/// Tolerance 1e-10 relative (to max(|average|, 1e-3·√(E[ga²]E[gb²])), as GaussianAverageTests):
/// the error budget of the ODE integrals is 1 % of the integrator's tolerance 1e-8
/// (docs/science.md); the rule is designed for ≈ 1e-14 and measured ≤ 1e-12, so 1e-10 leaves room
/// for the reference's own error while still failing on a wrong step, strip or lattice index.
@Suite struct StripTrapezoidTests {
    /// Variances 0.1–10 (log-uniform), ρ random, ±(1 − 1e-6) and 0.999, plus the covariances of
    /// GaussianAverageTests (variances 0.01–25).
    static let covariances: [(Double, Double, Double)] = {
        var list = GaussianAverageTests.covariances
        var g = NormalStream(seed: 11, stream: .testSample, counter: 5)
        for n in 0..<16 {
            let caa = Double.pow(10, max(-1, min(1, 0.5 * g.next()))), cbb = Double.pow(10, max(-1, min(1, 0.5 * g.next())))
            let rho = [Double.tanh(g.next()), 1 - 1e-6, -(1 - 1e-6), 0.999][n % 4]
            list.append((caa, cbb, rho * (caa * cbb).squareRoot()))
        }
        // Nearly independent fields: the Hermite series near its limit |ρ| = 0.2, and the lattice just above.
        for rho in [0.02, -0.15, 0.2, 0.21, -0.3] { list.append((0.7, 2.0, rho * 1.4.squareRoot())) }
        return list
    }()

    static let pairs: [(Activation, Activation)] = [
        (.tanh, .tanh), (.sigmoid, .softplus), (.softplus, .tanh), (.sigmoid, .sigmoid),
        (.erf, .tanh), (.softplus, .erf), (.erf, .sigmoid),
    ]

    @Test("the trapezoid rules against the refined nested rule", arguments: 0..<pairs.count)
    func matchesRefinedRule(_ index: Int) throws {
        let (a, b) = Self.pairs[index]
        for (caa, cbb, cab) in Self.covariances {
            let value = try #require(StripTrapezoid.average(a, b, caa: caa, cbb: cbb, cab: cab))
            let reference = PairAverage.general(a, b, caa: caa, cbb: cbb, cab: cab, refine: 3)
            let scale = max(abs(reference), 1e-3 * GaussianAverageTests.scale(a, b, caa, cbb))
            #expect(abs(value - reference) <= 1e-10 * scale, "\(a)·\(b) at (\(caa), \(cbb), \(cab)): \(value) vs refined \(reference)")
        }
    }

    /// At ρ = 0 (the Hermite series' first term) the average factorises, E[ga(a)]·E[gb(b)]; pairs
    /// and degenerate variances outside the rule are handed back (nil). The Hermite series
    /// (|ρ| ≤ 0.2), the lattice and the direct tensor rule (|ρ| near 1, s/(βσa) tiny) are reached
    /// by the covariances above; b = βa (s² below 1e-15·cbb: a field with itself) is checked here.
    @Test func independentFieldsFactorise() throws {
        for (caa, cbb) in [(1.0, 0.5), (0.2, 3.0)] {
            let value = try #require(StripTrapezoid.average(.sigmoid, .softplus, caa: caa, cbb: cbb, cab: 0))
            let product = PairAverage.smoothed(.sigmoid, mean: 0, deviation: caa.squareRoot())
                * PairAverage.smoothed(.softplus, mean: 0, deviation: cbb.squareRoot())
            #expect(abs(value - product) <= 1e-12 * abs(product), "\(value) vs \(product)")
        }
        // A field with itself: b = a, s = 0.
        let itself = try #require(StripTrapezoid.average(.tanh, .tanh, caa: 0.8, cbb: 0.8, cab: 0.8))
        let line = PairAverage.general(.tanh, .tanh, caa: 0.8, cbb: 0.8, cab: 0.8, refine: 3)
        #expect(abs(itself - line) <= 1e-12 * line, "\(itself) vs \(line)")
        // Not this rule's pairs: the caller keeps PairAverage.value.
        #expect(StripTrapezoid.average(.relu, .tanh, caa: 1, cbb: 1, cab: 0.5) == nil)
        #expect(StripTrapezoid.average(.erf, .erf, caa: 1, cbb: 1, cab: 0.5) == nil)
        #expect(StripTrapezoid.average(.tanh, .tanh, caa: 0, cbb: 1, cab: 0) == nil)
        // A diverging state: no unbounded loop, no trap.
        #expect(StripTrapezoid.average(.tanh, .tanh, caa: 1e30, cbb: 1, cab: 0.5) == nil)
        #expect(StripTrapezoid.average(.erf, .tanh, caa: 1e30, cbb: 1, cab: 0.5) == nil)
        #expect(StripTrapezoid.average(.tanh, .sigmoid, caa: 1, cbb: 1, cab: .nan) == nil)
        #expect(StripTrapezoid.average(.tanh, .sigmoid, caa: .nan, cbb: 1, cab: 0) == nil)
        #expect(StripTrapezoid.average(.tanh, .sigmoid, caa: .infinity, cbb: 1, cab: 0) == nil)
    }

    /// The erf-student right-hand side with a tanh (and a sigmoid) teacher, new path against the
    /// old (`PairAverage.value` for every pair): 1e-10 relative to the largest term.
    @Test(arguments: [Activation.tanh, .sigmoid])
    func rightHandSideMatchesOldPath(_ teacher: Activation) {
        for seed in UInt64(0)..<2 {
            let op = randomOrderParameters(K: 3, M: 3, seed: 40 + seed)
            let p = ODEParameters(activation: .erf, teacherActivation: teacher, learningRate: 0.7, noise: 0.2, trainSecondLayer: true)
            let rhs = ODERightHandSide(parameters: p, fixed: op)
            let y = rhs.layout.pack(op)
            var dy = [Double](repeating: 0, count: y.count)
            y.withUnsafeBufferPointer { yb in dy.withUnsafeMutableBufferPointer { rhs.evaluate(yb.baseAddress!, $0.baseAddress!) } }
            let w = rhs.w
            func terms() -> [Double] {
                (0..<(w.K * w.D)).map { w.s3[$0] } + (0..<w.pairs).map { w.s4[$0] } + (0..<w.K).map { w.s2[$0] }
            }
            ODERightHandSide.erfStudentTerms(w, teacher: teacher, secondLayer: true)
            let new = terms()
            ODERightHandSide.erfStudentTerms(w, teacher: teacher, secondLayer: true, trapezoid: false)
            let old = terms()
            let scale = old.map(abs).max()!
            for (a, b) in zip(new, old) { #expect(abs(a - b) <= 1e-10 * scale, "\(teacher): new \(a) vs old \(b)") }
        }
    }
}
