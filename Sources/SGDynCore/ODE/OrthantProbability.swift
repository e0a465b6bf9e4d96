import RealModule

/// P(x_1 > 0, …, x_n > 0) for a zero-mean Gaussian vector with correlation matrix R, n ≤ 4.
///
/// n ≤ 3 are closed forms. For n = 4, Plackett's identity ∂P/∂ρ_ij = φ₂(0,0;ρ_ij)·P(x_k>0, x_l>0 |
/// x_i = x_j = 0) integrated along R(t) = I + t(R − I) (positive definite for t < 1 whenever R is
/// positive semi-definite) gives
///   P4 = 1/16 + Σ_{i<j} asin ρ_ij/(8π) + (1/4π²) ∫₀¹ Σ_{i<j} ρ_ij asin ρ_{kl|ij}(t)/√(1 − t²ρ_ij²) dt,
/// where {k,l} is the complement of {i,j} and ρ_{kl|ij}(t) the conditional correlation.
/// The integral is done with t = 1 − (1 − s)² (which makes the √-type behaviour at t = 1 of a
/// singular R smooth) by adaptive 12-point Gauss–Legendre (see `relativeTolerance`). Measured against exact values (equicorrelated ρ = ½: 1/5; one-factor
/// correlations: an independent 1-D integral) the error is below 1e-15, including nearly
/// singular R (see ODEReLUTests).
enum OrthantProbability {
    /// Accept a panel when 12 points on it and 12 on each half agree to within
    /// 1e-13·width + 1e-15 (the difference estimates the coarse value's error; the halves' value
    /// returned is far more accurate), or at depth 20 (width 1e-6). The absolute floor and the
    /// depth cap matter for a nearly singular R: close to t = 1 its conditional variances are
    /// differences of O(1) numbers, so the integrand carries noise (≈ 1e-7 relative for
    /// 1 − ρ² = 1e-6) that no refinement removes but whose weight in the integral is ≈ 1e-12.
    static let relativeTolerance = 1e-13, absoluteTolerance = 1e-15, maxDepth = 20

    static func two(_ rho: Double) -> Double {
        0.25 + Double.asin(GaussianIntegrals.clampUnit(rho)) / (2 * Double.pi)
    }

    static func three(_ r12: Double, _ r13: Double, _ r23: Double) -> Double {
        let c = GaussianIntegrals.clampUnit
        return 0.125 + (Double.asin(c(r12)) + Double.asin(c(r13)) + Double.asin(c(r23))) / (4 * Double.pi)
    }

    /// The six correlations in the order (12, 13, 14, 23, 24, 34).
    static func four(_ r: SIMD8<Double>) -> Double {
        var closed = 1.0 / 16
        for p in 0..<6 { closed += Double.asin(GaussianIntegrals.clampUnit(r[p])) / (8 * Double.pi) }
        let rule = GaussLegendre.twelve
        let whole = panel(r, 0, 1, rule)
        let integral = adaptive(r, 0, 1, whole, rule, depth: 0)
        return closed + integral / (4 * Double.pi * Double.pi)
    }

    private static func adaptive(_ r: SIMD8<Double>, _ a: Double, _ b: Double, _ whole: Double,
                                 _ rule: (nodes: [Double], weights: [Double]), depth: Int) -> Double {
        let mid = 0.5 * (a + b)
        let left = panel(r, a, mid, rule), right = panel(r, mid, b, rule)
        if abs(left + right - whole) <= relativeTolerance * (b - a) + absoluteTolerance || depth >= maxDepth {
            return left + right
        }
        return adaptive(r, a, mid, left, rule, depth: depth + 1) + adaptive(r, mid, b, right, rule, depth: depth + 1)
    }

    private static func panel(_ r: SIMD8<Double>, _ a: Double, _ b: Double,
                              _ rule: (nodes: [Double], weights: [Double])) -> Double {
        var sum = 0.0
        let width = b - a
        for q in 0..<rule.nodes.count {
            let s = a + width * rule.nodes[q]
            let oneMinusS = 1 - s
            let t = 1 - oneMinusS * oneMinusS
            sum += rule.weights[q] * 2 * oneMinusS * integrand(r, t)
        }
        return width * sum
    }

    /// Σ_{i<j} ρ_ij asin ρ_{kl|ij}(t)/√(1 − t²ρ_ij²); the six arcsines go through FastArcsine
    /// together.
    @inline(__always)
    static func integrand(_ r: SIMD8<Double>, _ t: Double) -> Double {
        let r12 = t * r[0], r13 = t * r[1], r14 = t * r[2], r23 = t * r[3], r24 = t * r[4], r34 = t * r[5]
        // (i, j | k, l) for the six pairs; correlations of k and l with i and j, and of k with l.
        let a = term(r[0], r12, r13, r23, r14, r24, r34)  // 12 | 34
        let b = term(r[1], r13, r12, r23, r14, r34, r24)  // 13 | 24
        let c = term(r[2], r14, r12, r24, r13, r34, r23)  // 14 | 23
        let d = term(r[3], r23, r12, r13, r24, r34, r14)  // 23 | 14
        let e = term(r[4], r24, r12, r14, r23, r34, r13)  // 24 | 13
        let f = term(r[5], r34, r13, r14, r23, r24, r12)  // 34 | 12
        let first = FastArcsine.arcsine(SIMD4(a.conditional, b.conditional, c.conditional, d.conditional))
        let second = FastArcsine.arcsine(SIMD4(e.conditional, f.conditional, 0, 0))
        return a.weight * first[0] + b.weight * first[1] + c.weight * first[2] + d.weight * first[3]
            + e.weight * second[0] + f.weight * second[1]
    }

    /// ρ_ij/√(1 − r²) and the conditional correlation ρ_{kl|ij}, with r = tρ_ij,
    /// (a1, a2) = corr(k; i, j), (b1, b2) = corr(l; i, j), c = corr(k, l), all at t. The
    /// conditional (co)variances are scaled by det = 1 − r².
    @inline(__always)
    private static func term(_ rho: Double, _ r: Double, _ a1: Double, _ a2: Double, _ b1: Double, _ b2: Double,
                             _ c: Double) -> (weight: Double, conditional: Double) {
        if rho == 0 { return (0, 0) }
        let det = 1 - r * r
        let vk = det - (a1 * a1 + a2 * a2 - 2 * r * a1 * a2)
        let vl = det - (b1 * b1 + b2 * b2 - 2 * r * b1 * b2)
        let ckl = c * det - (a1 * b1 + a2 * b2 - r * (a1 * b2 + a2 * b1))
        let product = vk * vl
        return (rho / det.squareRoot(), product > 0 ? ckl / product.squareRoot() : 0)
    }
}
