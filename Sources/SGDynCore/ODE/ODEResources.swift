/// What one ODE integration needs, computed from the sizes alone so that job validation can bound
/// it before anything runs (no accepted ODE job may exhaust a worker's memory).
public enum ODEResources {
    /// The bytes the right-hand side's workspace (`ODEWorkspace`) allocates for K student and M
    /// teacher units: O((K + M)²) doubles, plus for ReLU with K + M ≤ 40 a table of 8·C(K + M, 4)
    /// doubles (≤ 5.8 MB). Equal to what `ODEWorkspace.init(K:M:activation:)` allocates (a test
    /// checks it); the integrator's own state vectors (a few times K² + KM + K doubles) are small
    /// beside it.
    public static func workspaceBytes(K: Int, M: Int, activation: Activation) -> Int {
        let sizes = ODEWorkspace.bufferSizes(K: K, M: M, activation: activation)
        return MemoryLayout<Double>.stride * (sizes.common + sizes.relu).reduce(0, +)
    }

    /// Approximate seconds of one right-hand-side evaluation on one core of the build machine
    /// (AMD EPYC, AVX-512, 2.6 GHz), for estimating ODE run times (an adaptive integration makes
    /// 6 evaluations per step, typically 2 000–10 000 in all to t = 1000). A formula fitted to
    /// measurements (`sgdyn bench --ode`, see README "Speed"), good to within a factor ≈ 2.
    public static func rightHandSideCost(K: Int, M: Int, activation: Activation) -> Double {
        let D = Double(K + M), pairs = Double(K * (K + 1) / 2), fieldPairs = D * (D + 1) / 2
        switch activation {
        case .linear:
            return 1e-7 + 1e-9 * D * D
        case .erf:
            return 3e-7 + 5e-9 * pairs * fieldPairs
        case .relu:
            let sets = Double(FourSubsets.count(K + M))
            return 1e-6 + 2e-8 * pairs * fieldPairs + 2e-6 * sets
        }
    }
}
