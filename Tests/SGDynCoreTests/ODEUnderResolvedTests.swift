import Testing
@testable import SGDynCore

/// The quadratures cap their work per right-hand side (nodes per level, panels); past the field
/// scale a cap resolves, the integrals are less accurate than the error budget (measured 4.1e-6
/// at Q_ii ≈ 66 for tanh, docs/numerics.md "Where the rules cap their work"). Every such
/// evaluation is counted in the statistics, with the time of the first, through snapshots too.
@Suite("ODE: under-resolved right-hand sides are counted")
struct ODEUnderResolvedTests {
    /// K student units of norm Q_ii = `scale`, uncorrelated, each with overlap 0.1 with every
    /// teacher unit (T = 1).
    static func state(K: Int, M: Int, scale: Double) -> OrderParameters {
        var Q = [Double](repeating: 0, count: K * K)
        for i in 0..<K { Q[i * K + i] = scale }
        var T = [Double](repeating: 0, count: M * M)
        for m in 0..<M { T[m * M + m] = 1 }
        return OrderParameters(K: K, M: M, Q: Q, R: [Double](repeating: 0.1, count: K * M), T: T,
                               v: [Double](repeating: 1, count: K), vstar: [Double](repeating: 1, count: M))
    }

    /// One evaluation of the right-hand side; whether it was marked under-resolved, and whether
    /// the mark was cleared by reading it.
    static func marked(student: Activation, teacher: Activation, _ op: OrderParameters) -> (Bool, Bool) {
        let rhs = ODERightHandSide(parameters: ODEParameters(activation: student, teacherActivation: teacher), fixed: op)
        let y = rhs.layout.pack(op)
        var dy = [Double](repeating: 0, count: y.count)
        y.withUnsafeBufferPointer { yb in dy.withUnsafeMutableBufferPointer { rhs.evaluate(yb.baseAddress!, $0.baseAddress!) } }
        let first = rhs.takeUnderResolved()
        return (first, rhs.takeUnderResolved())
    }

    /// Each capped rule marks its evaluation at a scale beyond its cap (joint rule: 241 nodes per
    /// level, reached at a tanh field scale ≈ 7; conditional rule: 240 nodes per level, a GELU
    /// student of scale ≈ 6 — a tanh student's passes are truncated (`OuterDomain`) and take
    /// ≈ 175 nodes per level at any scale, their lines 2 000 nodes from scale ≈ 30; kinked rule:
    /// 48 panels, scale ≈ 3.3) and not at unit scale; reading clears the mark.
    @Test(arguments: [(Activation.tanh, Activation.tanh, 2, 1, 100.0), (.gelu, .gelu, 4, 4, 66), (.tanh, .tanh, 4, 4, 2_000),
                      (.tanh, .relu, 2, 2, 25)])
    func eachRuleMarksItsCap(_ c: (Activation, Activation, Int, Int, Double)) {
        let (student, teacher, K, M, scale) = c
        let large = Self.marked(student: student, teacher: teacher, Self.state(K: K, M: M, scale: scale))
        #expect(large == (true, false), "\(student)/\(teacher) K = \(K), M = \(M) at Q_ii = \(scale)")
        let unit = Self.marked(student: student, teacher: teacher, Self.state(K: K, M: M, scale: 1))
        #expect(unit == (false, false), "\(student)/\(teacher) K = \(K), M = \(M) at Q_ii = 1")
    }

    /// A ReLU teacher (M = 1, the joint rule's last level in closed form) nearly in the span of
    /// two unit students: the closed form's ratio c/s asks for a step below the cap (its accuracy
    /// is measured apart, docs/numerics.md), but the fields' scale does not, so it is not marked.
    @Test func closedFormRatioIsNotMarked() {
        let op = OrderParameters(K: 2, M: 1, Q: [1, 0, 0, 1], R: [0.7, 0.71407], T: [1], v: [1, 1], vstar: [1])
        #expect(Self.marked(student: .tanh, teacher: .relu, op) == (false, false))
    }

    static func integration(scale: Double) throws -> ODEIntegration {
        try ODEIntegration(parameters: ODEParameters(activation: .tanh, teacherActivation: .tanh, learningRate: 0.5),
                           initial: Self.state(K: 2, M: 1, scale: scale), times: [0, 0.1, 0.2, 0.5],
                           method: .adaptive(rtol: 1e-8, atol: 1e-10))
    }

    /// A tanh student of scale 10 on the joint rule: every right-hand side is capped (the fields
    /// barely move by t = 0.5), from t = 0; at unit scale none is.
    @Test func integrationCountsThem() throws {
        var large = try Self.integration(scale: 100)
        while !large.isFinished { large.advance(maxSteps: 100) }
        let s = large.statistics
        #expect(s.rhsEvaluations > 0 && s.underResolvedEvaluations == s.rhsEvaluations, "\(s)")
        #expect(s.underResolvedFrom == 0)
        var unit = try Self.integration(scale: 1)
        while !unit.isFinished { unit.advance(maxSteps: 100) }
        #expect(unit.statistics.underResolvedEvaluations == 0 && unit.statistics.underResolvedFrom == nil)
    }

    /// Snapshotted and restored after every step, the integration counts the same (the mark is
    /// read after each evaluation, so none is lost with the scratch memory); a version 1 snapshot
    /// (before the count) still reads, with a count of 0.
    @Test func snapshotsKeepTheCount() throws {
        var whole = try Self.integration(scale: 100)
        while !whole.isFinished { whole.advance(maxSteps: 100) }
        var chunked = try Self.integration(scale: 100)
        var chunks = 0
        while !chunked.isFinished {
            chunked.advance(maxSteps: 1)
            chunked = try ODEIntegration(snapshot: chunked.snapshot())
            chunks += 1
        }
        #expect(chunks > 2)
        #expect(chunked.statistics == whole.statistics && chunked.records == whole.records)

        // Version 1: the same bytes without the count (8 + 1 + 8 bytes before the seal), version 1.
        let v2 = whole.snapshot()
        var body = Array(v2.dropLast(32 + 17))
        let versionOffset = ODEIntegration.snapshotMagic.count
        #expect(body[versionOffset] == 2)
        body[versionOffset] = 1
        let v1 = try ODEIntegration(snapshot: body + SHA256.hash(body))
        var expected = whole.statistics
        expected.underResolvedEvaluations = 0
        expected.underResolvedFrom = nil
        #expect(v1.statistics == expected && v1.records == whole.records)
        // A count without a time (or the reverse) is refused.
        var inconsistent = Array(v2.dropLast(32))
        inconsistent[inconsistent.count - 9] = 0  // the flag after the count
        #expect(throws: SnapshotError.self) { try ODEIntegration(snapshot: inconsistent + SHA256.hash(inconsistent)) }
    }
}
