import RealModule

/// P(x_1 > 0, …, x_n > 0) for a zero-mean Gaussian vector with correlation matrix R, n ≤ 4.
///
/// n ≤ 3 are closed forms. For n = 4, Plackett's identity ∂P/∂ρ_ij = φ₂(0,0;ρ_ij)·P(x_k>0, x_l>0 |
/// x_i = x_j = 0) integrated along R(t) = I + t(R − I) (positive definite for t < 1 whenever R is
/// positive semi-definite) gives
///   P4 = 1/16 + Σ_{i<j} asin ρ_ij/(8π) + (1/4π²) ∫₀¹ Σ_{i<j} ρ_ij asin ρ_{kl|ij}(t)/√(1 − t²ρ_ij²) dt,
/// where {k,l} is the complement of {i,j} and ρ_{kl|ij}(t) the conditional correlation. The
/// integral is done by a fixed composite Gauss–Legendre rule in σ = √(1 − t), graded toward t = 1
/// as far as R's conditioning requires (`OrthantQuadrature`).
///
/// Accuracy (ODEReLUTests, against an independent one-dimensional integral for one-factor R):
/// ≤ 1.3e-15 for well-conditioned R; with one nearly parallel pair ≤ 1e-15 at 1 − ρ² = 1e-4,
/// 2e-14 at 1e-6, 5e-14 at 1e-8, 5e-13 at 1e-10, 4e-12 at 1e-12. When three or four fields are
/// nearly parallel, the conditional correlations near t = 1 are differences of O(1) numbers whose
/// rounding noise no quadrature removes: three 2e-14, 3e-12, 2.5e-10 and four 1.5e-12, 2e-9,
/// 1.8e-6 at 1 − ρ² = 1e-4, 1e-6, 1e-8 — the same order as the adaptive quadrature this
/// replaced, which spent 10⁴–10⁶ integrand evaluations there against ≤ 240.
enum OrthantProbability {
    static func two(_ rho: Double) -> Double {
        0.25 + Double.asin(GaussianIntegrals.clampUnit(rho)) / (2 * Double.pi)
    }

    static func three(_ r12: Double, _ r13: Double, _ r23: Double) -> Double {
        let c = GaussianIntegrals.clampUnit
        return 0.125 + (Double.asin(c(r12)) + Double.asin(c(r13)) + Double.asin(c(r23))) / (4 * Double.pi)
    }

    /// The six correlations in the order (12, 13, 14, 23, 24, 34); lanes 6 and 7 are ignored.
    /// `refinement` > 0: a far finer rule, for tests and error measurements (`OrthantQuadrature`).
    static func four(_ r: SIMD8<Double>, refinement: Int = 0) -> Double {
        let arcs = FastArcsine.arcsine(r)
        let closed = 1.0 / 16 + (arcs[0] + arcs[1] + arcs[2] + arcs[3] + arcs[4] + arcs[5]) / (8 * Double.pi)
        return closed + OrthantQuadrature.integral(r, refinement: refinement) / (4 * Double.pi * Double.pi)
    }
}
