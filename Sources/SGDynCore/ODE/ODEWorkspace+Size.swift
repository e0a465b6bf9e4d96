extension ODEWorkspace {
    /// The bytes an integration's right-hand-side workspace allocates for K student and M teacher
    /// units: what job validation bounds, so that no accepted ODE job can exhaust a worker's memory.
    /// Must stay equal to what `init(K:M:activation:)` allocates (a test checks it); the integrator's
    /// own state vectors (a few times (K² + KM + K) doubles) are small beside it.
    public static func estimatedBytes(K: Int, M: Int, activation: Activation) -> Int {
        let D = K + M, pairs = K * (K + 1) / 2, fieldPairs = D * (D + 1) / 2
        let doubles = D * D + D + D + D + K * D + pairs + pairs + K + D + D + D + pairs * fieldPairs + K * D + fieldPairs + pairs
        let cache = activation == .relu && D <= 40 ? FourSubsets.count(D) : 0
        return 8 * (doubles + cache)
    }
}
