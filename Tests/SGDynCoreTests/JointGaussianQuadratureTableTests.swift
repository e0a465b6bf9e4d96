import Testing
@testable import SGDynCore

/// The approximations that make the joint quadrature fast, each against a direct evaluation:
/// - the last level's moments (s1, s2, sz)(m) read from the table (`JointGaussianQuadrature.tabulate`,
///   degree-7 interpolation on a grid of 0.02) against the same sums taken node by node with the
///   activation's own `value`, at 4001 means across the whole table;
/// - an ODE record's strip-analytic pair averages (`TrapezoidPairAverage`) against
///   `PairAverage.general` (tensor Gauss–Hermite, ≤ 1e-10 measured).
/// Tolerance 1e-12 absolute for both (the moments and the averages of tanh and sigmoid are ≤ 1 in
/// size): a moment enters every term as a weighted mean with weights summing to 1, times the
/// second-layer weights, so 1e-12 there is two orders below the integrals' budget of 1e-10
/// relative (1 % of rtol 1e-8); ε_g is a sum of such averages with weights of order 1.
@Suite struct JointGaussianQuadratureTableTests {
    /// Teacher 1 = 0.8·student 0 + 0.5·student 1 + r·(its own direction): with r → 0 the last
    /// level's coefficient vanishes and the tabulated sums become g itself (tanh: poles at
    /// distance π/2 from the real axis, the hardest case for the interpolation).
    static func nearSpan(residual r: Double) -> OrderParameters {
        let q00 = 1.2, q01 = 0.3, q11 = 1.5, a = 0.8, b = 0.5
        let r00 = 0.4, r10 = 0.2
        let r01 = a * q00 + b * q01, r11 = a * q01 + b * q11
        let t11 = a * a * q00 + 2 * a * b * q01 + b * b * q11 + r * r
        let t01 = a * r00 + b * r10
        return OrderParameters(K: 2, M: 2, Q: [q00, q01, q01, q11], R: [r00, r01, r10, r11], T: [1, t01, t01, t11],
                               v: [0.7, -0.4], vstar: [1, 0.6])
    }

    @Test(arguments: [Activation.tanh, .sigmoid, .erf], [0, 1, 2, 3, 4, 5])
    func tableAgainstDirectSums(_ teacher: Activation, _ index: Int) throws {
        let op: OrderParameters
        switch index {
        case 0: op = JointGaussianQuadratureTests.state(K: 2, M: 2, seed: 5, largest: 2, nearlySingular: false)
        case 1: op = JointGaussianQuadratureTests.state(K: 2, M: 2, seed: 7, largest: 2, nearlySingular: true)
        case 2: op = JointGaussianQuadratureTests.state(K: 2, M: 1, seed: 17, largest: 0.64, nearlySingular: false)
        case 3: op = Self.nearSpan(residual: 0.3)
        case 4: op = Self.nearSpan(residual: 1e-3)
        default: op = Self.nearSpan(residual: 1e-6)
        }
        let (_, rhs) = JointGaussianQuadratureTests.joint(op, student: .tanh, teacher: teacher)
        let joint = try #require(rhs.joint)
        #expect(joint.tabulated, "state \(index): the table path must be taken")
        let rank = joint.prepare(rhs.w.C)
        let range = joint.tabulatedRange
        var worst = 0.0
        for i in 0...4000 {
            let m = range.lowerBound + (range.upperBound - range.lowerBound) * Double(i) / 4000
            let table = try #require(joint.tabulatedMoments(mean: m)), direct = joint.directMoments(mean: m, rank: rank)
            for lane in 0..<3 { worst = max(worst, abs(table[lane] - direct[lane])) }
        }
        #expect(worst <= 1e-12, "\(teacher) state \(index): \(worst)")
    }

    /// A last field whose mean ranges beyond the table's cap (teacher variance 2500, correlated
    /// with student 0: |m| up to ≈ 240, over 2¹² intervals) takes the moments per prefix (the
    /// path the accuracy tests of JointGaussianQuadratureTests checked before the table), a
    /// smaller one (variance 4) the table; both give finite terms.
    @Test func tableCapFallsBack() throws {
        for (t, expected) in [(2500.0, false), (4.0, true)] {
            let r = 0.6 * t.squareRoot()
            let op = OrderParameters(K: 2, M: 1, Q: [1, 0.1, 0.1, 1], R: [r, 0.1], T: [t], v: [0.7, -0.4], vstar: [1])
            let (terms, rhs) = JointGaussianQuadratureTests.joint(op, student: .tanh, teacher: .tanh)
            let joint = try #require(rhs.joint)
            #expect(joint.tabulated == expected, "T = \(t)")
            let finite = terms.allSatisfy { $0.isFinite }
            #expect(finite, "T = \(t): \(terms)")
        }
    }

    @Test(arguments: [(Activation.tanh, Activation.tanh), (.tanh, .sigmoid), (.sigmoid, .softplus), (.softplus, .tanh)])
    func trapezoidPairAverageAgainstGaussHermite(_ ga: Activation, _ gb: Activation) {
        // (C_aa, C_bb, C_ab): random, large variances, nearly parallel, identical, independent,
        // one variance tiny.
        let cases: [(Double, Double, Double)] = [(0.8, 1.3, 0.4), (4, 3, -2.5), (2, 2, 2 * (1 - 1e-9)), (1.5, 1.5, 1.5),
                                                (0.7, 2.2, 0), (1e-8, 1.1, 5e-5), (3.5, 0.2, 0.7)]
        for (caa, cbb, cab) in cases {
            let new = TrapezoidPairAverage.value(ga, gb, caa: caa, cbb: cbb, cab: cab)
            let reference = PairAverage.value(ga, gb, caa: caa, cbb: cbb, cab: cab)
            #expect(abs(new - reference) <= 1e-12, "\(ga)/\(gb) \(caa) \(cbb) \(cab): \(new) vs \(reference)")
        }
    }

    /// An ODE record of a smooth student takes the trapezoid pair averages; its ε_g agrees with
    /// the one through `PairAverage` (what a simulation reports) to 1e-12.
    @Test func odeRecordEpsilon() throws {
        let op = JointGaussianQuadratureTests.state(K: 2, M: 2, seed: 5, largest: 2, nearlySingular: false)
        let parameters = ODEParameters(activation: .tanh, teacherActivation: .tanh, learningRate: 0.5, noise: 0.1,
                                       trainSecondLayer: true)
        let integration = try ODEIntegration(parameters: parameters, initial: op, times: [0], method: .standard)
        let record = try #require(integration.records.first)
        let reference = GeneralisationError.analytic(op, teacher: .tanh, student: .tanh)
        #expect(abs(record.eg - reference) <= 1e-12, "\(record.eg) vs \(reference)")
    }
}
