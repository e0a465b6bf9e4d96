/// Eigenvalues of a small symmetric matrix by cyclic Jacobi rotations: slow (O(n³) per sweep)
/// but unconditionally accurate, which is what a one-off positive-semi-definiteness check of an
/// initial covariance needs.
enum SymmetricEigenvalues {
    /// The eigenvalues of the symmetric n×n row-major matrix `a`, ascending.
    static func of(_ a: [Double], n: Int) -> [Double] {
        var m = a
        for _ in 0..<100 {
            var offDiagonal = 0.0, diagonal = 0.0
            for i in 0..<n {
                diagonal += m[i * n + i] * m[i * n + i]
                for j in (i + 1)..<n { offDiagonal += m[i * n + j] * m[i * n + j] }
            }
            if offDiagonal <= 1e-32 * diagonal || offDiagonal == 0 { break }
            for p in 0..<n {
                for q in (p + 1)..<n where m[p * n + q] != 0 {
                    rotate(&m, n: n, p: p, q: q)
                }
            }
        }
        return (0..<n).map { m[$0 * n + $0] }.sorted()
    }

    /// Zeroes m[p][q] with the rotation of Golub & Van Loan, Algorithm 8.5.1.
    private static func rotate(_ m: inout [Double], n: Int, p: Int, q: Int) {
        let apq = m[p * n + q]
        let tau = (m[q * n + q] - m[p * n + p]) / (2 * apq)
        let t = (tau >= 0 ? 1 : -1) / (abs(tau) + (1 + tau * tau).squareRoot())
        let c = 1 / (1 + t * t).squareRoot(), s = t * c
        for k in 0..<n {
            let mkp = m[k * n + p], mkq = m[k * n + q]
            m[k * n + p] = c * mkp - s * mkq
            m[k * n + q] = s * mkp + c * mkq
        }
        for k in 0..<n {
            let mpk = m[p * n + k], mqk = m[q * n + k]
            m[p * n + k] = c * mpk - s * mqk
            m[q * n + k] = s * mpk + c * mqk
        }
    }
}
