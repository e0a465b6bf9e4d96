/// What one ODE integration needs, computed from the sizes alone so that job validation can bound
/// it before anything runs (no accepted ODE job may exhaust a worker's memory).
public enum ODEResources {
    /// The bytes the right-hand side's workspace (`ODEWorkspace`) allocates for K student and M
    /// teacher units. Must stay equal to what `ODEWorkspace.init(K:M:activation:)` allocates (a test
    /// checks it); the integrator's own state vectors (a few times K² + KM + K doubles) are small
    /// beside it.
    public static func workspaceBytes(K: Int, M: Int, activation: Activation) -> Int {
        let D = K + M, pairs = K * (K + 1) / 2, fieldPairs = D * (D + 1) / 2
        let doubles = D * D + D + D + D + K * D + pairs + pairs + K + D + D + D + pairs * fieldPairs + K * D + fieldPairs + pairs
        let cache = activation == .relu && D <= 40 ? FourSubsets.count(D) : 0
        return 8 * (doubles + cache)
    }

    /// Why an integration of K student and M teacher units may not be restored or started from
    /// bytes, or nil: a workspace over `SimulationLimits.maxODEWorkspaceBytes` (the sizes are
    /// checked first, so the estimate cannot overflow).
    public static func decodingProblem(K: Int, M: Int, activation: Activation) -> String? {
        guard K >= 1, M >= 1, K <= SimulationLimits.maxUnits, M <= SimulationLimits.maxUnits else { return "K = \(K), M = \(M) out of range" }
        let bytes = workspaceBytes(K: K, M: M, activation: activation)
        return bytes <= SimulationLimits.maxODEWorkspaceBytes ? nil
            : "an ODE workspace of \(bytes) bytes for K = \(K), M = \(M), over the limit of \(SimulationLimits.maxODEWorkspaceBytes)"
    }
}
