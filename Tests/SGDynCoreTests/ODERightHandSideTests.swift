import Testing
@testable import SGDynCore

/// The right-hand side, which reuses every shared factor, against a literal transcription of
/// science.md §5 built from `GaussianIntegrals` (every I3 and I4 evaluated separately, no
/// symmetry used).
@Suite struct ODERightHandSideTests {
    /// Random order parameters (K = 3, M = 2) with every option on: trained second layer with
    /// its own rate, noise, weight decay, mini-batches. The two computations differ in summation
    /// order and, for erf, in the arcsine (FastArcsine vs the C library, ≤ 4 ulp), so they agree
    /// to rounding: 1e-12 relative to the largest derivative.
    @Test(arguments: GaussianIntegrals.activations, [false, true])
    func matchesLiteralEquations(_ g: Activation, trainSecondLayer: Bool) throws {
        for seed in UInt64(0)..<3 {
            let op = randomOrderParameters(K: 3, M: 2, seed: 40 + seed)
            let p = ODEParameters(activation: g, learningRate: 0.7, secondLayerLearningRate: 0.3, noise: 0.2,
                                  weightDecay: 0.05, batchSize: 3, trainSecondLayer: trainSecondLayer)
            let rhs = ODERightHandSide(parameters: p, fixed: op)
            let y = rhs.layout.pack(op)
            var dy = [Double](repeating: .nan, count: y.count)
            y.withUnsafeBufferPointer { yb in dy.withUnsafeMutableBufferPointer { rhs.evaluate(yb.baseAddress!, $0.baseAddress!) } }
            let expected = literalDerivative(p, op)
            let scale = expected.map(abs).max()!
            for (index, (ours, literal)) in zip(dy, expected).enumerated() {
                #expect(abs(ours - literal) <= 1e-12 * scale, "\(g) component \(index): \(ours) vs \(literal)")
            }
        }
    }

    /// Every record's ε_g is the analytic ε_g of that record's own order parameters, Q stays
    /// exactly symmetric, and T, v* (and a fixed v) are carried unchanged. Exact equality: the
    /// record is built from the same numbers.
    @Test(arguments: [ODEMethod.euler(dt: 0.05), .rk4(dt: 0.05), .standard])
    func recordsAreConsistent(_ method: ODEMethod) throws {
        let (parameters, initial) = try referenceProblem()
        let times = OutputSchedule.times(tMax: 50, points: 40) + [50.01, 50.025]
        let result = try ODE.integrate(parameters, from: initial, times: times, method: method)
        #expect(result.records.map(\.t) == times)
        #expect(result.records[0].orderParameters == initial)
        #expect(result.statistics.method == method)
        for record in result.records {
            let op = record.orderParameters
            #expect(record.eg == GeneralisationError.analytic(op, teacher: .erf, student: .erf))
            #expect(op.Q == (0..<4).map { op.q($0 % 2, $0 / 2) })
            #expect(op.T == initial.T && op.vstar == initial.vstar && op.v == initial.v)
        }
    }

    /// The ReLU right-hand side shares each four-field orthant probability through a table
    /// indexed by the rank of the set: the rank must be a bijection onto 0..<C(n, 4) that
    /// ignores the order of the indices.
    @Test func fourSubsetRanksAreABijection() {
        let n = 12
        var seen = Set<Int>()
        for a in 0..<n { for b in (a + 1)..<n { for c in (b + 1)..<n { for d in (c + 1)..<n {
            let rank = FourSubsets.rank(a, b, c, d)
            seen.insert(rank)
            #expect(FourSubsets.rank(d, b, a, c) == rank && FourSubsets.rank(c, d, b, a) == rank)
        } } } }
        #expect(seen == Set(0..<FourSubsets.count(n)))
    }

    /// dR, dQ, dv of science.md §5 term by term.
    func literalDerivative(_ p: ODEParameters, _ op: OrderParameters) -> [Double] {
        let K = op.K, M = op.M, D = K + M, c = op.covariance, g = p.activation
        let v = op.v, vs = op.vstar
        func C(_ a: Int, _ b: Int) -> Double { c[a * D + b] }
        func i2(_ a: Int, _ b: Int) -> Double { GaussianIntegrals.i2(g, caa: C(a, a), cbb: C(b, b), cab: C(a, b)) }
        func j2(_ a: Int, _ b: Int) -> Double { GaussianIntegrals.j2(g, caa: C(a, a), cbb: C(b, b), cab: C(a, b)) }
        func i3(_ a: Int, _ b: Int, _ d: Int) -> Double {
            GaussianIntegrals.i3(g, caa: C(a, a), ccc: C(d, d), cab: C(a, b), cac: C(a, d), cbc: C(b, d))
        }
        func i4(_ a: Int, _ b: Int, _ d: Int, _ e: Int) -> Double {
            let index = [a, b, d, e]
            return GaussianIntegrals.i4(g, covariance: (0..<16).map { C(index[$0 / 4], index[$0 % 4]) })
        }
        let eta = p.learningRate, kappa = p.weightDecay, B = Double(p.batchSize), sigma = p.noise
        let layout = ODEStateLayout(K: K, M: M, trainSecondLayer: p.trainSecondLayer)
        var out = [Double](repeating: 0, count: layout.count)
        // I3 bracket of unit i with middle argument b (a field index).
        func bracket(_ i: Int, _ b: Int) -> Double {
            var s = 0.0
            for m in 0..<M { s += vs[m] * i3(i, b, K + m) }
            for j in 0..<K { s -= v[j] * i3(i, b, j) }
            return s
        }
        for i in 0..<K {
            for k in i..<K {
                var quartic = 0.0
                for n in 0..<M { for m in 0..<M { quartic += vs[n] * vs[m] * i4(i, k, K + n, K + m) } }
                for j in 0..<K { for n in 0..<M { quartic -= 2 * v[j] * vs[n] * i4(i, k, j, K + n) } }
                for j in 0..<K { for l in 0..<K { quartic += v[j] * v[l] * i4(i, k, j, l) } }
                out[layout.qIndex(i, k)] = eta * v[i] * bracket(i, k) + eta * v[k] * bracket(k, i)
                    + eta * eta / B * v[i] * v[k] * (quartic + sigma * sigma * j2(i, k)) - 2 * kappa * op.q(i, k)
            }
            for n in 0..<M {
                out[layout.rOffset + i * M + n] = eta * v[i] * bracket(i, K + n) - kappa * op.r(i, n)
            }
            if p.trainSecondLayer {
                var s = 0.0
                for n in 0..<M { s += vs[n] * i2(i, K + n) }
                for j in 0..<K { s -= v[j] * i2(i, j) }
                out[layout.vOffset + i] = p.secondLayerLearningRate * s - kappa * v[i]
            }
        }
        return out
    }
}

/// Order parameters from a random covariance of K + M fields, with random second layers.
func randomOrderParameters(K: Int, M: Int, seed: UInt64) -> OrderParameters {
    let D = K + M
    let c = randomCovariance(D, seed: seed)
    var g = Xoshiro256StarStar(seed: seed, stream: .student, counter: 5)
    return OrderParameters(K: K, M: M,
                           Q: (0..<(K * K)).map { c[($0 / K) * D + $0 % K] },
                           R: (0..<(K * M)).map { c[($0 / M) * D + K + $0 % M] },
                           T: (0..<(M * M)).map { c[(K + $0 / M) * D + K + $0 % M] },
                           v: (0..<K).map { _ in 0.5 + g.uniform() }, vstar: (0..<M).map { _ in 0.5 + g.uniform() })
}
