/// The Cholesky factor L of a covariance C (x = L·z, z standard normal) with dropped pivots, as
/// the nested (`NestedGaussian`) and joint (`JointGaussianQuadrature`) quadratures take it: the
/// fields are taken in a given order, and a field whose residual variance given the earlier
/// pivots is ≤ 1e-14·C_ff (or whose C_ff ≤ 0) adds no level — it is, to rounding, a combination
/// of the earlier fields, and a quadrature level for it would integrate noise.
enum PivotedCholesky {
    /// Fills L[f·n + j] (j a level; L must hold zeros on entry) for the n×n row-major C, taking
    /// the fields in `order`, and appends each pivot field to `pivots` (its count is the rank).
    /// L_fj for the level j of pivot field p: (C_fp − Σ_{j' < j} L_fj' L_pj')/L_pj.
    @inline(__always)
    static func factor(_ C: UnsafePointer<Double>, n: Int, order: some Sequence<Int>, into L: UnsafeMutablePointer<Double>,
                       pivots: inout [Int]) {
        for f in order {
            for (j, p) in pivots.enumerated() {
                var s = C[f * n + p]
                for j2 in 0..<j { s -= L[f * n + j2] * L[p * n + j2] }
                L[f * n + j] = s / L[p * n + j]
            }
            var variance = C[f * n + f]
            for j in 0..<pivots.count { variance -= L[f * n + j] * L[f * n + j] }
            if C[f * n + f] > 0, variance > 1e-14 * C[f * n + f] {
                L[f * n + pivots.count] = variance.squareRoot()
                pivots.append(f)
            }
        }
    }
}
