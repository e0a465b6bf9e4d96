import Testing
@testable import SGDynCore

/// The ReLU I4 (integration by parts down to orthant probabilities, `ReLUMoments`) and the
/// four-variate orthant probability (`OrthantProbability`) against independent high-accuracy
/// values: exact special cases and the one-factor 1-D integral of `OneFactorOracle`.
@Suite struct ODEReLUTests {
    typealias Field = OneFactorOracle.Field

    /// Equicorrelated ρ = ½ has P4 = 1/5 exactly (P_n = 1/(n + 1)); ρ = 0 gives 1/16. Rounding
    /// only: 1e-15.
    @Test func orthantProbabilityExactCases() {
        let half = SIMD8<Double>(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0)
        #expect(abs(OrthantProbability.four(half) - 0.2) < 1e-15)
        #expect(abs(OrthantProbability.four(SIMD8<Double>()) - 1.0 / 16) < 1e-15)
        // Two independent pairs: P2(ρ12)·P2(ρ34).
        let blocks = SIMD8<Double>(0.7, 0, 0, 0, 0, -0.4, 0, 0)
        #expect(abs(OrthantProbability.four(blocks) - OrthantProbability.two(0.7) * OrthantProbability.two(-0.4)) < 1e-15)
    }

    /// One-factor correlation matrices, including nearly singular ones (|λ| up to 1 − 1e-9):
    /// the oracle is accurate to ≈ 1e-15, so 1e-14 leaves room for rounding only.
    @Test func orthantProbabilityMatchesOneFactorIntegral() {
        var g = Xoshiro256StarStar(seed: 21, stream: .teacher, counter: 0)
        for trial in 0..<200 {
            var fields = (0..<4).map { _ in Field(scale: 1, loading: 2 * g.uniform() - 1, power: 0) }
            if trial % 4 == 0 { fields[trial % 3].loading = 1 - 1e-9 }
            let c = OneFactorOracle.covariance(fields)
            let r = SIMD8<Double>(c[1], c[2], c[3], c[6], c[7], c[11], 0, 0)
            let exact = OneFactorOracle.expectation(fields)
            #expect(abs(OrthantProbability.four(r) - exact) < 1e-14, "loadings \(fields.map(\.loading))")
        }
    }

    /// Two, three or four fields nearly parallel (one-factor loadings with 1 − λ² = gap): the
    /// documented accuracy of the fixed rule (`OrthantProbability`), measured over 100 draws per
    /// row, with a factor 5 of room for other draws. Beyond the pair case, the bound is set by the
    /// rounding noise of conditional correlations near t = 1, not by the rule.
    @Test func orthantProbabilityNearlyParallelFields() {
        var g = Xoshiro256StarStar(seed: 25, stream: .teacher, counter: 0)
        let cases: [(near: Int, gap: Double, bound: Double)] = [
            (2, 1e-4, 6e-15), (2, 1e-6, 8e-14), (2, 1e-8, 2.5e-13), (2, 1e-10, 2.5e-12), (2, 1e-12, 2e-11),
            (3, 1e-4, 1.2e-13), (3, 1e-6, 1.5e-11), (3, 1e-8, 2.5e-9),
            (4, 1e-2, 1.5e-14), (4, 1e-4, 6e-12), (4, 1e-6, 7e-9), (4, 1e-8, 1e-5),
        ]
        for (near, gap, bound) in cases {
            var worst = 0.0
            for _ in 0..<100 {
                var fields = (0..<4).map { _ in Field(scale: 1, loading: 2 * g.uniform() - 1, power: 0) }
                for q in 0..<near {
                    fields[q].loading = (g.uniform() < 0.5 ? -1 : 1) * (1 - gap * (0.5 + g.uniform())).squareRoot()
                }
                let c = OneFactorOracle.covariance(fields)
                let r = SIMD8<Double>(c[1], c[2], c[3], c[6], c[7], c[11], 0, 0)
                worst = max(worst, abs(OrthantProbability.four(r) - OneFactorOracle.expectation(fields)))
            }
            #expect(worst <= bound, "\(near) fields with 1 − λ² ≈ \(gap): error \(worst)")
            print("P4, \(near) nearly parallel fields, 1 − λ² ≈ \(gap): largest error \(worst)")
        }
    }

    /// The rule's node count grows with the conditioning as documented: 32 nodes (two panels)
    /// for a well-conditioned R, 16 more per factor 16 in the smallest eigenvalue, at most 240.
    @Test func orthantRuleFollowsConditioning() {
        let half = SIMD8<Double>(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0)  // eigenvalues 2.5, ½, ½, ½
        #expect(OrthantQuadrature.cutCount(half) == 1)
        for exponent in 1...4 {
            // Equicorrelated ρ = 1 − ε: smallest eigenvalue ε, bound det/Σ minors = ε(4 − 3ε)/(4(3 − 2ε)) ≈ ε/3
            // (det ≈ 4ε³ is computed from O(1) numbers, so only down to ε ≈ 1e-5 is it exact enough
            // to check; below, the rule only needs its order of magnitude).
            let epsilon = Double.pow(16, -Double(exponent))
            let rho = 1 - epsilon
            let r = SIMD8<Double>(rho, rho, rho, rho, rho, rho, 0, 0)
            let bound = OrthantQuadrature.smallestEigenvalueBound(r)
            #expect(bound <= epsilon && bound >= epsilon / 3.1, "ε = \(epsilon): bound \(bound)")
            let cuts = OrthantQuadrature.cutCount(r)
            // Cut down to the first power of ¼ at or below √bound.
            #expect(Double.pow(0.25, Double(cuts)) <= bound.squareRoot() && Double.pow(0.25, Double(cuts - 1)) > bound.squareRoot())
        }
        let parallel = SIMD8<Double>(1, 1, 1, 1, 1, 1, 0, 0)
        #expect(OrthantQuadrature.cutCount(parallel) == OrthantQuadrature.maximumCuts)
    }

    /// I4 for random one-factor covariances (random scales 0.5–1.5): 1e-14, rounding only.
    @Test func i4MatchesOneFactorIntegral() {
        var g = Xoshiro256StarStar(seed: 22, stream: .teacher, counter: 0)
        for _ in 0..<200 {
            let fields = (0..<4).map { i in Field(scale: 0.5 + g.uniform(), loading: 2 * g.uniform() - 1, power: i < 2 ? 0 : 1) }
            let ours = GaussianIntegrals.i4(.relu, covariance: OneFactorOracle.covariance(fields))
            #expect(abs(ours - OneFactorOracle.expectation(fields)) < 1e-14, "\(fields)")
        }
    }

    /// Coinciding arguments, as the ODEs pass them (I4(i, i, c, d), I4(i, k, i, d), I4(i, k, c, c), …):
    /// the oracle gets the product of the distinct fields by hand (Θ·Θ = Θ, Θ·x⁺ = x⁺,
    /// x⁺·x⁺ = x²Θ), so it shares nothing with the merging in `ReLUMoments`. 1e-14.
    @Test func i4WithCoincidingArguments() {
        var g = Xoshiro256StarStar(seed: 23, stream: .teacher, counter: 0)
        // (argument pattern over distinct fields 0, 1, 2, 3; powers of the distinct fields)
        let patterns: [([Int], [Int])] = [
            ([0, 0, 1, 2], [0, 1, 1]),       // a = b
            ([0, 1, 0, 2], [1, 0, 1]),       // a = c
            ([0, 1, 2, 2], [0, 0, 2]),       // c = d
            ([0, 1, 1, 0], [1, 1]),          // a = d, b = c
            ([0, 0, 0, 1], [1, 1]),          // a = b = c
            ([0, 0, 1, 1], [0, 2]),          // a = b, c = d
            ([0, 0, 0, 0], [2]),             // all one field
            ([0, 1, 2, 3], [0, 0, 1, 1]),    // all distinct
        ]
        for _ in 0..<30 {
            let base = (0..<4).map { _ in Field(scale: 0.5 + g.uniform(), loading: 2 * g.uniform() - 1, power: 0) }
            let c = OneFactorOracle.covariance(base)
            for (arguments, powers) in patterns {
                let distinct = Array(Set(arguments)).sorted()
                let fields = zip(distinct, powers).map { Field(scale: base[$0].scale, loading: base[$0].loading, power: $1) }
                let sub = (0..<16).map { c[arguments[$0 / 4] * 4 + arguments[$0 % 4]] }
                let ours = GaussianIntegrals.i4(.relu, covariance: sub)
                #expect(abs(ours - OneFactorOracle.expectation(fields)) < 1e-14, "pattern \(arguments)")
            }
        }
    }

    /// Nearly parallel fields, across the merge threshold 1 − ρ² = 3e-12: the documented bounds
    /// (≤ 2e-12 for 1 − ρ² ≥ 1e-10, ≤ 2e-10 down to the threshold, ≈ 0.04·√(1 − ρ²) below it)
    /// with a factor 2.5 of room for other random draws. Exact copies: 1e-14.
    @Test func i4NearParallelFields() {
        var g = Xoshiro256StarStar(seed: 24, stream: .teacher, counter: 0)
        let cases: [(gap: Double, bound: Double)] = [(1e-4, 5e-15), (1e-7, 5e-13), (1e-10, 5e-12), (1e-11, 5e-10),
                                                     (4e-12, 5e-10), (2e-12, 0.1 * 2e-12.squareRoot()),
                                                     (1e-13, 0.1 * 1e-13.squareRoot()), (0, 1e-14)]
        for (gap, bound) in cases {
            var worst = 0.0
            for trial in 0..<40 {
                var fields = (0..<4).map { i in Field(scale: 0.5 + g.uniform(), loading: 2 * g.uniform() - 1, power: i < 2 ? 0 : 1) }
                let pair = [(0, 2), (0, 1), (2, 3), (1, 3)][trial % 4]
                fields[pair.0].loading = (1 - gap).squareRoot()
                fields[pair.1].loading = 1
                let ours = GaussianIntegrals.i4(.relu, covariance: OneFactorOracle.covariance(fields))
                worst = max(worst, abs(ours - OneFactorOracle.expectation(fields)))
            }
            #expect(worst <= bound, "1 − ρ² = \(gap): error \(worst)")
        }
    }

    /// Price's theorem at general (not one-factor) covariances: ∂I4/∂C_cd = E[Θ(a)Θ(b)Θ(c)Θ(d)]
    /// = P4. A central difference with step 1e-4 has truncation error ≈ 1e-9 (third derivatives
    /// are O(1)) and rounding ≈ 1e-16/1e-4 = 1e-12, so 1e-8 checks I4 and P4 against each other.
    @Test func i4DerivativeIsOrthantProbability() {
        for trial in 0..<20 {
            let c = randomCovariance(4, seed: UInt64(300 + trial))
            let step = 1e-4
            var plus = c, minus = c
            plus[11] += step; plus[14] += step
            minus[11] -= step; minus[14] -= step
            let derivative = (GaussianIntegrals.i4(.relu, covariance: plus) - GaussianIntegrals.i4(.relu, covariance: minus)) / (2 * step)
            func rho(_ i: Int, _ j: Int) -> Double { c[i * 4 + j] / (c[i * 5] * c[j * 5]).squareRoot() }
            let p4 = OrthantProbability.four(SIMD8<Double>(rho(0, 1), rho(0, 2), rho(0, 3), rho(1, 2), rho(1, 3), rho(2, 3), 0, 0))
            #expect(abs(derivative - p4) < 1e-8, "trial \(trial): dI4/dC_cd \(derivative) vs P4 \(p4)")
        }
    }
}
