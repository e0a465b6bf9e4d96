/// Where an ODE starts: either exactly where a simulation with the same parameters and seed
/// starts, or explicit order parameters from a job, validated.
public enum ODEInitialConditions {
    /// Relative tolerance of the checks: Q and T symmetric to 1e-10 of their largest entry, and
    /// the covariance [[Q, R], [Rᵀ, T]] positive semi-definite with smallest eigenvalue
    /// ≥ −1e-10·max(1, largest eigenvalue). Overlaps computed in double precision (or printed
    /// with ≥ 12 digits) are off by far less; a genuinely indefinite covariance by far more.
    public static let tolerance = 1e-10

    /// The initial order parameters of a simulation with these parameters: the weights are drawn
    /// exactly as `Simulation(parameters:)` draws them (its first record). Costs one K×N and one
    /// M×N draw.
    public static func drawn(for parameters: SimulationParameters) -> OrderParameters {
        Simulation(parameters: parameters).records[0].orderParameters
    }

    /// Explicit initial conditions as a job gives them (matrices as arrays of rows), validated.
    /// `K` and `M` (when given) must match the shapes. Throws an `ODEError` whose key is the
    /// offending entry: "Q", "R", "T", "v" or "vstar".
    public static func explicit(Q: [[Double]], R: [[Double]], T: [[Double]], v: [Double], vstar: [Double],
                                K expectedK: Int? = nil, M expectedM: Int? = nil) throws(ODEError) -> OrderParameters {
        let K = expectedK ?? Q.count, M = expectedM ?? T.count
        guard K >= 1 else { throw ODEError(key: "Q", "must be a non-empty K×K matrix") }
        guard M >= 1 else { throw ODEError(key: "T", "must be a non-empty M×M matrix") }
        try checkShape(Q, rows: K, columns: K, key: "Q", name: "K×K with K = \(K)")
        try checkShape(R, rows: K, columns: M, key: "R", name: "K×M with K = \(K), M = \(M)")
        try checkShape(T, rows: M, columns: M, key: "T", name: "M×M with M = \(M)")
        guard v.count == K else { throw ODEError(key: "v", "must have K = \(K) entries (got \(v.count))") }
        guard vstar.count == M else { throw ODEError(key: "vstar", "must have M = \(M) entries (got \(vstar.count))") }
        let op = OrderParameters(K: K, M: M, Q: Q.flatMap { $0 }, R: R.flatMap { $0 }, T: T.flatMap { $0 },
                                 v: v, vstar: vstar)
        return try validate(op)
    }

    /// Checks finiteness, symmetry of Q and T and positive semi-definiteness (of Q, of T, then of
    /// the whole covariance, blaming R), and returns the order parameters with Q and T exactly
    /// symmetric.
    @discardableResult
    public static func validate(_ op: OrderParameters) throws(ODEError) -> OrderParameters {
        let K = op.K, M = op.M
        guard op.Q.count == K * K && op.R.count == K * M && op.T.count == M * M && op.v.count == K && op.vstar.count == M else {
            throw ODEError(key: "Q", "order-parameter shapes do not match K = \(K), M = \(M)")
        }
        for (key, values) in [("Q", op.Q), ("R", op.R), ("T", op.T), ("v", op.v), ("vstar", op.vstar)] {
            if let bad = values.first(where: { !$0.isFinite }) { throw ODEError(key: key, "contains \(bad)") }
        }
        var result = op
        result.Q = try symmetrised(op.Q, n: K, key: "Q")
        result.T = try symmetrised(op.T, n: M, key: "T")
        try checkSemidefinite(result.Q, n: K, key: "Q", what: "Q is not positive semi-definite")
        try checkSemidefinite(result.T, n: M, key: "T", what: "T is not positive semi-definite")
        try checkSemidefinite(result.covariance, n: K + M, key: "R",
                              what: "the covariance [[Q, R], [Rᵀ, T]] is not positive semi-definite (R is too large for Q and T)")
        return result
    }

    private static func checkShape(_ matrix: [[Double]], rows: Int, columns: Int, key: String, name: String) throws(ODEError) {
        guard matrix.count == rows, matrix.allSatisfy({ $0.count == columns }) else {
            let shape = "\(matrix.count)×\(matrix.map(\.count).max() ?? 0)"
            throw ODEError(key: key, "must be \(name) (got \(shape)\(Set(matrix.map(\.count)).count > 1 ? ", ragged" : ""))")
        }
    }

    private static func symmetrised(_ a: [Double], n: Int, key: String) throws(ODEError) -> [Double] {
        let scale = a.map { abs($0) }.max() ?? 0
        var out = a
        for i in 0..<n {
            for j in (i + 1)..<n {
                let x = a[i * n + j], y = a[j * n + i]
                guard abs(x - y) <= tolerance * max(1, scale) else {
                    throw ODEError(key: key, "must be symmetric: entry [\(i)][\(j)] = \(x) but [\(j)][\(i)] = \(y)")
                }
                out[i * n + j] = 0.5 * (x + y)
                out[j * n + i] = 0.5 * (x + y)
            }
        }
        return out
    }

    private static func checkSemidefinite(_ a: [Double], n: Int, key: String, what: String) throws(ODEError) {
        for i in 0..<n where a[i * n + i] < 0 {
            throw ODEError(key: key, "\(what): diagonal entry \(a[i * n + i]) is negative")
        }
        let eigenvalues = SymmetricEigenvalues.of(a, n: n)
        let smallest = eigenvalues.first ?? 0, largest = eigenvalues.last ?? 0
        guard smallest >= -tolerance * max(1, largest) else {
            throw ODEError(key: key, "\(what): smallest eigenvalue \(smallest)")
        }
    }
}
