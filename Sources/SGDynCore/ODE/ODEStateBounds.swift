/// When an ODE solution has left what any learning run can reach, so the integration is treated
/// as diverged at that time, like a simulation whose weights overflow (issue 17, item 6). Without
/// this a diverging integration (ReLU, K = 8, M = 2, η = 0.5: ε_g = 5·10¹⁹ after 40 s) stays
/// finite for an hour while its step size shrinks.
///
/// A state is admissible while
/// - the covariance of the student's and teacher's local fields, [[Q, R], [Rᵀ, T]], is positive
///   semi-definite: every realisable set of weights gives one, so a state whose covariance is not
///   has left the dynamics of any network (the Gaussian averages of the right-hand side are then
///   meaningless). A pivot of its Cholesky factorisation below −10⁻⁶ times the largest diagonal
///   entry counts as indefinite: far beyond rounding (≈ 10⁻¹⁵ relative) and the integrators'
///   local errors (the default tolerances are 10⁻⁸ relative), so a singular but valid covariance
///   — a student equal to its teacher, two identical student units — is never taken for one;
/// - every order parameter (Q, R, and v when trained) and ε_g is at most `bound` = 10¹⁰ in size.
///   Q_ii is the squared length of a student vector over N: 10¹⁰ is weights of 10⁵ per input on
///   average, ε_g of 10¹⁰ errors of 10⁵ per output, while the teacher has T of order 1 and every
///   shipped example stays below 10³. No learning run that does not diverge comes near.
struct ODEStateBounds {
    let layout: ODEStateLayout
    /// The teacher's M×M overlaps (fixed).
    let T: [Double]

    /// Order parameters and ε_g beyond this in size are divergence.
    static let bound = 1e10
    /// A Cholesky pivot below −`indefiniteness` × the largest diagonal entry is indefinite.
    static let indefiniteness = 1e-6

    init(layout: ODEStateLayout, fixed: OrderParameters) {
        self.layout = layout
        T = fixed.T
    }

    /// Whether state `y` (finite) is one a learning run can reach.
    func admissible(_ y: UnsafePointer<Double>) -> Bool {
        for i in 0..<layout.count where abs(y[i]) > Self.bound { return false }
        let K = layout.K, M = layout.M, n = K + M
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: n * n) { a in
            // The full covariance, row-major.
            for i in 0..<K {
                for k in 0..<K { a[i * n + k] = y[layout.qIndex(min(i, k), max(i, k))] }
                for m in 0..<M {
                    a[i * n + K + m] = y[layout.rOffset + i * M + m]
                    a[(K + m) * n + i] = y[layout.rOffset + i * M + m]
                }
            }
            for m in 0..<M { for l in 0..<M { a[(K + m) * n + K + l] = T[m * M + l] } }
            return Self.isPositiveSemiDefinite(a.baseAddress!, n: n)
        }
    }

    /// Cholesky in place (lower triangle); a pivot within ±tolerance is a zero of a singular but
    /// semi-definite matrix (its column is dropped), one below −tolerance is indefinite.
    static func isPositiveSemiDefinite(_ a: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        var scale = 0.0
        for i in 0..<n { scale = max(scale, abs(a[i * n + i])) }
        guard scale > 0 else { return true }
        let tolerance = indefiniteness * scale
        for j in 0..<n {
            var pivot = a[j * n + j]
            for k in 0..<j { pivot -= a[j * n + k] * a[j * n + k] }
            if pivot < -tolerance { return false }
            if pivot <= tolerance {
                for i in (j + 1)..<max(j + 1, n) { a[i * n + j] = 0 }
                a[j * n + j] = 0
                continue
            }
            let root = pivot.squareRoot()
            a[j * n + j] = root
            for i in (j + 1)..<max(j + 1, n) {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= a[i * n + k] * a[j * n + k] }
                a[i * n + j] = sum / root
            }
        }
        return true
    }
}
