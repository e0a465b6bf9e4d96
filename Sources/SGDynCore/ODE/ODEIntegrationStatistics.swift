/// What an integration did: the method, the work, and the error estimate it reached.
public struct ODEIntegrationStatistics: Sendable, Equatable {
    public var method: ODEMethod
    /// Accepted steps (for fixed-step methods: grid steps, not counting the short steps that
    /// reach output times between grid points).
    public var steps: Int
    /// Steps rejected by the error control (`adaptive` only).
    public var rejectedSteps: Int
    /// Right-hand-side evaluations, everything included.
    public var rhsEvaluations: Int
    /// Sum over the steps of the local error estimate in the max norm over Q, R (and v): an
    /// estimate of the global error if errors neither grow nor decay. `adaptive`: the embedded
    /// 4th-order difference (conservative for the 5th-order solution it propagates); `euler`:
    /// ½·dt·|f(y_{n+1}) − f(y_n)|; `rk4`: dt/6·|k4 − f(y_{n+1})|, the difference to an embedded
    /// third-order method (conservative). Near an unstable manifold (the plateau escape) errors
    /// grow and the true error can exceed this.
    public var errorEstimate: Double
    /// `adaptive` only: the largest weighted local error of an accepted step, RMS over the
    /// components of error/(atol + rtol·|y|); ≤ 1 by construction. 0 for fixed steps.
    public var largestWeightedLocalError: Double
    /// Right-hand sides whose Gaussian averages took a quadrature at its cap on the work (nodes
    /// per level or panels: `JointGaussianQuadrature`, `ConditionalPairQuadrature`,
    /// `KinkedTeacherQuadrature`), so resolved less finely than the error budget: the fields
    /// had grown beyond the scale the cap resolves (docs/numerics.md "Where the rules cap their
    /// work"). 0 for every pair without such a quadrature.
    public var underResolvedEvaluations: Int
    /// The integrator's time at the first of them (the start of its step), nil when none.
    public var underResolvedFrom: Double?

    public init(method: ODEMethod, steps: Int = 0, rejectedSteps: Int = 0, rhsEvaluations: Int = 0,
                errorEstimate: Double = 0, largestWeightedLocalError: Double = 0,
                underResolvedEvaluations: Int = 0, underResolvedFrom: Double? = nil) {
        self.method = method
        self.steps = steps
        self.rejectedSteps = rejectedSteps
        self.rhsEvaluations = rhsEvaluations
        self.errorEstimate = errorEstimate
        self.largestWeightedLocalError = largestWeightedLocalError
        self.underResolvedEvaluations = underResolvedEvaluations
        self.underResolvedFrom = underResolvedFrom
    }

    /// Counts one under-resolved right-hand side evaluated in the step starting at t.
    mutating func noteUnderResolved(at t: Double) {
        underResolvedEvaluations += 1
        if underResolvedFrom == nil { underResolvedFrom = t }
    }
}
