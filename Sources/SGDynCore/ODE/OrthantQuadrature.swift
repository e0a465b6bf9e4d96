import CVectorMath

/// The one-dimensional integral in the four-variate orthant probability (`OrthantProbability.four`):
/// ∫₀¹ Σ_{i<j} ρ_ij asin ρ_{kl|ij}(t)/√(1 − t²ρ_ij²) dt for the correlation matrix R, by a fixed
/// composite 16-point Gauss–Legendre rule, eight nodes at a time.
///
/// Why this rule. The integrand is analytic on [0, 1] with singularities only on the real line
/// outside it: where R(t) = (1 − t)I + tR or one of its principal minors turns singular, i.e. at
/// t ≤ −⅓ and at t ≥ 1/(1 − λ_min), λ_min the smallest eigenvalue of R. In σ = √(1 − t) the
/// square-root behaviour at t = 1 of a singular R is smooth, and the singularities near t = 1 sit at
/// distance ≈ √λ_min from σ = 0. So the σ-interval [0, 1] is cut at 1, ¼, 1/16, … down to the
/// first cut below ≈ √λ_min (at most 14 cuts), each panel at least a third of its own width away
/// from the singularities, where 16 points give full double precision. λ_min is bounded below by
/// det R / Σ(3×3 principal minors) (the first Newton step from 0 on the characteristic
/// polynomial, which cannot overshoot its smallest root): a cheap bound that errs towards more
/// panels. Measured (ODEReLUTests): within 1e-15 of an independent one-dimensional integral for
/// well-conditioned R, with 32 nodes for λ_min ≳ 0.06 and 16 more per factor 16 in λ_min.
///
/// A fixed rule, unlike the adaptive quadrature it replaced, makes P4 a smooth function of R (no
/// switching between panel layouts inside a step of the ODE integrator) and never chases the
/// rounding noise of a nearly singular R: near t = 1 its conditional variances are differences of
/// O(1) numbers, and that noise, not the rule, bounds the accuracy there (see `OrthantProbability`).
enum OrthantQuadrature {
    /// Each panel is this fraction of the one before, toward σ = 0.
    static let ratio = 0.25
    /// At least two panels ([¼, 1] and [0, ¼]), at most this many cuts below σ = 1 (σ ≥ 4^−14 ≈ 4e-9).
    static let minimumCuts = 1, maximumCuts = 14

    /// 16-point Gauss–Legendre nodes and weights on [0, 1], as two vectors of eight.
    private static let rule: (nodes: (SIMD8<Double>, SIMD8<Double>), weights: (SIMD8<Double>, SIMD8<Double>)) = {
        let r = GaussLegendre.rule(points: 16)
        return ((SIMD8(r.nodes[0..<8]), SIMD8(r.nodes[8..<16])), (SIMD8(r.weights[0..<8]), SIMD8(r.weights[8..<16])))
    }()

    /// The integral for correlations r = (ρ12, ρ13, ρ14, ρ23, ρ24, ρ34, –, –). `refinement` > 0
    /// (tests and error measurements only) adds that many cuts and splits every panel into
    /// 2^refinement: a far more accurate value to compare against.
    static func integral(_ r: SIMD8<Double>, refinement: Int = 0) -> Double {
        let cuts = cutCount(r) + refinement
        let pieces = 1 << refinement
        let terms = Terms(r)
        let rule = self.rule
        var total = SIMD8<Double>(repeating: 0)
        var high = 1.0
        for cut in 0...cuts {
            let low = cut == cuts ? 0 : high * ratio
            let width = (high - low) / Double(pieces)
            for piece in 0..<pieces {
                let start = low + Double(piece) * width
                for half in 0..<2 {
                    let x = half == 0 ? rule.nodes.0 : rule.nodes.1
                    let w = half == 0 ? rule.weights.0 : rule.weights.1
                    let sigma = start + width * x
                    // t = 1 − σ², dt = 2σ dσ; 1 − t = σ² is passed as well, exactly.
                    let u = sigma * sigma
                    total += (width * w) * (2 * sigma) * terms.integrand(1 - u, u)
                }
            }
            high = low
        }
        return total.sum()
    }

    /// Number of cuts below σ = 1: down to the first power of ¼ below √λ, λ ≤ λ_min the bound above.
    static func cutCount(_ r: SIMD8<Double>) -> Int {
        let lambda = smallestEigenvalueBound(r)
        var cuts = minimumCuts
        var h = Double.pow(ratio, Double(minimumCuts))
        while cuts < maximumCuts && h * h > lambda {
            h *= ratio
            cuts += 1
        }
        return cuts
    }

    /// det R / Σ(principal 3×3 minors), a lower bound on the smallest eigenvalue of R (≥ 0).
    static func smallestEigenvalueBound(_ r: SIMD8<Double>) -> Double {
        let r12 = r[0], r13 = r[1], r14 = r[2], r23 = r[3], r24 = r[4], r34 = r[5]
        @inline(__always) func minor3(_ a: Double, _ b: Double, _ c: Double) -> Double {
            1 - a * a - b * b - c * c + 2 * a * b * c
        }
        let minors = minor3(r12, r13, r23) + minor3(r12, r14, r24) + minor3(r13, r14, r34) + minor3(r23, r24, r34)
        // det R by the Laplace expansion along rows (1, 2) against rows (3, 4).
        let m12 = 1 - r12 * r12, m13 = r23 - r12 * r13, m14 = r24 - r12 * r14
        let m23 = r12 * r23 - r13, m24 = r12 * r24 - r14, m34 = r13 * r24 - r14 * r23
        let n34 = 1 - r34 * r34, n24 = r23 - r24 * r34, n23 = r23 * r34 - r24
        let n14 = r13 - r14 * r34, n13 = r13 * r34 - r14, n12 = r13 * r24 - r14 * r23
        let det = m12 * n34 - m13 * n24 + m14 * n23 + m23 * n14 - m24 * n13 + m34 * n12
        guard minors > 0, det > 0 else { return 0 }
        return det / minors
    }

    /// The six terms (i, j | k, l): ρ_ij and the correlations of k and l with i, j and each other.
    struct Terms {
        let a: Term, b: Term, c: Term, d: Term, e: Term, f: Term

        init(_ r: SIMD8<Double>) {
            let r12 = r[0], r13 = r[1], r14 = r[2], r23 = r[3], r24 = r[4], r34 = r[5]
            a = Term(rho: r12, ki: r13, kj: r23, li: r14, lj: r24, kl: r34)  // 12 | 34
            b = Term(rho: r13, ki: r12, kj: r23, li: r14, lj: r34, kl: r24)  // 13 | 24
            c = Term(rho: r14, ki: r12, kj: r24, li: r13, lj: r34, kl: r23)  // 14 | 23
            d = Term(rho: r23, ki: r12, kj: r13, li: r24, lj: r34, kl: r14)  // 23 | 14
            e = Term(rho: r24, ki: r12, kj: r14, li: r23, lj: r34, kl: r13)  // 24 | 13
            f = Term(rho: r34, ki: r13, kj: r14, li: r23, lj: r24, kl: r12)  // 34 | 12
        }

        @inline(__always)
        func integrand(_ t: SIMD8<Double>, _ u: SIMD8<Double>) -> SIMD8<Double> {
            a.value(t, u) + b.value(t, u) + c.value(t, u) + d.value(t, u) + e.value(t, u) + f.value(t, u)
        }
    }

    struct Term {
        let rho: Double, ki: Double, kj: Double, li: Double, lj: Double, kl: Double

        /// ρ_ij asin ρ_{kl|ij}(t)/√(1 − r²), r = tρ_ij, u = 1 − t. The conditional (co)variances
        /// of k and l given i and j are scaled by det = 1 − r² (they are the 3×3 minors of R(t));
        /// 1 ∓ r = (1 ∓ ρ) ± ρu keeps det accurate (and positive) as t → 1 for |ρ| close to 1.
        @inline(__always)
        func value(_ t: SIMD8<Double>, _ u: SIMD8<Double>) -> SIMD8<Double> {
            let r = t * rho
            let a1 = t * ki, a2 = t * kj, b1 = t * li, b2 = t * lj
            let det = ((1 - rho) + rho * u) * ((1 + rho) - rho * u)
            let vk = det - (a1 * a1 + a2 * a2 - 2 * r * a1 * a2)
            let vl = det - (b1 * b1 + b2 * b2 - 2 * r * b1 * b2)
            let ckl = (t * kl) * det - (a1 * b1 + a2 * b2 - r * (a1 * b2 + a2 * b1))
            let product = vk * vl
            // A conditional variance rounded to ≤ 0 (nearly singular R close to t = 1): correlation 0.
            let zero = SIMD8<Double>(repeating: 0), one = SIMD8<Double>(repeating: 1)
            let root = sgdyn_sqrt8(sgdyn_select_greater8(product, zero, one, product))
            let conditional = sgdyn_select_greater8(product, zero, zero, sgdyn_div8(ckl, root))
            return sgdyn_div8(SIMD8(repeating: rho), sgdyn_sqrt8(det)) * FastArcsine.arcsine(conditional)
        }
    }
}
