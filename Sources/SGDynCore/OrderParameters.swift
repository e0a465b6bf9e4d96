/// The macroscopic state of a teacher–student pair (science.md §4): the overlaps
/// Q = WWᵀ/N (K×K), R = WBᵀ/N (K×M), T = BBᵀ/N (M×M) and the second layers v, v*.
///
/// Matrices are stored row-major in flat arrays. Everything the theory predicts (ε_g, the ODE
/// right-hand side) is a function of this value alone.
public struct OrderParameters: Sendable, Equatable, Codable {
    public var K: Int
    public var M: Int
    /// Student–student overlaps, K×K row-major, symmetric.
    public var Q: [Double]
    /// Student–teacher overlaps, K×M row-major.
    public var R: [Double]
    /// Teacher–teacher overlaps, M×M row-major, symmetric.
    public var T: [Double]
    /// Student second layer, K entries.
    public var v: [Double]
    /// Teacher second layer, M entries.
    public var vstar: [Double]

    public init(K: Int, M: Int, Q: [Double], R: [Double], T: [Double], v: [Double], vstar: [Double]) {
        precondition(Q.count == K * K && R.count == K * M && T.count == M * M && v.count == K && vstar.count == M,
                     "order-parameter shapes do not match K=\(K), M=\(M)")
        self.K = K
        self.M = M
        self.Q = Q
        self.R = R
        self.T = T
        self.v = v
        self.vstar = vstar
    }

    @inlinable public func q(_ i: Int, _ k: Int) -> Double { Q[i * K + k] }
    @inlinable public func r(_ i: Int, _ n: Int) -> Double { R[i * M + n] }
    @inlinable public func t(_ n: Int, _ m: Int) -> Double { T[n * M + m] }

    /// The (K+M)×(K+M) covariance C = [[Q, R], [Rᵀ, T]] of the local fields (λ, ρ), row-major.
    public var covariance: [Double] {
        let D = K + M
        var c = [Double](repeating: 0, count: D * D)
        for i in 0..<K {
            for k in 0..<K { c[i * D + k] = q(i, k) }
            for n in 0..<M {
                c[i * D + K + n] = r(i, n)
                c[(K + n) * D + i] = r(i, n)
            }
        }
        for n in 0..<M { for m in 0..<M { c[(K + n) * D + K + m] = t(n, m) } }
        return c
    }
}
