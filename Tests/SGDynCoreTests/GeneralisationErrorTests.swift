import RealModule
import Testing
@testable import SGDynCore

@Suite("Analytic generalisation error")
struct GeneralisationErrorTests {
    static let pairs: [(Activation, Activation)] = Activation.allCases.flatMap { t in Activation.allCases.map { (t, $0) } }

    /// Random order parameters with a positive definite covariance: fields (λ, ρ) = A·z for a
    /// random (K+M)×(K+M) matrix A, so C = AAᵀ.
    static func randomOrderParameters(K: Int, M: Int, seed: UInt64) -> (OrderParameters, cholesky: [Double]) {
        var g = NormalStream(seed: seed, stream: .testSample, counter: 999)
        let D = K + M
        var a = [Double](repeating: 0, count: D * D)
        for i in 0..<D { for j in 0...i { a[i * D + j] = (i == j ? 0.6 : 0) + 0.5 * g.next() } }
        var c = [Double](repeating: 0, count: D * D)
        for i in 0..<D { for j in 0..<D { for l in 0..<D { c[i * D + j] += a[i * D + l] * a[j * D + l] } } }
        let Q = (0..<K * K).map { c[($0 / K) * D + $0 % K] }
        let R = (0..<K * M).map { c[($0 / M) * D + K + $0 % M] }
        let T = (0..<M * M).map { c[(K + $0 / M) * D + K + $0 % M] }
        let v = (0..<K).map { _ in g.next() }
        let vstar = (0..<M).map { _ in g.next() }
        return (OrderParameters(K: K, M: M, Q: Q, R: R, T: T, v: v, vstar: vstar), a)
    }

    @Test("analytic ε_g equals the Monte-Carlo average over the fields' Gaussian, for every pair of activations",
          arguments: pairs.indices)
    func analyticMatchesMonteCarlo(pairIndex: Int) {
        let (teacher, student) = Self.pairs[pairIndex]
        let K = 3, M = 2, D = K + M
        let (op, a) = Self.randomOrderParameters(K: K, M: M, seed: UInt64(pairIndex))
        let analytic = GeneralisationError.analytic(op, teacher: teacher, student: student)
        var g = NormalStream(seed: 11, stream: .testSample, counter: UInt64(pairIndex))
        // 400 000 samples for the nine original pairs; 100 000 for the others (the tests run
        // unoptimised, and 144 pairs at 400 000 took minutes): the bound below scales with it.
        let original: Set<Activation> = [.erf, .relu, .linear]
        let samples = original.contains(teacher) && original.contains(student) ? 400_000 : 100_000
        var z = [Double](repeating: 0, count: D), fields = [Double](repeating: 0, count: D)
        var sum = 0.0, sumSquares = 0.0
        for _ in 0..<samples {
            for i in 0..<D { z[i] = g.next() }
            for i in 0..<D { var s = 0.0; for j in 0...i { s += a[i * D + j] * z[j] }; fields[i] = s }
            var phi = 0.0, phiStar = 0.0
            for k in 0..<K { phi += op.v[k] * student.value(fields[k]) }
            for m in 0..<M { phiStar += op.vstar[m] * teacher.value(fields[K + m]) }
            let e = 0.5 * (phi - phiStar) * (phi - phiStar)
            sum += e
            sumSquares += e * e
        }
        let mean = sum / Double(samples)
        let standardError = ((sumSquares / Double(samples) - mean * mean) / Double(samples)).squareRoot()
        // Five standard errors: a false alarm has probability ~6e-7 per pair.
        #expect(abs(analytic - mean) < 5 * standardError, "\(teacher)–\(student): analytic \(analytic), MC \(mean) ± \(standardError)")
        #expect(analytic > 0)
    }

    @Test("a student equal to its teacher has ε_g = 0")
    func zeroAtTeacher() {
        for act in Activation.allCases {
            let T = [1.2, 0.3, 0.3, 0.9]
            let op = OrderParameters(K: 2, M: 2, Q: T, R: T, T: T, v: [0.7, -1.1], vstar: [0.7, -1.1])
            #expect(abs(GeneralisationError.analytic(op, teacher: act, student: act)) < 1e-15)
        }
    }
}
