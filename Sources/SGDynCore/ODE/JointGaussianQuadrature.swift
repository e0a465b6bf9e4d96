import RealModule

/// All the Gaussian averages of one right-hand side for a smooth non-polynomial student (tanh,
/// sigmoid, softplus, GELU) with a smooth teacher (or a ReLU teacher when M = 1, see below), by ONE tensor quadrature over the joint
/// Gaussian of the D = K + M fields (docs/numerics.md "General pairs: smooth students").
///
/// Every term the ODEs need is an expectation over the same Gaussian vector x = (λ, ν):
/// with Δ = Σ_c u_c g_c(x_c),
///   S3(i, b) = Σ_c u_c I3(i, b, c) = E[g'(λ_i) x_b Δ],
///   S4(i, k) = Σ_cd u_c u_d I4(i, k, c, d) = E[g'(λ_i) g'(λ_k) Δ²],
///   J2(i, k) = E[g'(λ_i) g'(λ_k)],   S2(i) = E[g(λ_i) Δ],
/// so one set of nodes serves them all (no per-I4 integrals).
///
/// - x = L·z, L the Cholesky factor of C with the student fields first; a pivot whose residual
///   variance is ≤ 1e-14·C_ff adds no level (as in `NestedGaussian`).
/// - Each level integrates z_j ~ N(0, 1) by the truncated trapezoidal rule z = q·h, |z| ≤ 8,
///   weights φ(z_q) normalised to sum 1. For an integrand analytic in the strip |Im z| < τ the
///   error is ≈ e^{τ²/2 − 2πτ/h} (the Gaussian grows by e^{τ²/2} off the axis); for a field
///   with coefficient c at this level, τ = 0.9·d/c (d the half-width of the activation's strip:
///   tanh π/2, sigmoid and softplus π), and h = 2πτ/(30 + τ²/2) targets e^{−30} ≈ 1e-13.
///   erf and GELU are entire but grow like e^{c²y²/2} off the axis (a product of n such factors
///   of one field like e^{n c² y²/2}): h = π√2/√(30·(1 + n c²)). Polynomials: h ≤ 0.5 (the
///   rule's error on φ·polynomial is ≈ e^{−2π²/h²}). The trapezoidal rule, not Gauss–Hermite:
///   measured on sech²·tanh² at scale 1, 57 trapezoid nodes reach 4e-12 where Gauss–Hermite
///   needs ≈ 100 (its error ≈ e^{−(π/σ)√(2n)} falls like e^{−√n}).
/// - The nodes are kept in the ball |z| ≤ 8 (the Gaussian mass outside is ≤ 4e-13 for D = 4)
///   rather than the cube: a third of the cube's nodes in four dimensions.
/// - The last level, when only one field (a teacher field, the usual case) varies there, is
///   reduced to three one-dimensional moments of that field's activation, Σ w g, Σ w g², Σ w z g,
///   from which E[Δ], E[Δ²] and E[x_b Δ] follow; otherwise every node is accumulated.
///
/// - A ReLU teacher with M = 1 (`closedFormLast`): the one teacher field is the last
///   level, and its three moments are Gaussian expectations in closed form over z ~ N(0, 1)
///   with x = m + c·z (c > 0 the teacher's pivot, Φ and φ the normal CDF and density at m/c):
///   E[g] = mΦ + cφ, E[g²] = (m² + c²)Φ + mcφ, E[z g] = cΦ. The kink
///   never meets a trapezoid. On the earlier (student) levels the prefix's integrand then holds
///   Φ(m/c) and φ(m/c), entire in the level's z and growing off the axis like e^{a²y²/2} with
///   a = L_tj/c: the level's step is the erf rule's at coefficient a (two factors), so a teacher
///   nearly in the span of the students (c ≪ L_tj) takes the node cap and is less accurate.
///   An exactly dependent teacher (no pivot of its own) is summed node by node, the kink inside.
///   A sign teacher is NOT taken this way: its Φ(m/c) becomes a step across the student levels
///   as a student unit aligns with it (c → 0, where learning goes), and the rule's error grew to
///   3.4e-4 at 1 − 1e-4 correlation and 1.8e-2 at 1 (docs/numerics.md); ReLU's Φ enters only
///   multiplied by m or c and stays ≤ 7e-13 there.
///
/// - Both activations odd (tanh/tanh, tanh/erf, …): every integrand is even under z → −z, so
///   the first level takes its half z ≥ 0 (z > 0 counted twice): half the work.
///
/// - With D ≥ 3 the last level's three moments depend on the prefix only through its field's mean m (its
///   coefficient at the last level is fixed per right-hand side): `tabulate` sums them once per
///   right-hand side on a grid of m (δ = 0.02, degree-7 local interpolation, ≤ 2.2e-13 measured
///   for tanh, the narrowest strip), and `penultimate` reads them per node of the second-to-last
///   level, summing E[Δ], E[Δ²] and E[x_b Δ] over that level before accumulating when no
///   student varies there.
///
/// Cost: with n nodes per level, about V_{D−1}/2^{D−1}·n^(D−1) nodes of the second-to-last level
/// (a ball) at ≈ 10 ns each (a table read and a few sums), plus the table (≈ 800 last-level
/// sums); n ≈ 71 for tanh fields of variance 1, 35 for sigmoid (`estimatedSeconds`).
/// No randomness: the adaptive integrator needs a deterministic right-hand side.
final class JointGaussianQuadrature {
    let K: Int, M: Int, D: Int
    let student: Activation, teacher: Activation
    /// The truncation radius of the ball of nodes.
    static let radius = 8.0
    /// The most nodes one level may take (a field of scale ≈ 7 for tanh): a cap on the work.
    static let maxLevelPoints = 241
    /// Set when a level's step was raised to the cap's (the error model asked for more nodes);
    /// `ODERightHandSide.takeUnderResolved` reads and clears it.
    var underResolved = false
    /// Both activations odd (tanh, erf, linear, odd polynomials): half the first level.
    let oddPair: Bool
    /// Scales every step down (tests' reference: a finer rule).
    let refine: Double
    /// −ln of the error each level's step aims at (30: ≈ 1e-13).
    let exponent: Double

    // Scratch, allocated once: the hot loops read these pointers, never class properties.
    private let base: UnsafeMutablePointer<Double>
    let L: UnsafeMutablePointer<Double>  // L[f·D + j], j a level
    let means: UnsafeMutablePointer<Double>  // (D + 1)·D: field means before level j
    let values: UnsafeMutablePointer<Double>  // g_f(x_f) of the fixed fields
    let slopes: UnsafeMutablePointer<Double>  // g'(x_f) of the fixed student fields
    let fieldMoment: UnsafeMutablePointer<Double>  // E[x_b Δ | prefix], D
    let steps: UnsafeMutablePointer<Double>  // h_j per level
    let lastLevel: UnsafeMutablePointer<Int>  // last level where field f varies (−1: fixed at 0)
    let weights: UnsafeMutablePointer<Double>  // per level, maxLevelPoints normalised φ(q·h), q from −full
    /// g and g' of the fields fixed at a level, at every node of the level: [level][field][node].
    let nodeValues: UnsafeMutablePointer<Double>
    let nodeSlopes: UnsafeMutablePointer<Double>
    /// The last level's one varying teacher field (−1: none, every node is accumulated).
    var lastField = -1
    /// For a tanh or sigmoid teacher on that level: e^{scale·c·h} and e^{−scale·c·r·h} by
    /// reach r (the prefix's first node), so a prefix needs one exp.
    var lastRatio: Double?
    /// A ReLU teacher with M = 1: the last level's moments in closed form.
    let closedFormLast: Bool
    let lastOffsets: UnsafeMutablePointer<Double>

    /// The last level's three moments as functions of the prefix mean m (`tabulate`): grid
    /// spacing, stencil and the most intervals a table may take (beyond: the moments per prefix).
    /// 2¹² intervals (|m| ≤ 41, the mean's variance ≲ 26) keep the table ≤ 1 MB.
    static let tableStep = 0.02
    static let tableStencil = 8
    static let maxTableIntervals = 1 << 12
    /// Per interval k (m in [origin + k·δ, origin + (k + 1)·δ)), the degree-7 polynomial in
    /// t = (m − origin)/δ − k through the 8 grid values around it, as SIMD4 (s1, s2, sz, 0)
    /// coefficients of t⁰…t⁷.
    private(set) var table: UnsafeMutablePointer<SIMD4<Double>>
    private var tableGrid: UnsafeMutablePointer<SIMD4<Double>>
    private var tableCapacity = 0
    /// Whether the last `evaluate` reads the last level's moments from `table`.
    private(set) var tabulated = false
    private var tableOrigin = 0.0
    private(set) var tableIntervals = 0
    /// a = Σ_{f ≠ last} u_f g_f at each node of the second-to-last level.
    private let partial: UnsafeMutablePointer<Double>

    init(K: Int, M: Int, student: Activation, teacher: Activation, refine: Double = 1, exponent: Double = 27) {
        self.exponent = exponent
        oddPair = student.declaration.parity == .odd && teacher.declaration.parity == .odd
        self.K = K
        self.M = M
        D = K + M
        self.student = student
        self.teacher = teacher
        self.refine = refine
        closedFormLast = M == 1 && JointGaussianQuadrature.closedFormTeacher(teacher)
        let D = K + M
        let total = D * D + (D + 1) * D + 5 * D
        base = .allocate(capacity: total)
        base.initialize(repeating: 0, count: total)
        L = base
        means = L + D * D
        values = means + (D + 1) * D
        slopes = values + D
        fieldMoment = slopes + D
        steps = fieldMoment + D
        lastLevel = .allocate(capacity: D)
        lastLevel.initialize(repeating: -1, count: D)
        weights = .allocate(capacity: D * JointGaussianQuadrature.maxLevelPoints)
        weights.initialize(repeating: 0, count: D * JointGaussianQuadrature.maxLevelPoints)
        let nodeCount = D * D * JointGaussianQuadrature.maxLevelPoints
        nodeValues = .allocate(capacity: nodeCount)
        nodeValues.initialize(repeating: 0, count: nodeCount)
        nodeSlopes = .allocate(capacity: nodeCount)
        nodeSlopes.initialize(repeating: 0, count: nodeCount)
        lastOffsets = .allocate(capacity: JointGaussianQuadrature.maxLevelPoints)
        lastOffsets.initialize(repeating: 0, count: JointGaussianQuadrature.maxLevelPoints)
        partial = .allocate(capacity: JointGaussianQuadrature.maxLevelPoints)
        partial.initialize(repeating: 0, count: JointGaussianQuadrature.maxLevelPoints)
        table = .allocate(capacity: 1)
        tableGrid = .allocate(capacity: 1)
    }

    deinit {
        base.deallocate()
        lastLevel.deallocate()
        weights.deallocate()
        nodeValues.deallocate()
        nodeSlopes.deallocate()
        lastOffsets.deallocate()
        partial.deallocate()
        table.deallocate()
        tableGrid.deallocate()
    }

    /// Whether a pair takes this method: a smooth student that is not a polynomial (erf and
    /// linear students have their own kernels) with a smooth teacher (no kink or step), or with
    /// a ReLU teacher when M = 1 (its field is the last level, in closed form). A kinked
    /// teacher field on an earlier level (M ≥ 2) would meet the trapezoid: refused.
    static func applies(student: Activation, teacher: Activation, M: Int) -> Bool {
        let s = student.declaration, t = teacher.declaration
        guard s.kink == .none, s.polynomial == nil, student != .erf else { return false }
        return t.kink == .none || (M == 1 && closedFormTeacher(teacher))
    }

    /// Teachers whose last-level moments have closed forms (`closedMoments`).
    static func closedFormTeacher(_ g: Activation) -> Bool { g == .relu }

    /// E[g(m + c z)], E[g(m + c z)²], E[z·g(m + c z)] for z ~ N(0, 1), c > 0, g ReLU:
    /// the last level's moments in the convention of `moments` (its rule sums are these
    /// expectations, up to the rule's error and the ball's ≤ 4e-13).
    @inline(__always)
    static func closedMoments(_ g: Activation, mean m: Double, coefficient c: Double) -> (Double, Double, Double) {
        let r = m / c
        let cdf = 0.5 * Double.erfc(-r / 2.0.squareRoot())
        // r·φ(r) → 0 as |r| → ∞; guard the product m·c·φ from 0·∞ when c is tiny.
        let density = abs(r) > 40 ? 0 : Double.exp(-r * r / 2) / (2 * Double.pi).squareRoot()
        return (m * cdf + c * density, (m * m + c * c) * cdf + m * c * density, c * cdf)
    }

    /// The trapezoid step for a factor of activation g whose field has coefficient c at a level;
    /// `factors` is how many factors of that field the integrand can hold.
    /// `poleOrder`: the largest order of a pole of the integrand at this level (6 in general;
    /// 2 on a last level where one teacher field alone varies: g², z·g).
    static func step(_ g: Activation, coefficient c: Double, factors: Double, exponent: Double = 27,
                     poleOrder: Double = 6) -> Double {
        let widest = 0.5
        guard c > 0 else { return widest }
        switch g {
        case .tanh, .sigmoid, .softplus:
            // Poles at distance d (x units) from the axis; up to six factors of nearly one field
            // (g'g'gg of two nearly parallel students) make a pole of order 6. On the line
            // Im z = (1 − δ)·d/c the integrand is ≲ e^{τ²/2}·(δd)^−6: the error bound
            // e^{τ²/2 − 2πτ/h}·(δd)^−6 with τ = (1 − δ)d/c, the best δ of a few.
            let d = g == .tanh ? Double.pi / 2 : Double.pi
            var best = 0.0
            for delta in [0.1, 0.15, 0.2, 0.3, 0.4, 0.5] {
                // Beyond τ ≈ 8 the Gaussian's growth e^{τ²/2} outweighs the gain: a field that
                // barely varies at this level must not shrink the step.
                let tau = min((1 - delta) * d / c, 8)
                let penalty = max(0, poleOrder * Double.log(1 / (delta * d)))
                best = max(best, 2 * Double.pi * tau / (exponent + tau * tau / 2 + penalty))
            }
            return min(widest, best)
        case .erf, .gelu:
            return min(widest, Double.pi * 2.0.squareRoot() / (exponent * (1 + factors * c * c)).squareRoot())
        default:
            return widest
        }
    }

    /// Rough seconds of one right-hand side on one core (release), for the cost bound
    /// (`ODEResources.rightHandSideCost`): every field of variance 1 and uncorrelated (the
    /// drawn start, T = I), so level j has 2·⌊8/h⌋ + 1 nodes with h the step of its own field's
    /// activation at coefficient 1 (tanh 0.23 → 71 nodes, sigmoid and softplus 0.46 → 35, GELU
    /// 0.38 → 43, erf 0.49, polynomials 0.5 → 33), the ball keeping the fraction
    /// V_d/2^d of the cube; halved for an odd pair (the symmetric first level).
    ///
    /// D ≥ 3 (the last level tabulated, `tabulate`): per node of the second-to-last level ≈ 10 ns
    /// for a tanh or sigmoid field there (the progression; 25 ns for others, one libm call),
    /// plus 10 ns + 1 ns·(K·D + K²) when that level is a student's (M = 1: every node
    /// accumulated); per prefix before it 10 ns + 1 ns·(K·D + K²); the table ≈ 800 grid points
    /// (|m| ≤ 8 at unit variance) × (a last-level sum + 32 ns). Measured (`sgdyn bench
    /// --ode-pairs`, docs/measurements.md "General pairs"): tanh/tanh K = M = 2 0.89 ms per
    /// right-hand side at the start (this estimate: 1.1 ms; 7.7 ms before the table).
    /// D = 2: per last-level node ≈ 2 ns for a tanh or sigmoid teacher, 15 ns for others; per
    /// prefix 10 ns + 1 ns·(K·D + K²).
    /// The cost grows with the fields' scale (nodes ∝ √variance per level for tanh), so a run
    /// whose Q grows well beyond 1 is slower than estimated.
    ///
    /// A ReLU teacher at M = 1 (closed-form last level): ⌈ball over the K student
    /// levels⌉ prefixes at ≈ 40 ns each (one erfc and one exp) plus 10 ns + 1 ns·(K·D + K²).
    static func estimatedSeconds(K: Int, M: Int, student: Activation, teacher: Activation) -> Double {
        let D = K + M
        func nodes(_ g: Activation) -> Double {
            let h = step(g, coefficient: 1, factors: 4)
            return Double(2 * Int(radius / h) + 1)
        }
        func ballFraction(_ d: Int) -> Double {
            // V_d / 2^d = π^{d/2} / (Γ(d/2 + 1)·2^d).
            Double.pow(Double.pi, Double(d) / 2) / (Double.exp(Double.logGamma(Double(d) / 2 + 1)) * Double.pow(2, Double(d)))
        }
        let half = student.declaration.parity == .odd && teacher.declaration.parity == .odd ? 0.5 : 1
        let perPrefix = 10e-9 + 1e-9 * Double(K * D + K * K)
        if M == 1, closedFormTeacher(teacher) {
            var cube = 1.0
            for _ in 0..<K { cube *= nodes(student) }
            return half * cube * ballFraction(K) * (50e-9 + 1e-9 * Double(K * D + K * K))
        }
        func activation(_ f: Int) -> Activation { f < K ? student : teacher }
        let progression: (Activation) -> Bool = { $0 == .tanh || $0 == .sigmoid }
        let last = nodes(M > 0 ? teacher : student)
        if D >= 3 {
            var outer = 1.0
            for f in 0..<(D - 2) { outer *= nodes(activation(f)) }
            let penultimate = outer * nodes(activation(D - 2)) * ballFraction(D - 1)
            var perNode = progression(activation(D - 2)) ? 10e-9 : 25e-9
            if D - 2 < K { perNode += perPrefix }
            let table = 800 * (last * (progression(teacher) ? 2e-9 : 15e-9) + 32e-9)
            return half * (penultimate * perNode + outer * ballFraction(D - 2) * perPrefix) + table
        }
        var cube = 1.0
        for f in 0..<(D - 1) { cube *= nodes(activation(f)) }
        let prefixes = cube * ballFraction(D - 1)
        let leaves = cube * last * ballFraction(D)
        let perLeaf = progression(teacher) ? 2e-9 : 15e-9
        return half * (leaves * perLeaf + prefixes * perPrefix)
    }

    /// Levels (the rank of C) and the number of nodes per level for C = w.C (for the cost
    /// model's measurements and the tests).
    func prepare(_ C: UnsafePointer<Double>) -> Int {
        let D = self.D, L = self.L
        for index in 0..<(D * D) { L[index] = 0 }
        var pivots: [Int] = []
        pivots.reserveCapacity(D)
        PivotedCholesky.factor(C, n: D, order: 0..<D, into: L, pivots: &pivots)
        let rank = pivots.count
        for f in 0..<D {
            lastLevel[f] = -1
            for j in 0..<rank where L[f * D + j] != 0 { lastLevel[f] = j }
        }
        lastField = -1
        if rank > 0, let f = singleVaryingField(level: rank - 1), f >= K { lastField = f }
        for j in 0..<rank {
            var h = 0.5
            // The step the fields' own scale asks for (not the closed form's ratio c/s, which
            // a teacher nearly in the students' span makes large: that case's accuracy is
            // measured apart, docs/numerics.md); only this one marks the level under-resolved.
            var scaleStep = h
            let order: Double = j == rank - 1 && lastField >= 0 ? 2 : 6
            for f in 0..<D {
                let c = abs(L[f * D + j])
                guard c > 0 else { continue }
                if closedFormLast, f == lastField {
                    // The closed form's Φ(m/s), φ(m/s) (s the teacher's own coefficient): an
                    // erf-like factor at coefficient c/s on the levels before the last.
                    if j < rank - 1 {
                        let a = c / L[f * D + rank - 1]
                        h = min(h, Double.pi * 2.0.squareRoot() / (exponent * (1 + 2 * a * a)).squareRoot())
                    }
                    continue
                }
                let g = f < K ? student : teacher
                let fieldStep = JointGaussianQuadrature.step(g, coefficient: c, factors: f < K ? 4 : 2, exponent: exponent,
                                                             poleOrder: order)
                h = min(h, fieldStep)
                scaleStep = min(scaleStep, fieldStep)
            }
            h /= refine
            let minimum = 2 * JointGaussianQuadrature.radius / Double(JointGaussianQuadrature.maxLevelPoints - 1)
            if scaleStep / refine < minimum { underResolved = true }
            steps[j] = max(h, minimum)
            // The rule's weights, normalised over the full level (the ball only drops nodes of
            // tiny weight).
            let full = Int(JointGaussianQuadrature.radius / steps[j])
            let row = weights + j * JointGaussianQuadrature.maxLevelPoints
            var norm = 0.0
            for q in -full...full { let z = Double(q) * steps[j]; norm += Double.exp(-z * z / 2) }
            for q in -full...full { let z = Double(q) * steps[j]; row[q + full] = Double.exp(-z * z / 2) / norm }
        }
        lastRatio = nil
        let scale: Double = teacher == .tanh ? 2 : teacher == .sigmoid ? -1 : 0
        if lastField >= 0, scale != 0 {
            let j = rank - 1, c = L[lastField * D + j], h = steps[j]
            let full = Int(JointGaussianQuadrature.radius / h)
            // Beyond e^{±600} the products could overflow: those take three exps per prefix.
            if abs(c) * Double(full) * h < 300 {
                lastRatio = Double.exp(scale * c * h)
                for r in 0...full { lastOffsets[r] = Double.exp(-scale * c * Double(r) * h) }
            }
        }
        return rank
    }

    /// Nodes per level of the last `prepare`.
    func points(level j: Int) -> Int { 2 * Int(JointGaussianQuadrature.radius / steps[j]) + 1 }

    /// Fills w.s3, w.s4, w.j2 and (when `secondLayer`) w.s2.
    func evaluate(_ w: ODEWorkspace.View, secondLayer: Bool) {
        let D = self.D
        guard w.startTerms() else { return }
        let rank = prepare(w.C)
        tabulated = rank >= 2 && lastField >= 0 && !closedFormLast && tabulate(rank: rank)
        for f in 0..<D {
            means[f] = 0
            if lastLevel[f] < 0 { fix(f, at: 0) }
        }
        level(0, rank: rank, weight: 1, radiusSquared: 0, w)
    }

    /// g and g' of field f at x (the fields fixed from here on).
    @inline(__always)
    private func fix(_ f: Int, at x: Double) {
        if f < K {
            values[f] = student.value(x)
            slopes[f] = student.derivative(x)
        } else {
            values[f] = teacher.value(x)
        }
    }

    /// The sum over level j's nodes (and the levels after it).
    private func level(_ j: Int, rank: Int, weight: Double, radiusSquared: Double, _ w: ODEWorkspace.View) {
        let D = self.D, K = self.K
        if j == rank {
            // Every field fixed (rank 0, or the last level's nodes one at a time).
            var delta = 0.0
            for c in 0..<D { delta += w.u[c] * values[c] }
            let current = means + j * D
            for b in 0..<D { fieldMoment[b] = current[b] * delta }
            accumulate(weight: weight, first: delta, second: delta * delta, w)
            return
        }
        if j == rank - 2, tabulated {
            penultimate(j, rank: rank, weight: weight, radiusSquared: radiusSquared, w)
            return
        }
        let h = steps[j]
        let current = means + j * D, next = current + D
        let radius = JointGaussianQuadrature.radius
        let full = Int(radius / h)
        let rule = weights + j * JointGaussianQuadrature.maxLevelPoints + full
        let room = max(0, radius * radius - radiusSquared)
        let reach = min(full, Int(room.squareRoot() / h))
        let lowest = -Double(reach) * h, count = 2 * reach + 1
        if j == rank - 1, lastField >= 0 {
            // Only teacher field `last` varies here: its three moments.
            let last = lastField
            let c = L[last * D + j], m = current[last]
            let (s1, s2, sz) = closedFormLast
                ? JointGaussianQuadrature.closedMoments(teacher, mean: m, coefficient: c)
                : JointGaussianQuadrature.moments(teacher, mean: m, coefficient: c, lowest: lowest, step: h,
                                                                count: count, weights: rule - reach,
                                                                scratch: nodeValues + (j * D + last) * JointGaussianQuadrature.maxLevelPoints,
                                                                ratio: lastRatio, offset: lastRatio.map { _ in lastOffsets[reach] })
            var a = 0.0
            for f in 0..<D where f != last { a += w.u[f] * values[f] }
            let ul = w.u[last]
            let firstMoment = a + ul * s1
            let second = a * a + 2 * a * ul * s1 + ul * ul * s2
            for b in 0..<D { fieldMoment[b] = current[b] * firstMoment }
            fieldMoment[last] += c * ul * sz
            accumulate(weight: weight, first: firstMoment, second: second, w)
            return
        }
        // The fields fixed at this level: g (and g') at every node at once.
        for f in 0..<D where lastLevel[f] == j {
            let offset = (j * D + f) * JointGaussianQuadrature.maxLevelPoints
            JointGaussianQuadrature.fill(f < K ? student : teacher, mean: current[f], coefficient: L[f * D + j],
                                         lowest: lowest, step: h, count: count,
                                         values: nodeValues + offset, slopes: f < K ? nodeSlopes + offset : nil)
        }
        // Odd student and teacher: every integrand (g′g′Δ², g′x_bΔ, g′g′, gΔ) is even under
        // z → −z and the nodes are symmetric, so the first level's half z ≥ 0 suffices, z > 0
        // counted twice.
        let symmetric = j == 0 && oddPair
        for q in (symmetric ? reach : 0)..<count {
            let z = lowest + Double(q) * h
            let wq = symmetric && q > reach ? 2 * rule[q - reach] : rule[q - reach]
            for f in 0..<D {
                next[f] = current[f] + L[f * D + j] * z
                if lastLevel[f] == j {
                    let offset = (j * D + f) * JointGaussianQuadrature.maxLevelPoints + q
                    values[f] = nodeValues[offset]
                    if f < K { slopes[f] = nodeSlopes[offset] }
                }
            }
            level(j + 1, rank: rank, weight: weight * wq, radiusSquared: radiusSquared + z * z, w)
        }
    }

    /// The monomial coefficients of the 8 Lagrange polynomials through t = −3…4:
    /// `lagrange[p·8 + s]` is the t^p coefficient of the one that is 1 at t = s − 3.
    static let lagrange: [Double] = {
        let n = tableStencil
        var result = [Double](repeating: 0, count: n * n)
        for s in 0..<n {
            var poly = [1.0]
            var denominator = 1.0
            for i in 0..<n where i != s {
                // poly *= (t − (i − 3))
                let root = Double(i - 3)
                var next = [Double](repeating: 0, count: poly.count + 1)
                for (p, a) in poly.enumerated() {
                    next[p + 1] += a
                    next[p] -= root * a
                }
                poly = next
                denominator *= Double(s - i)
            }
            for p in 0..<n { result[p * n + s] = poly[p] / denominator }
        }
        return result
    }()

    /// Tabulates the last level's moments (s1, s2, sz)(m) = Σ_r w_r·(g, g², z_r·g)(m + c·z_r),
    /// over every node of the level |z_r| ≤ 8 (not only those in the ball: the ball drops
    /// ≤ 4e-13 of the mass), on the grid m = origin + i·δ, δ = 0.02, covering |m| ≤ 8·‖L_last,<j‖
    /// (every prefix in the ball), and turns each interval's 8-point stencil into a degree-7
    /// polynomial. The sums are analytic in m in the strip where g is (tanh: |Im m| < π/2, the
    /// narrowest of the smooth activations), so local interpolation converges fast: measured
    /// ≤ 2.2e-13 on tanh, tanh² at c → 0 (the worst case; `JointGaussianQuadratureTests`). A
    /// prefix then costs 8 SIMD multiply-adds instead of a sum over the level's ≈ 70 nodes.
    /// Returns false (moments per prefix) when the table would cost more than it saves — fewer
    /// second-to-last prefixes than 4 grid points each — or exceed `maxTableIntervals`.
    private func tabulate(rank: Int) -> Bool {
        let D = self.D, j = rank - 1, last = lastField
        var norm = 0.0
        for i in 0..<j { norm += L[last * D + i] * L[last * D + i] }
        let delta = JointGaussianQuadrature.tableStep
        let bound = 8 * norm.squareRoot() * (1 + 1e-12) + delta
        let intervals = Int((2 * bound / delta).rounded(.up)) + 1
        guard intervals <= JointGaussianQuadrature.maxTableIntervals else { return false }
        var prefixes = 1.0
        for i in 0..<j { prefixes *= Double(points(level: i)) }
        guard prefixes >= 4 * Double(intervals) else { return false }
        let n = JointGaussianQuadrature.tableStencil
        let gridCount = intervals + n - 1
        if tableCapacity < intervals {
            table.deallocate()
            tableGrid.deallocate()
            tableCapacity = max(intervals, 2 * tableCapacity)
            table = .allocate(capacity: tableCapacity * n)
            tableGrid = .allocate(capacity: tableCapacity + n)
        }
        let low = -bound - 3 * delta
        tableOrigin = -bound
        tableIntervals = intervals
        let c = L[last * D + j], h = steps[j]
        let full = Int(JointGaussianQuadrature.radius / h)
        let rule = weights + j * JointGaussianQuadrature.maxLevelPoints
        let scratch = nodeValues + (j * D + last) * JointGaussianQuadrature.maxLevelPoints
        let offset = lastRatio.map { _ in lastOffsets[full] }
        let grid = tableGrid
        for i in 0..<gridCount {
            let (s1, s2, sz) = JointGaussianQuadrature.moments(teacher, mean: low + Double(i) * delta, coefficient: c,
                                                               lowest: -Double(full) * h, step: h, count: 2 * full + 1,
                                                               weights: rule, scratch: scratch, ratio: lastRatio, offset: offset)
            grid[i] = SIMD4(s1, s2, sz, 0)
        }
        JointGaussianQuadrature.lagrange.withUnsafeBufferPointer { a in
            let table = self.table
            for k in 0..<intervals {
                for p in 0..<n {
                    var sum = SIMD4<Double>()
                    for s in 0..<n { sum += a[p * n + s] * grid[k + s] }
                    table[k * n + p] = sum
                }
            }
        }
        return true
    }

    /// Level j = rank − 2 with the last level tabulated: per node, a = Σ_{f ≠ last} u_f g_f and
    /// the last field's moments at its mean m (an arithmetic progression in the node). When no
    /// student is fixed at this level (the usual case: students come first), the factors of
    /// `accumulate` are the same at every node, so E[Δ], E[Δ²] and E[x_b Δ] are summed over the
    /// level first and accumulated once.
    private func penultimate(_ j: Int, rank: Int, weight: Double, radiusSquared: Double, _ w: ODEWorkspace.View) {
        let D = self.D, K = self.K
        let h = steps[j]
        let current = means + j * D, next = current + D
        let radius = JointGaussianQuadrature.radius
        let full = Int(radius / h)
        let rule = weights + j * JointGaussianQuadrature.maxLevelPoints + full
        let room = max(0, radius * radius - radiusSquared)
        let reach = min(full, Int(room.squareRoot() / h))
        let lowest = -Double(reach) * h, count = 2 * reach + 1
        let last = lastField
        let slope = L[last * D + j], c = L[last * D + rank - 1], m0 = current[last], ul = w.u[last]
        var a0 = 0.0
        var studentsHere = false
        for f in 0..<D where f != last {
            if lastLevel[f] == j {
                if f < K { studentsHere = true }
            } else {
                a0 += w.u[f] * values[f]
            }
        }
        let partial = self.partial
        for q in 0..<count { partial[q] = a0 }
        for f in 0..<D where f != last && lastLevel[f] == j {
            let offset = (j * D + f) * JointGaussianQuadrature.maxLevelPoints
            JointGaussianQuadrature.fill(f < K ? student : teacher, mean: current[f], coefficient: L[f * D + j],
                                         lowest: lowest, step: h, count: count,
                                         values: nodeValues + offset, slopes: f < K ? nodeSlopes + offset : nil)
            let uf = w.u[f], row = nodeValues + offset
            for q in 0..<count { partial[q] += uf * row[q] }
        }
        let symmetric = j == 0 && oddPair
        let table = self.table, origin = tableOrigin, inverse = 1 / JointGaussianQuadrature.tableStep
        let top = tableIntervals - 1, topValue = Double(tableIntervals - 1)
        /// (s1, s2, sz, ·) at node q.
        @inline(__always) func moments(_ z: Double) -> SIMD4<Double> {
            JointGaussianQuadrature.interpolate(table, position: (m0 + slope * z - origin) * inverse, top: top, topValue: topValue)
        }
        if studentsHere {
            // A student varies at this level: every node accumulated.
            for q in (symmetric ? reach : 0)..<count {
                let z = lowest + Double(q) * h
                let wq = symmetric && q > reach ? 2 * rule[q - reach] : rule[q - reach]
                let r = moments(z)
                let a = partial[q]
                let first = a + ul * r[0]
                let second = a * a + 2 * a * ul * r[0] + ul * ul * r[1]
                for f in 0..<D {
                    next[f] = current[f] + L[f * D + j] * z
                    if f != last, lastLevel[f] == j {
                        let offset = (j * D + f) * JointGaussianQuadrature.maxLevelPoints + q
                        values[f] = nodeValues[offset]
                        if f < K { slopes[f] = nodeSlopes[offset] }
                    }
                }
                for b in 0..<D { fieldMoment[b] = next[b] * first }
                fieldMoment[last] += c * ul * r[2]
                accumulate(weight: weight * wq, first: first, second: second, w)
            }
            return
        }
        // E[Δ] = Σ w (a + u s1), E[Δ²] = Σ w (a² + 2a·u s1 + u² s2), Σ w z Δ and Σ w sz, from
        // sums of the moments weighted by w, w·a and w·z (whole SIMD4 vectors, no lane picked).
        var plain = SIMD4<Double>(), byA = SIMD4<Double>(), byZ = SIMD4<Double>()
        var sumA = 0.0, sumAA = 0.0, sumZA = 0.0
        for q in (symmetric ? reach : 0)..<count {
            let z = lowest + Double(q) * h
            let wq = symmetric && q > reach ? 2 * rule[q - reach] : rule[q - reach]
            let r = moments(z)
            let a = partial[q], wa = wq * a
            plain += wq * r
            byA += wa * r
            byZ += (wq * z) * r
            sumA += wa
            sumAA += wa * a
            sumZA += wa * z
        }
        let f1 = sumA + ul * plain[0]
        let f2 = sumAA + 2 * ul * byA[0] + ul * ul * plain[1]
        let z1 = sumZA + ul * byZ[0]
        for b in 0..<D { fieldMoment[b] = current[b] * f1 + L[b * D + j] * z1 }
        fieldMoment[last] += c * ul * plain[2]
        accumulate(weight: weight, first: f1, second: f2, w)
    }

    /// The tabulated (s1, s2, sz, ·) at `position` = (m − origin)/δ: the interval's polynomial
    /// by Horner (a position outside the table, which no prefix in the ball reaches, is clamped).
    @inline(__always)
    static func interpolate(_ table: UnsafeMutablePointer<SIMD4<Double>>, position: Double, top: Int,
                            topValue: Double) -> SIMD4<Double> {
        let k = position >= 0 ? (position < topValue ? Int(position) : top) : 0
        let t = SIMD4<Double>(repeating: position - Double(k))
        let row = table + k * 8
        var r = row[7]
        r = r * t + row[6]
        r = r * t + row[5]
        r = r * t + row[4]
        r = r * t + row[3]
        r = r * t + row[2]
        r = r * t + row[1]
        return r * t + row[0]
    }

    /// Tests: the last `evaluate`'s tabulated moments at mean m (nil without a table), the range
    /// of m the table covers, and the same moments summed directly over the level's nodes.
    func tabulatedMoments(mean m: Double) -> SIMD4<Double>? {
        guard tabulated else { return nil }
        return JointGaussianQuadrature.interpolate(table, position: (m - tableOrigin) / JointGaussianQuadrature.tableStep,
                                                   top: tableIntervals - 1, topValue: Double(tableIntervals - 1))
    }

    var tabulatedRange: ClosedRange<Double> {
        tableOrigin...(tableOrigin + Double(tableIntervals) * JointGaussianQuadrature.tableStep)
    }

    func directMoments(mean m: Double, rank: Int) -> SIMD4<Double> {
        let j = rank - 1, h = steps[j], full = Int(JointGaussianQuadrature.radius / h)
        // Node by node (no exponential progression): an independent sum.
        var s1 = 0.0, s2 = 0.0, sz = 0.0
        for q in 0...(2 * full) {
            let z = Double(q - full) * h, g = teacher.value(m + L[lastField * D + j] * z)
            let wq = weights[j * JointGaussianQuadrature.maxLevelPoints + q]
            s1 += wq * g
            s2 += wq * g * g
            sz += wq * z * g
        }
        return SIMD4(s1, s2, sz, 0)
    }

    /// Σ_q w_q·(g, g², z_q·g)(x_q) at x_q = m + c·z_q, z_q = lowest + q·h, q < count: `fill` and
    /// the sums in one pass for tanh and sigmoid (SIMD accumulators), else through `scratch`.
    @inline(__always)
    /// `ratio` = e^{scale·c·h} and `offset` = e^{scale·c·lowest} when the caller has them (the
    /// last level's are the same for every prefix: one exp per prefix instead of three).
    static func moments(_ g: Activation, mean m: Double, coefficient c: Double, lowest: Double, step h: Double,
                        count: Int, weights: UnsafePointer<Double>, scratch: UnsafeMutablePointer<Double>,
                        ratio known: Double? = nil, offset: Double? = nil) -> (Double, Double, Double) {
        let scale: Double = g == .tanh ? 2 : g == .sigmoid ? -1 : 0
        let extreme = abs(m) + abs(c) * max(abs(lowest), abs(lowest + Double(count) * h))
        guard scale != 0, extreme < 300 else {
            fill(g, mean: m, coefficient: c, lowest: lowest, step: h, count: count, values: scratch, slopes: nil)
            var s1 = 0.0, s2 = 0.0, sz = 0.0
            for q in 0..<count {
                let wv = weights[q] * scratch[q]
                s1 += wv
                s2 += wv * scratch[q]
                sz += wv * (lowest + Double(q) * h)
            }
            return (s1, s2, sz)
        }
        let ratio = known ?? Double.exp(scale * c * h)
        let start = offset.map { Double.exp(scale * m) * $0 } ?? Double.exp(scale * (m + c * lowest))
        var e = SIMD4<Double>(start, start * ratio, start * ratio * ratio, start * ratio * ratio * ratio)
        let ratio4 = SIMD4<Double>(repeating: (ratio * ratio) * (ratio * ratio))
        var a1 = SIMD4<Double>(), a2 = SIMD4<Double>(), az = SIMD4<Double>()
        var z = SIMD4<Double>(lowest, lowest + h, lowest + 2 * h, lowest + 3 * h)
        let advance = SIMD4<Double>(repeating: 4 * h)
        let one = SIMD4<Double>(repeating: 1), two = SIMD4<Double>(repeating: 2)
        var q = 0
        // Eight nodes per turn on two sets of accumulators (the additions' latency, not the
        // division, bounds a single set).
        if count >= 8 {
            var e2 = e * ratio4, z2 = z + advance
            let ratio8 = ratio4 * ratio4, advance8 = advance + advance
            var b1 = SIMD4<Double>(), b2 = SIMD4<Double>(), bz = SIMD4<Double>()
            while q + 8 <= count {
                let w = UnsafeRawPointer(weights + q).loadUnaligned(as: SIMD4<Double>.self)
                let w2 = UnsafeRawPointer(weights + q + 4).loadUnaligned(as: SIMD4<Double>.self)
                let value = scale > 0 ? one - two / (one + e) : one / (one + e)
                let value2 = scale > 0 ? one - two / (one + e2) : one / (one + e2)
                let wv = w * value, wv2 = w2 * value2
                a1 += wv
                a2 += wv * value
                az += wv * z
                b1 += wv2
                b2 += wv2 * value2
                bz += wv2 * z2
                e *= ratio8
                e2 *= ratio8
                z += advance8
                z2 += advance8
                q += 8
            }
            a1 += b1
            a2 += b2
            az += bz
        }
        while q + 4 <= count {
            let w = UnsafeRawPointer(weights + q).loadUnaligned(as: SIMD4<Double>.self)
            let value = scale > 0 ? one - two / (one + e) : one / (one + e)
            let wv = w * value
            a1 += wv
            a2 += wv * value
            az += wv * z
            e *= ratio4
            z += advance
            q += 4
        }
        var s1 = a1.sum(), s2 = a2.sum(), sz = az.sum()
        var lane = 0
        while q < count {
            let value = scale > 0 ? 1 - 2 / (1 + e[lane]) : 1 / (1 + e[lane])
            let wv = weights[q] * value
            s1 += wv
            s2 += wv * value
            sz += wv * z[lane]
            lane += 1
            q += 1
        }
        return (s1, s2, sz)
    }

    /// g(x_q) (and g'(x_q) when `slopes` is given) at x_q = m + c·(lowest + q·h), q < count.
    /// For tanh and sigmoid the arguments are an arithmetic progression, so e^{±x} is one
    /// multiplication from the previous node's (four interleaved chains, SIMD): with
    /// a = 2/(1 + e^{2x}), tanh = 1 − a and tanh' = a(2 − a); with b = 1/(1 + e^{−x}),
    /// sigmoid = b and sigmoid' = b·e^{−x}·b — no libm call per node, no cancellation in g'.
    /// The chain's rounding grows like q·ε (≤ 241 nodes: 3e-14 relative on e^{2x}, ≤ 1.5e-14
    /// absolute on tanh); arguments beyond ±300 are evaluated directly (no overflow). For erf,
    /// eight arguments per call of the vector kernel (`ErfKernel`).
    static func fill(_ g: Activation, mean m: Double, coefficient c: Double, lowest: Double, step h: Double, count: Int,
                     values: UnsafeMutablePointer<Double>, slopes: UnsafeMutablePointer<Double>?) {
        let scale: Double
        switch g {
        case .tanh: scale = 2
        case .sigmoid: scale = -1
        default: scale = 0
        }
        if g == .erf {
            // Eight points per kernel call (`Activation.value` runs the 8-lane kernel for one
            // lane, and `derivative` again): the same bits, an eighth of the work.
            var q = 0
            while q < count {
                let n = min(8, count - q)
                var x = SIMD8<Double>(repeating: 0)
                for lane in 0..<n { x[lane] = m + c * (lowest + Double(q + lane) * h) }
                let (value, derivative) = ErfKernel.evaluate(x)
                for lane in 0..<n {
                    values[q + lane] = value[lane]
                    slopes?[q + lane] = derivative[lane]
                }
                q += 8
            }
            return
        }
        let extreme = abs(m) + abs(c) * max(abs(lowest), abs(lowest + Double(count) * h))
        guard scale != 0, extreme < 300 else {
            for q in 0..<count {
                let x = m + c * (lowest + Double(q) * h)
                values[q] = g.value(x)
                slopes?[q] = g.derivative(x)
            }
            return
        }
        let ratio = Double.exp(scale * c * h)
        let start = Double.exp(scale * (m + c * lowest))
        var e = SIMD4<Double>(start, start * ratio, start * ratio * ratio, start * ratio * ratio * ratio)
        let ratio4 = SIMD4<Double>(repeating: (ratio * ratio) * (ratio * ratio))
        let one = SIMD4<Double>(repeating: 1), two = SIMD4<Double>(repeating: 2)
        var q = 0
        while q < count {
            let a: SIMD4<Double>, v: SIMD4<Double>, d: SIMD4<Double>
            if scale > 0 {
                a = two / (one + e)
                v = one - a
                d = a * (two - a)
            } else {
                a = one / (one + e)
                v = a
                d = a * e * a
            }
            let n = min(4, count - q)
            for lane in 0..<n {
                values[q + lane] = v[lane]
                slopes?[q + lane] = d[lane]
            }
            e *= ratio4
            q += 4
        }
    }

    /// The one field whose coefficient at level j is nonzero, or nil (none or several).
    private func singleVaryingField(level j: Int) -> Int? {
        var found: Int? = nil
        for f in 0..<D where L[f * D + j] != 0 {
            if found != nil { return nil }
            found = f
        }
        return found
    }

    /// Adds one prefix's (or node's) contribution, given E[Δ], E[Δ²] and `fieldMoment` = E[x_b Δ]
    /// over what is still varying; the student factors are fixed.
    @inline(__always)
    private func accumulate(weight: Double, first: Double, second: Double, _ w: ODEWorkspace.View) {
        let K = self.K, D = self.D
        var pair = 0
        for i in 0..<K {
            let a = weight * slopes[i]
            w.s2[i] += weight * values[i] * first
            let row = w.s3 + i * D
            for b in 0..<D { row[b] += a * fieldMoment[b] }
            for k in i..<K {
                let ak = a * slopes[k]
                w.j2[pair] += ak
                w.s4[pair] += ak * second
                pair += 1
            }
        }
    }
}
