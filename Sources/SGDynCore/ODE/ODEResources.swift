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

    /// Approximate seconds of one right-hand-side evaluation on one core of this project's
    /// machine (AMD EPYC, AVX-512, 2.6 GHz), for estimating ODE run times: an adaptive
    /// integration makes 6 evaluations per step, typically 2 000–10 000 to t = 1000 (the
    /// statistics in result.json say how many).
    ///
    /// Fitted (relative least squares) to CPU times per evaluation of integrations to t = 100 with
    /// η = 0.1, σ = 0.01, K ∈ 1…64 (ReLU 1…16), M ∈ {1, 2, 4}; with P = K(K+1)/2 student pairs,
    /// F = D(D+1)/2 field pairs (D = K + M) and S the sets of four fields with at least two
    /// students, in µs: linear 0.043 + 0.0023·D² (within a factor 1.5 of every measurement),
    /// erf 0.13 + 0.0024·P·F + 0.0038·K·D² (factor 1.2), ReLU 0.30 + 0.013·P·F + 1.0·S
    /// (factor 1.4; the orthant probabilities' quadrature needs up to ≈ 3× more when units are
    /// nearly parallel). For ReLU with D > 40 (no per-set table, an estimate not a fit) every I4
    /// of four distinct fields recomputes its orthant probability: ≈ 3 µs·P·F.
    ///
    /// A student with another teacher (erf or linear student, ODERightHandSide+AnyTeacher): the
    /// student's own cost plus, per student pair and field pair, one pair average at its measured
    /// cost (`PairAverage.estimatedSeconds`).
    ///
    /// A smooth non-polynomial student with a smooth teacher, or a ReLU teacher at M = 1 (`JointGaussianQuadrature`): its
    /// `estimatedSeconds`, a tensor rule over the K + M fields, its last level tabulated (≈ 1 ms
    /// for tanh at K = M = 2, ≈ 40 ms at K + M = 5; over the bound from K + M = 6 on for tanh,
    /// 7 for sigmoid). With a ReLU teacher at M = 1 the
    /// teacher's level is in closed form: a rule over the K student fields only.
    ///
    /// The same pairs where that estimate is over the job bound (tanh from K + M = 6):
    /// `ConditionalPairQuadrature.estimatedSeconds`, polynomial in K + M.
    ///
    /// A smooth non-polynomial student with a ReLU teacher at M ≥ 2 or a sign teacher
    /// (`KinkedTeacherQuadrature`): its `estimatedSeconds`, a tensor rule with the teachers'
    /// levels first, split at their kinks (measured, docs/measurements.md "General pairs").
    ///
    /// A ReLU student with a polynomial teacher (ODERightHandSide+ReLUPolynomial): the ReLU cost
    /// plus its exact averages at `StepPolynomialMoments.estimatedSeconds`.
    ///
    /// Every other pair (the quadrature path, ODERightHandSide+General): K·D two-field averages
    /// for I3, K(K+1)/2 for J2 and one four-field `NestedGaussian` per student pair and field
    /// pair, at `NestedGaussian.estimatedSeconds`.
    public static func rightHandSideCost(K: Int, M: Int, activation: Activation, teacher: Activation) -> Double {
        if ODERightHandSide.usesConditionalQuadrature(student: activation, teacher: teacher, K: K, M: M) {
            return ConditionalPairQuadrature.estimatedSeconds(K: K, M: M, student: activation, teacher: teacher)
        }
        if ODERightHandSide.usesJointQuadrature(student: activation, teacher: teacher, M: M) {
            return JointGaussianQuadrature.estimatedSeconds(K: K, M: M, student: activation, teacher: teacher)
        }
        if ODERightHandSide.usesKinkedTeacherQuadrature(student: activation, teacher: teacher, M: M) {
            return KinkedTeacherQuadrature.estimatedSeconds(K: K, M: M, student: activation, teacher: teacher)
        }
        if ODERightHandSide.usesReLUPolynomialPath(student: activation, teacher: teacher) {
            // The ReLU/ReLU terms (tables, student–student I4) and per student pair one exact
            // average per (student, teacher) and (teacher, teacher) field pair, and two per
            // (unit, teacher field) for I3.
            let pairs = Double(K * (K + 1) / 2), kM = Double(K * M)
            let averages = pairs * kM + pairs * Double(M * (M + 1) / 2) + 2 * kM
            let degree = (teacher.declaration.polynomial?.count ?? 1) - 1
            return rightHandSideCost(K: K, M: M, activation: .relu) + averages * StepPolynomialMoments.estimatedSeconds(degree: degree)
        }
        if ODERightHandSide.usesQuadraturePath(student: activation, teacher: teacher) {
            let D = K + M
            let pairs = Double(K * (K + 1) / 2), fieldPairs = Double(D * (D + 1) / 2)
            let cost = NestedGaussian.estimatedSeconds(student: activation, teacher: teacher)
            // A ReLU student's I4 with two student fields is ReLUMoments' (≈ 1 µs), not quadrature.
            let studentFieldPairs = activation == .relu ? Double(K * (K + 1) / 2) : 0
            return pairs * (fieldPairs - studentFieldPairs) * cost.fourFields + pairs * studentFieldPairs * 1e-6
                + (2 * Double(K * D) + pairs) * cost.twoFields + Double(K * D) * PairAverage.estimatedSeconds(activation, teacher)
        }
        guard teacher != activation else { return rightHandSideCost(K: K, M: M, activation: activation) }
        let studentPairs = Double(activation == .erf ? K * (K + 1) / 2 : 1)
        let own = rightHandSideCost(K: K, M: M, activation: activation)
        let teacherPairs = Double(M * (M + 1) / 2), crossPairs = Double(K * M)
        // The erf student's pair averages with a strip teacher (tanh, sigmoid, softplus) go to
        // `StripTrapezoid` (ODERightHandSide+AnyTeacher), every other one to `PairAverage.value`.
        func pairCost(_ a: Activation, _ b: Activation) -> Double {
            activation == .erf && StripTrapezoid.applies(a, b) ? StripTrapezoid.estimatedSeconds : PairAverage.estimatedSeconds(a, b)
        }
        let perPair = teacherPairs * pairCost(teacher, teacher) + crossPairs * pairCost(activation, teacher)
        // I3's regression slopes and I2: K·M one-dimensional averages.
        return own + studentPairs * perPair + 2 * Double(K * M) * PairAverage.estimatedSeconds(.linear, teacher)
    }

    public static func rightHandSideCost(K: Int, M: Int, activation: Activation) -> Double {
        let D = K + M
        let pairs = Double(K * (K + 1) / 2), fieldPairs = Double(D * (D + 1) / 2)
        let microseconds: Double
        switch activation {
        case .linear:
            microseconds = 0.043 + 0.0023 * Double(D * D)
        case .erf:
            microseconds = 0.13 + 0.0024 * pairs * fieldPairs + 0.0038 * Double(K * D * D)
        case .relu:
            if D > ReLUTables.maximumTableFields {
                microseconds = 0.30 + 3 * pairs * fieldPairs
            } else {
                // Sets of four fields with s ≥ 2 students: C(K, s)·C(M, 4 − s).
                var sets = 0.0
                for s in 2...4 { sets += binomial(K, s) * binomial(M, 4 - s) }
                microseconds = 0.30 + 0.013 * pairs * fieldPairs + 1.0 * sets
            }
        default:
            // No ODEs with this student and the same teacher (`ODEParameters.supports`): such a
            // job is rejected before its cost matters; the erf figure keeps the number finite.
            return rightHandSideCost(K: K, M: M, activation: .erf)
        }
        return microseconds * 1e-6
    }

    private static func binomial(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return 0 }
        var result = 1.0
        for i in 0..<k { result = result * Double(n - i) / Double(i + 1) }
        return result
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
