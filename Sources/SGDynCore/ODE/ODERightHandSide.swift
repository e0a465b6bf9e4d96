/// The right-hand side of the ODEs of science.md §5 on the flat state of `ODEStateLayout`:
/// dQ/dt, dR/dt and (when trained) dv/dt, with mini-batch factor 1/B on the η² and σ² terms,
/// weight decay κ and second-layer rate η_v.
///
/// Work per evaluation, with D = K + M fields and u = (−v, v*): I3 is linear in its middle
/// argument, so S3(i, b) = Σ_c u_c I3(i, b, c) costs K·D pair coefficients and K·D² products;
/// I4 is evaluated once per student pair i ≤ k and field pair c ≤ d, and for erf everything that
/// depends on (i, k) or (i, k, c) alone (Λ4, adj·(C_ic, C_kc), 1/√Λ1) is computed once and reused.
struct ODERightHandSide {
    let layout: ODEStateLayout
    let activation: Activation
    let teacherActivation: Activation
    let learningRate: Double
    let secondLayerLearningRate: Double
    /// η²/B and σ².
    let secondOrderRate: Double
    let noiseVariance: Double
    let weightDecay: Double
    /// v when it is not trained.
    let fixedSecondLayer: [Double]
    /// Measurement only (tests, `sgdyn bench --ode`): ReLU I4 by the general method with a far
    /// finer orthant rule, to tell the integrals' share of the ODE's error from the integrator's.
    let referenceIntegrals: Bool
    private let workspace: ODEWorkspace
    let w: ODEWorkspace.View
    /// The joint quadrature of a smooth non-polynomial student with a smooth teacher, or a ReLU teacher at M = 1 (nil for
    /// every other pair, whose kernels and dispatch are unchanged).
    let joint: JointGaussianQuadrature?
    /// The same pairs at sizes where the joint rule would be refused (`ConditionalPairQuadrature`).
    let conditional: ConditionalPairQuadrature?
    /// The teachers-first tensor rule of a smooth non-polynomial student with a kinked teacher
    /// that `joint` does not take (ReLU at M ≥ 2, sign); nil for every other pair.
    let kinked: KinkedTeacherQuadrature?
    /// A ReLU student with a polynomial teacher: the memory of `reluPolynomialTerms`.
    private let reluPolynomialWorkspace: ReLUPolynomialWorkspace?
    let reluPolynomial: ReLUPolynomialWorkspace.View?

    init(parameters p: ODEParameters, fixed: OrderParameters, referenceIntegrals: Bool = false) {
        let K = fixed.K, M = fixed.M
        self.referenceIntegrals = referenceIntegrals
        layout = ODEStateLayout(K: K, M: M, trainSecondLayer: p.trainSecondLayer)
        activation = p.activation
        teacherActivation = p.teacherActivation
        learningRate = p.learningRate
        secondLayerLearningRate = p.secondLayerLearningRate
        secondOrderRate = p.learningRate * p.learningRate / Double(p.batchSize)
        noiseVariance = p.noise * p.noise
        weightDecay = p.weightDecay
        fixedSecondLayer = fixed.v
        workspace = ODEWorkspace(K: K, M: M, activation: p.activation)
        w = workspace.view
        let conditionalPath = ODERightHandSide.usesConditionalQuadrature(student: p.activation, teacher: p.teacherActivation, K: K, M: M)
        conditional = conditionalPath ? ConditionalPairQuadrature(K: K, M: M, student: p.activation, teacher: p.teacherActivation) : nil
        joint = !conditionalPath && ODERightHandSide.usesJointQuadrature(student: p.activation, teacher: p.teacherActivation, M: M)
            ? JointGaussianQuadrature(K: K, M: M, student: p.activation, teacher: p.teacherActivation) : nil
        kinked = ODERightHandSide.usesKinkedTeacherQuadrature(student: p.activation, teacher: p.teacherActivation, M: M)
            ? KinkedTeacherQuadrature(K: K, M: M, student: p.activation, teacher: p.teacherActivation) : nil
        reluPolynomialWorkspace = ODERightHandSide.usesReLUPolynomialPath(student: p.activation, teacher: p.teacherActivation)
            ? ReLUPolynomialWorkspace(teacher: p.teacherActivation) : nil
        reluPolynomial = reluPolynomialWorkspace?.view
        let D = K + M
        for n in 0..<M {
            for m in 0..<M { w.C[(K + n) * D + K + m] = fixed.t(n, m) }
            w.u[K + n] = fixed.vstar[n]
            w.onePlusDiagonal[K + n] = 1 + fixed.t(n, n)
        }
        for i in 0..<K { w.u[i] = -fixed.v[i] }
    }

    /// Whether the last `evaluate` took a quadrature at its cap on the work; clears the mark.
    func takeUnderResolved() -> Bool {
        var any = false
        if let joint, joint.underResolved { joint.underResolved = false; any = true }
        if let conditional, conditional.underResolved { conditional.underResolved = false; any = true }
        if let kinked, kinked.underResolved { kinked.underResolved = false; any = true }
        return any
    }

    /// dy = f(y). Allocates nothing.
    func evaluate(_ y: UnsafePointer<Double>, _ dy: UnsafeMutablePointer<Double>) {
        let w = self.w, layout = self.layout
        let K = w.K, M = w.M, D = w.D
        let C = w.C, u = w.u
        let rOffset = K * (K + 1) / 2, vOffset = rOffset + K * M
        var p = 0  // Q_ik's index: the triangle is stored in this loop order
        for i in 0..<K {
            for k in i..<K {
                let q = y[p]
                C[i * D + k] = q
                C[k * D + i] = q
                p += 1
            }
            for n in 0..<M {
                let r = y[rOffset + i * M + n]
                C[i * D + K + n] = r
                C[(K + n) * D + i] = r
            }
            w.onePlusDiagonal[i] = 1 + C[i * D + i]
            if layout.trainSecondLayer { u[i] = -y[vOffset + i] }
        }
        let train = layout.trainSecondLayer
        switch (activation, teacherActivation) {
        case (.erf, .erf): ODERightHandSide.erfTerms(w, secondLayer: train)
        case (.relu, .relu): ODERightHandSide.reluTerms(w, secondLayer: train, reference: referenceIntegrals)
        case (.linear, .linear): ODERightHandSide.linearTerms(w, secondLayer: train)
        case (.erf, _): ODERightHandSide.erfStudentTerms(w, teacher: teacherActivation, secondLayer: train)
        case (.linear, _): ODERightHandSide.linearStudentTerms(w, teacher: teacherActivation, secondLayer: train)
        case (.relu, _) where reluPolynomial != nil:
            ODERightHandSide.reluPolynomialTerms(w, reluPolynomial.unsafelyUnwrapped, secondLayer: train)
        default:
            if let conditional {
                conditional.evaluate(w, secondLayer: train)
            } else if let joint {
                joint.evaluate(w, secondLayer: train)
            } else if let kinked {
                kinked.evaluate(w, secondLayer: train)
            } else {
                ODERightHandSide.generalTerms(w, student: activation, teacher: teacherActivation, secondLayer: train)
            }
        }

        let eta = learningRate, etaSquared = secondOrderRate, sigma2 = noiseVariance, kappa = weightDecay
        p = 0
        for i in 0..<K {
            let vi = -u[i]
            for k in i..<K {
                let vk = -u[k]
                let firstOrder = eta * (vi * w.s3[i * D + k] + vk * w.s3[k * D + i])
                let secondOrder = etaSquared * vi * vk * (w.s4[p] + sigma2 * w.j2[p])
                dy[p] = firstOrder + secondOrder - 2 * kappa * y[p]
                p += 1
            }
            for n in 0..<M {
                let index = rOffset + i * M + n
                dy[index] = eta * vi * w.s3[i * D + K + n] - kappa * y[index]
            }
            if train {
                let index = vOffset + i
                dy[index] = secondLayerLearningRate * w.s2[i] - kappa * y[index]
            }
        }
    }

    /// Whether the pair's terms come from the quadrature path (`generalTerms`) rather than a
    /// closed-form kernel (the dispatch in `evaluate`).
    static func usesQuadraturePath(student: Activation, teacher: Activation) -> Bool {
        if usesReLUPolynomialPath(student: student, teacher: teacher) { return false }
        switch (student, teacher) {
        case (.erf, .erf), (.relu, .relu), (.linear, .linear), (.erf, _), (.linear, _): return false
        default: return true
        }
    }

    /// Whether the pair's terms come from `JointGaussianQuadrature` (a smooth non-polynomial
    /// student with a smooth teacher, or with a ReLU teacher when M = 1, on the
    /// quadrature path).
    static func usesJointQuadrature(student: Activation, teacher: Activation, M: Int) -> Bool {
        usesQuadraturePath(student: student, teacher: teacher) && JointGaussianQuadrature.applies(student: student, teacher: teacher, M: M)
    }

    /// Whether the pair's terms come from `ConditionalPairQuadrature`: a smooth non-polynomial
    /// student with a smooth teacher at a size where the joint rule's cost is over the job bound.
    static func usesConditionalQuadrature(student: Activation, teacher: Activation, K: Int, M: Int) -> Bool {
        usesQuadraturePath(student: student, teacher: teacher)
            && ConditionalPairQuadrature.preferred(K: K, M: M, student: student, teacher: teacher)
    }

    /// Whether the pair's terms come from `KinkedTeacherQuadrature` (a smooth non-polynomial
    /// student with a ReLU teacher at M ≥ 2 or a sign teacher, on the quadrature path).
    static func usesKinkedTeacherQuadrature(student: Activation, teacher: Activation, M: Int) -> Bool {
        usesQuadraturePath(student: student, teacher: teacher) && KinkedTeacherQuadrature.applies(student: student, teacher: teacher, M: M)
    }

    /// u_c u_d, doubled for c < d, in the order c ≤ d row by row.
    @inline(__always)
    static func fillPairWeights(_ w: ODEWorkspace.View) {
        var index = 0
        for c in 0..<w.D {
            w.pairWeights[index] = w.u[c] * w.u[c]
            index += 1
            for d in (c + 1)..<w.D {
                w.pairWeights[index] = 2 * w.u[c] * w.u[d]
                index += 1
            }
        }
    }

    /// S3(i, b) = C_ib·Σ_c u_c X(i,c) + Σ_c C_bc·u_c Y(i,c), given x_i = Σ_c u_c X(i,c) and
    /// `weighted` = u_c Y(i,c).
    @inline(__always)
    static func contractI3(_ w: ODEWorkspace.View, unit i: Int, x: Double) {
        let D = w.D, C = w.C
        for b in 0..<D {
            var sum = C[i * D + b] * x
            let row = C + b * D
            for c in 0..<D { sum += row[c] * w.weighted[c] }
            w.s3[i * D + b] = sum
        }
    }
}
