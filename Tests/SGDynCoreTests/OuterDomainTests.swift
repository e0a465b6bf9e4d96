import Testing
@testable import SGDynCore

/// `OuterDomain`: where the conditional rule's outer nodes are needed. Exact arithmetic checks
/// of its bounds, and the rule itself with and without the truncation on states whose students
/// have grown (the tanh student with a sigmoid teacher of docs/measurements.md reaches
/// Q_ii ≈ 66 by t = 1000).
@Suite("ConditionalPairQuadrature: the outer domain")
struct OuterDomainTests {
    /// Without a tail (a diagonal pass, or GELU) the domain is the disc: nothing truncated.
    @Test func noTailIsTheDisc() {
        let d = OuterDomain(levels: 2, radius: 7.5, tail: nil, first: (8, 0), second: (-3, 7))
        #expect(!d.truncates && d.rowExtent == 7.5 && d.columnExtent == 7.5 && d.columnWidth == 15)
        #expect(d.interval(row: 2, chord: 5)! == (-5, 5))
    }

    /// Two levels: the rows end where |λ_i| = |c₀·z₀| reaches Λ; a row's interval is where
    /// |λ_k| = |c₀ᵏz₀ + c₁ᵏz₁| ≤ Λ − |λ_i|, inside the chord; every node of it has
    /// |z₁| ≤ columnExtent.
    @Test func twoLevels() {
        let d = OuterDomain(levels: 2, radius: 7.5, tail: 20, first: (8, 0), second: (-3, 4))
        #expect(d.truncates)
        #expect(d.rowExtent == 2.5)
        #expect(d.columnExtent == (20 + 3 * 2.5) / 4 && d.columnWidth == 10)
        let row = d.interval(row: 1, chord: 7)!
        // λ_i = 8, so λ_k = −3 + 4·z₁ ∈ [−12, 12]: z₁ ∈ [−9/4, 15/4].
        #expect(row.low == -9.0 / 4 && row.high == 15.0 / 4)
        #expect(d.interval(row: 1, chord: 3)! == (-9.0 / 4, 3))
        // A row beyond the rows' extent needs nothing.
        #expect(d.interval(row: 2.6, chord: 7) == nil)
        for z0 in stride(from: -2.5, through: 2.5, by: 0.25) {
            guard let r = d.interval(row: z0, chord: (7.5 * 7.5 - z0 * z0).squareRoot()) else { continue }
            #expect(max(abs(r.low), abs(r.high)) <= d.columnExtent + 1e-12)
            #expect(r.high - r.low <= d.columnWidth + 1e-12)
        }
    }

    /// One level, off the diagonal (λ_k parallel to λ_i): the nodes end where
    /// |λ_i| + |λ_k| = 18·|z| reaches Λ.
    @Test func oneLevel() {
        let d = OuterDomain(levels: 1, radius: 7.5, tail: 20, first: (8, 0), second: (-10, 0))
        #expect(d.rowExtent == 20.0 / 18)
        #expect(d.interval(row: 0, chord: 7.5)! == (-20.0 / 18, 20.0 / 18))
    }

    /// The weights of a truncated level are the whole rule's over the kept nodes (normalised
    /// over the radius, summed in the same order): bit for bit the untruncated weights there.
    @Test func truncatedWeightsAreTheRulesWeights() {
        let whole = ConditionalPairQuadrature.trapezoidWeights(step: 0.03, radius: 7.5)
        let part = ConditionalPairQuadrature.trapezoidWeights(step: 0.03, radius: 7.5, extent: 2.5)
        let full = (whole.count - 1) / 2, n = (part.count - 1) / 2
        #expect(n == Int(2.5 / 0.03))
        #expect(Array(whole[(full - n)...(full + n)]) == part)
        // Past 10⁵ nodes the norm is the line's: the weights still sum to 1 within 1e-12.
        let fine = ConditionalPairQuadrature.trapezoidWeights(step: 7.5 / 200_000, radius: 7.5, extent: 0.001)
        #expect(abs(fine[(fine.count - 1) / 2] * (2 * Double.pi).squareRoot() / (7.5 / 200_000) - 1) < 1e-12)
    }

    /// The terms of one right-hand side by `ConditionalPairQuadrature` as configured.
    static func terms(_ op: OrderParameters, student: Activation, teacher: Activation, refine: Double = 1, wholeDisc: Bool = false) -> [Double] {
        let p = ODEParameters(activation: student, teacherActivation: teacher, learningRate: 0.5, noise: 0.1, trainSecondLayer: true)
        let rhs = ODERightHandSide(parameters: p, fixed: op)
        let y = rhs.layout.pack(op)
        var dy = [Double](repeating: 0, count: y.count)
        y.withUnsafeBufferPointer { yb in dy.withUnsafeMutableBufferPointer { rhs.evaluate(yb.baseAddress!, $0.baseAddress!) } }
        ConditionalPairQuadrature(K: op.K, M: op.M, student: student, teacher: teacher, refine: refine, wholeDisc: wholeDisc)
            .evaluate(rhs.w, secondLayer: true)
        return JointGaussianQuadratureTests.terms(rhs.w)
    }

    /// K = M = 4 tanh (and sigmoid) students of norm √Q_ii, uncorrelated, with a sigmoid (tanh)
    /// teacher: the truncated rule against the whole disc with the cap lifted to 4 000 nodes per
    /// level (1e-9, the bound for smooth pairs; measured ≤ 1e-13: tanh's g′ is exactly 0
    /// where nodes are dropped), and no longer under-resolved at Q_ii = 66, where the 0.7.0
    /// rule (whole disc, 240 nodes per level) was 4.1e-6 off.
    @Test(arguments: [(Activation.tanh, Activation.sigmoid, 1.0), (.tanh, .sigmoid, 17), (.tanh, .sigmoid, 66), (.sigmoid, .tanh, 66)])
    func grownStudents(_ c: (Activation, Activation, Double)) {
        let (student, teacher, scale) = c
        let op = ODEUnderResolvedTests.state(K: 4, M: 4, scale: scale)
        let (marked, _) = ODEUnderResolvedTests.marked(student: student, teacher: teacher, op)
        #expect(!marked, "\(student)/\(teacher) Q_ii = \(scale)")
        let truncated = Self.terms(op, student: student, teacher: teacher)
        let whole = Self.terms(op, student: student, teacher: teacher, wholeDisc: true)
        let error = JointGaussianQuadratureTests.largestRelative(truncated, whole)
        print("OuterDomain \(student)/\(teacher) Q_ii = \(scale): against the whole disc \(error)")
        #expect(error <= 1e-9, "\(student)/\(teacher) Q_ii = \(scale): \(error)")
    }
}
