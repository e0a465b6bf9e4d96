import RealModule

/// All the Gaussian averages of one right-hand side for a smooth non-polynomial student (tanh,
/// sigmoid, softplus, GELU) with a smooth teacher, at a cost polynomial in D = K + M
/// (docs/numerics.md "General pairs: many fields"). `JointGaussianQuadrature` sums one tensor rule
/// over all D fields (n^(D−1) prefixes): kept wherever it is within the job bound (tanh D ≤ 5); this one takes the sizes
/// where that rule would be refused.
///
/// With Δ = Σ_c u_c g_c(x_c), every term conditions on at most two student fields:
///   S4(i, k) = E[g'(λ_i) g'(λ_k) E[Δ² | λ_i, λ_k]],  J2(i, k) = E[g'(λ_i) g'(λ_k)],
///   S3(i, b) = E[g'(λ_i) E[x_b Δ | λ_i]],           S2(i) = E[g(λ_i) E[Δ | λ_i]].
/// One pass per student pair i ≤ k (the diagonal passes give S3 and S2 too):
/// - Outer rule: (λ_i, λ_k) = L·z by Cholesky (a pivot ≤ 1e-14 relative adds no level, so i = k
///   or parallel units take one level), the truncated trapezoid rule of `JointGaussianQuadrature`
///   on z in the disc |z| ≤ `radius` (7.5 for bounded activations), its step from every field's coefficient on the level (the
///   smoothed functions below are entire, but nearly determined fields come close to their
///   activation's poles; the joint rule's step for them is the safe choice). For students whose
///   g′ decays, an off-diagonal pass (S4 and J2: every term carries g′(λ_i)·g′(λ_k)) takes only
///   the nodes where |λ_i| + |λ_k| ≤ Λ (`OuterDomain`): students of large norm then cost about
///   what students of unit norm do. Caps: 240 nodes per level on two levels, 2 000 on one;
///   where one binds the evaluation is marked `underResolved`.
/// - Given z, every field is x_c = m_c + y_c with m_c = B_c·z and y ~ N(0, Σ), Σ = C − B Bᵀ
///   fixed for the pass. A field with Σ_cc ≤ 1e-14·C_cc is exact: g_c(m_c) at the node.
///   The others ("random", s_c = √Σ_cc) enter through 1-D tables in m of
///   Â_{c,n}(m) = E[g_c(m + s_c z) He_n(z)]/√n!  (n = 0: the smoothed activation)
///   and V_c(m) = E[g_c(m + s_c z)²], and Mehler's formula for two Gaussians of correlation
///   r_cd = Σ_cd/(s_c s_d):  Cov(g_c, g_d | m) = Σ_{n≥1} r_cd^n Â_{c,n}(m_c) Â_{d,n}(m_d).
///   E[Δ² | z] = (Σ_c u_c ĝ_c)² + Σ_c u_c² (V_c − Â_{c,0}²) + 2 Σ_{c<d} u_c u_d Cov(g_c, g_d),
///   the variances exact (no truncation); E[x_b Δ | λ_i] = m_b E[Δ | λ_i] + Σ_c u_c Σ_bc Â_{c,1}/s_c
///   (Stein: E[y_b g_c] = Σ_bc E[z g_c]/s_c).
/// - Truncation: Σ_{n≥1} Â_{c,n}² = V_c − Â_{c,0}², so the relative tail t_c(n) after n terms is
///   known at every table point; by Cauchy–Schwarz a cross term cut at n errs by
///   ≤ |r|^{n+1}·√(t_c(n)·t_d(n))·√(V_c V_d). The tables' degrees grow in lockstep
///   (`buildTables`) until that bound is ≤ `tailTolerance` (1e-12) for every pair; each pair then stops at its
///   first such n.
/// - Tables: a uniform grid of spacing δ = 0.025·max(s_c, 1), Lagrange interpolation on 8
///   points (`LagrangeStencil`; the bound in docs/numerics.md: ≤ 3e-12), each point a
///   trapezoid sum over |z| ≤ `radius`
///   with the joint rule's step for g_c at coefficient s_c, at most 0.4 (Hermite weights up to
///   degree 100 then integrate to ≲ 1e-12). When s_c·h ≥ δ, δ divides s_c·h and the
///   arguments m_j + s_c z_q lie on one lattice: g_c is evaluated once per lattice point
///   (`JointGaussianQuadrature.fill`, no libm call per node) and the tables are sums over it,
///   four degrees per sweep (`sweep`). When g = a + b·x + r(x) with r odd or even
///   (`ActivationDeclaration.symmetricSplit`: tanh r = g; sigmoid ½ + odd; softplus, GELU
///   x/2 + even), the table is r's, built for m ≥ 0 on a grid symmetric about 0 and mirrored
///   (Â_n(−m) = ∓(−1)^n Â_n(m), V even), then the affine part is added exactly to Â_0, Â_1 and
///   V: half the cost (0.7.0; sigmoid, softplus and GELU tables were built whole before). The
///   tails are r's, relative to r's V: the absolute tails past n = 1 are the same for g and r.
///
/// Cost per pass: n_o ≈ (π/4)·65² outer nodes for tanh (half of them for an odd pair) (one level when i = k), each R·(8·(N+2))
/// interpolation products and Σ_pairs N_cd Mehler products (R random fields), plus the tables
/// (G grid points × nodes × N); measured model in `estimatedSeconds`.
/// No randomness: the adaptive integrator needs a deterministic right-hand side.
final class ConditionalPairQuadrature {
    let K: Int, M: Int, D: Int
    let student: Activation, teacher: Activation
    let oddPair: Bool
    /// Scales every step and table spacing down (tests' reference: a finer rule).
    let refine: Double
    /// Tests' reference for grown students: the whole disc (no `OuterDomain` truncation) and
    /// 4 000 nodes per level before a cap.
    let wholeDisc: Bool
    /// The most Hermite degrees a table holds (the tail test almost always stops far earlier).
    static let maxDegree = 100
    /// The truncation radius of the outer disc and of every inner rule, from how fast the terms
    /// can grow (the two-dimensional Gaussian mass beyond r is e^{−r²/2}, weighted by x^{2p}
    /// it is ≈ (r^{2p} + …)·e^{−r²/2}):
    /// - 7.5 when both activations are bounded (tanh, sigmoid, erf): mass 6.6e-13 (8 before 0.6.0);
    /// - 8 when both grow at most linearly (GELU, softplus, linear; terms ≲ x²): 8.4e-13 (9.5 before 0.6.0);
    /// - 9.5 otherwise (polynomials: at 8 the mass beyond times x⁶ is ≈ 1e-10).
    let radius: Double
    static func radius(student: Activation, teacher: Activation) -> Double {
        let bounded: Set<String> = ["tanh", "sigmoid", "erf"]
        let linear: Set<String> = bounded.union(["gelu", "softplus", "linear"])
        if bounded.contains(student.rawValue) && bounded.contains(teacher.rawValue) { return 7.5 }
        if linear.contains(student.rawValue) && linear.contains(teacher.rawValue) { return 8 }
        return 9.5
    }
    /// The Mehler tail each cross term may leave, relative to √(V_c·V_d) at the node (a finer
    /// `refine` divides it by refine²); 1e-13 before 0.6.0, which measured no more accurate
    /// against the references (docs/numerics.md "General pairs: many fields").
    static let tailTolerance = 1e-12
    /// The tables' interpolation weights (`LagrangeStencil`).
    private let stencil = LagrangeStencil()
    /// Set when an outer step was raised to the cap's (`maxNodesPerLevel`, `maxNodesPerLine`: the
    /// error model asked for more); `ODERightHandSide.takeUnderResolved` reads and clears it.
    var underResolved = false

    // Per-pass state (the hot loop copies what it reads into locals and pointers first).
    private var B: [Double]  // B[f·2 + j]: field f's coefficient on outer level j
    private var sigma: [Double]  // conditional covariance, D×D
    private var exact: [Bool]
    private var randomFields: [Int] = []
    /// Per random field (by position r): its table.
    private var tables: [Table] = []
    /// The pass's tables side by side (`Table.offset`), allocated once and grown: the hot loop
    /// reads them through this pointer, never through a class property or a Swift array.
    private var rows: UnsafeMutablePointer<Double>
    private var rowsCapacity = 0

    /// One field's tables: per grid point a row V, Â_0 … Â_degree, zeros up to `stride` (a
    /// multiple of 8), at `offset` in `rows`: a node interpolates V and the columns it needs as
    /// whole 8-wide vectors.
    struct Table {
        var lo = 0.0, spacing = 1.0, points = 0, degree = 0
        var offset = 0, stride = 0
        /// The largest relative tail (V − Σ_{n≤N} Â_n²)/V over the grid, for N = 0…degree.
        var tails: [Double] = []
        var deviation = 0.0
    }

    init(K: Int, M: Int, student: Activation, teacher: Activation, refine: Double = 1, wholeDisc: Bool = false) {
        self.wholeDisc = wholeDisc
        self.K = K
        self.M = M
        D = K + M
        self.student = student
        self.teacher = teacher
        self.refine = refine
        radius = ConditionalPairQuadrature.radius(student: student, teacher: teacher)
        oddPair = student.declaration.parity == .odd && teacher.declaration.parity == .odd
        B = [Double](repeating: 0, count: 2 * (K + M))
        sigma = [Double](repeating: 0, count: (K + M) * (K + M))
        exact = [Bool](repeating: false, count: K + M)
        tables = Array(repeating: Table(), count: K + M)
        rows = .allocate(capacity: 1)
    }

    deinit { rows.deallocate() }

    /// A smooth non-polynomial student (not erf, which has its own kernels) with a smooth teacher.
    static func applies(student: Activation, teacher: Activation) -> Bool {
        let s = student.declaration, t = teacher.declaration
        return s.kink == .none && s.polynomial == nil && student != .erf && t.kink == .none
    }

    /// The per-evaluation bound of job validation (`JobLimits.maxODEEvaluationSeconds`, which a
    /// SGDynJobs test checks equal): the joint rule is kept for every size it was accepted at,
    /// so no existing job's numbers change.
    static let jointLimitSeconds = 0.25

    /// Whether a pair and size take this method rather than `JointGaussianQuadrature`: the
    /// joint rule's estimate is over the job bound (tanh from K + M = 6, sigmoid from 7).
    static func preferred(K: Int, M: Int, student: Activation, teacher: Activation) -> Bool {
        applies(student: student, teacher: teacher)
            && JointGaussianQuadrature.estimatedSeconds(K: K, M: M, student: student, teacher: teacher) > jointLimitSeconds
    }

    /// Rough seconds of one right-hand side on one core (release), for the cost bound
    /// (`ODEResources.rightHandSideCost`). Per pass (student pair) the outer nodes — (π/4)·n²/2
    /// for an odd pair, n = the joint rule's nodes per level at variance 1 within `radius`
    /// (tanh 65, sigmoid 33, GELU 41), n for i = k — each interpolating R = D − 1 fields' ≈ 30
    /// columns (8 products each) and summing ≈ R²/2 pairs × 30 Mehler terms at ≈ 11 products per
    /// ns, plus 25 ns; and R tables of ≈ 400 points × 55 nodes × 30 degrees at 0.04 ns (four
    /// degrees per sweep over g, `sweep`), twice that for a field whose activation has no
    /// `symmetricSplit` (its table is not mirrored). Fitted to the mean over a whole run (`sgdyn
    /// bench --ode-pairs`, docs/measurements.md "General pairs"), K = M = 4 in 0.7.0: tanh/tanh
    /// 4.4 ms estimated, 4.2 ms measured; GELU/GELU 3.9 against 4.4 ms; softplus/softplus 3.2
    /// against 2.4 ms; sigmoid/sigmoid 3.0 against 1.3 ms (its series end early).
    static func estimatedSeconds(K: Int, M: Int, student: Activation, teacher: Activation) -> Double {
        let D = K + M
        let h = JointGaussianQuadrature.step(student, coefficient: 1, factors: 4)
        let n = Double(2 * Int(radius(student: student, teacher: teacher) / h) + 1)
        let studentOdd = student.declaration.parity == .odd, teacherOdd = teacher.declaration.parity == .odd
        let half = studentOdd && teacherOdd ? 0.5 : 1
        let offDiagonal = Double(K * (K - 1) / 2), diagonal = Double(K)
        let random = Double(D - 1)
        let perNode = (random * 8 * 32 + random * random / 2 * 30) * 0.09e-9 + 25e-9
        let nodes = offDiagonal * half * n * n * Double.pi / 4 + diagonal * half * n
        let studentMirrored = student.declaration.symmetricSplit != nil, teacherMirrored = teacher.declaration.symmetricSplit != nil
        let unmirrored = (Double(K) * (studentMirrored ? 1 : 2) + Double(M) * (teacherMirrored ? 1 : 2)) / Double(D)
        let tables = (offDiagonal + diagonal) * random * 400 * 55 * 30 * 0.04e-9 * unmirrored
        return nodes * perNode + tables
    }

    /// Fills w.s3, w.s4, w.j2 and (when `secondLayer`) w.s2.
    func evaluate(_ w: ODEWorkspace.View, secondLayer: Bool) {
        let K = self.K
        guard w.startTerms() else { return }
        var pair = 0
        for i in 0..<K {
            for k in i..<K {
                pass(i, k, pair: pair, w)
                pair += 1
            }
        }
    }

    /// Outer levels for conditioning on (λ_i, λ_k): B (the Cholesky rows of every field on the
    /// pivots i, k; a pivot whose residual variance is ≤ 1e-14 relative adds no level), Σ, and
    /// which fields are exact. Returns the number of levels (0, 1 or 2).
    private func condition(_ i: Int, _ k: Int, _ C: UnsafePointer<Double>) -> Int {
        let D = self.D
        for f in 0..<(2 * D) { B[f] = 0 }
        var pivots: [Int] = []
        func project(_ f: Int) {
            for (j, q) in pivots.enumerated() {
                var c = C[f * D + q]
                for j2 in 0..<j { c -= B[f * 2 + j2] * B[q * 2 + j2] }
                B[f * 2 + j] = c / B[q * 2 + j]
            }
        }
        for p in (i == k ? [i] : [i, k]) {
            project(p)
            var variance = C[p * D + p]
            for j in 0..<pivots.count { variance -= B[p * 2 + j] * B[p * 2 + j] }
            if C[p * D + p] > 0, variance > 1e-14 * C[p * D + p] {
                B[p * 2 + pivots.count] = variance.squareRoot()
                pivots.append(p)
            }
        }
        for f in 0..<D where f != i && f != k { project(f) }
        let levels = pivots.count
        for f in 0..<D {
            for g in 0..<D {
                var c = C[f * D + g]
                for j in 0..<levels { c -= B[f * 2 + j] * B[g * 2 + j] }
                sigma[f * D + g] = c
            }
        }
        randomFields.removeAll(keepingCapacity: true)
        for f in 0..<D {
            exact[f] = f == i || f == k || !(C[f * D + f] > 0) || sigma[f * D + f] <= 1e-14 * C[f * D + f]
            if !exact[f] { randomFields.append(f) }
        }
        return levels
    }

    /// The trapezoid step of outer level j the fields ask for (`pass` caps the work).
    private func outerStep(level j: Int) -> Double {
        var h = 0.5
        for f in 0..<D {
            let c = abs(B[f * 2 + j])
            guard c > 0 else { continue }
            h = min(h, JointGaussianQuadrature.step(f < K ? student : teacher, coefficient: c, factors: f < K ? 4 : 2))
        }
        return h / refine
    }

    /// The step raised to `cap` if it is finer (marking the evaluation under-resolved).
    private func capped(_ h: Double, _ cap: Double) -> Double {
        if h < cap { underResolved = true }
        return max(h, cap)
    }

    /// The most nodes per level of a two-level pass, and of a one-level one (a line: cheap).
    static let maxNodesPerLevel = 240, maxNodesPerLine = 2000

    /// Trapezoid weights φ(q·h) for |q·h| ≤ extent, normalised over |q·h| ≤ radius (summed in
    /// order from q = −full: with extent = radius the weights of the whole rule). Beyond 10⁵
    /// nodes (a field of norm ≳ 10⁴) the norm is the line's, √(2π)/h (1e-13 apart at radius 7.5).
    static func trapezoidWeights(step h: Double, radius: Double, extent: Double? = nil) -> [Double] {
        let full = Int(radius / h), n = min(full, Int((extent ?? radius) / h))
        var norm = 0.0
        if full <= 100_000 {
            for q in -full...full { let z = Double(q) * h; norm += Double.exp(-z * z / 2) }
        } else {
            norm = (2 * Double.pi).squareRoot() / h
        }
        return (-n...n).map { q -> Double in let z = Double(q) * h; return Double.exp(-z * z / 2) / norm }
    }

    /// One field's table under construction: g on its lattice (or per grid point), the Hermite
    /// weights of the current degree, the tails and the columns so far.
    private struct Builder {
        var table = Table()
        var grid: [Double] = []
        var strideJ = 1, strideQ = 1, nodes = 0, half = 0, inner = 0.0
        var previous: [Double] = [], current: [Double] = [], rule: [Double] = []
        var columns: [Double] = []
        var variance: [Double] = [], tail: [Double] = []
        /// Columns batchStart ..< batchStart + batchCount, computed ahead (`sweep`).
        var batch: [Double] = [], batchWeights: [Double] = []
        var batchStart = 0, batchCount = 0
        /// g = a + b·x + r(x) with r odd or even (`ActivationDeclaration.symmetricSplit`): the
        /// columns and V are r's, built for m ≥ 0 only; `finish` mirrors them and adds a + b·x.
        var split: ActivationDeclaration.ParitySplit?
        var done = false

        /// Back to an empty builder, keeping every array's storage: a right-hand side builds
        /// dozens of tables, and fresh arrays of this size cost page faults and copies.
        mutating func reset() {
            table = Table()
            for array in [\Builder.grid, \.previous, \.current, \.rule, \.columns, \.variance, \.tail] {
                self[keyPath: array].removeAll(keepingCapacity: true)
            }
            strideJ = 1; strideQ = 1; nodes = 0; half = 0; inner = 0
            batchStart = 0; batchCount = 0
            split = nil
            done = false
        }
    }

    /// Builders kept between passes (their arrays' storage is reused).
    private var builderPool: [Builder] = []

    /// Prepares the table of random field f (conditional deviation s, means up to ±range): the
    /// grid, g on it and V.
    private func prepareTable(_ f: Int, deviation s: Double, range: Double, reusing b: inout Builder) {
        let g = f < K ? student : teacher
        b.reset()
        b.table.deviation = s
        b.inner = min(0.4, JointGaussianQuadrature.step(g, coefficient: s, factors: 2, poleOrder: 2)) / refine
        b.half = Int(self.radius / b.inner)
        b.nodes = 2 * b.half + 1
        let target = 0.025 * max(s, 1) / refine
        b.rule = ConditionalPairQuadrature.trapezoidWeights(step: b.inner, radius: radius)
        // Grid spacing: a divisor of s·h (lattice) when it is at least the target, else the target.
        let lattice = s * b.inner >= target
        let multiple = lattice ? Int((s * b.inner / target).rounded(.up)) : 0
        let spacing = lattice ? s * b.inner / Double(multiple) : target
        // When g is an affine part plus an odd or even r (tanh: r = g; sigmoid: ½ + odd; GELU,
        // softplus: x/2 + even), the table is r's, built for m ≥ 0 only (`finish` mirrors it:
        // Â_n(−m) = ∓(−1)^n Â_n(m) for odd/even r, V even, then adds the affine part), on a
        // grid symmetric about 0 reaching ≥ range + 4δ.
        let split = g.declaration.symmetricSplit
        let mirrored = split != nil
        let reach = Int((range / spacing).rounded(.up)) + 4
        let points = mirrored ? reach + 1 : Int((2 * range / spacing).rounded(.up)) + 9
        let lo = mirrored ? 0 : -range - 4 * spacing
        b.split = split
        b.table.lo = lo
        b.table.spacing = spacing
        b.table.points = points
        // values(j, q) = g(lo + j·spacing + s·z_q), z_q = (q − half)·inner.
        let nodes = b.nodes, half = b.half, inner = b.inner
        if lattice {
            let count = points + multiple * (nodes - 1)
            b.grid.resize(count)
            let first = lo - Double(half * multiple) * spacing
            b.grid.withUnsafeMutableBufferPointer {
                JointGaussianQuadrature.fill(g, mean: first, coefficient: 1, lowest: 0,
                                             step: spacing, count: count, values: $0.baseAddress!, slopes: nil)
                if let split, split.constant != 0 || split.slope != 0 {
                    // x as `fill` forms it: mean + 1·(0 + i·step).
                    for i in 0..<count { $0[i] -= split.constant + split.slope * (first + Double(i) * spacing) }
                }
            }
            b.strideJ = 1
            b.strideQ = multiple
        } else {
            b.grid.resize(points * nodes)
            b.grid.withUnsafeMutableBufferPointer { buffer in
                for j in 0..<points {
                    let mean = lo + Double(j) * spacing, values = buffer.baseAddress! + j * nodes
                    JointGaussianQuadrature.fill(g, mean: mean, coefficient: s,
                                                 lowest: -Double(half) * inner, step: inner, count: nodes,
                                                 values: values, slopes: nil)
                    if let split, split.constant != 0 || split.slope != 0 {
                        for q in 0..<nodes {
                            values[q] -= split.constant + split.slope * (mean + s * (-Double(half) * inner + Double(q) * inner))
                        }
                    }
                }
            }
            b.strideJ = nodes
            b.strideQ = 1
        }
        b.previous.resize(nodes)
        b.current.removeAll(keepingCapacity: true)
        b.current.append(contentsOf: b.rule)
        b.variance.resize(points)
        b.tail.resize(points)
        let strideJ = b.strideJ, strideQ = b.strideQ, rule = b.rule
        b.grid.withUnsafeBufferPointer { gb in
        b.variance.withUnsafeMutableBufferPointer { vb in
            let values = gb.baseAddress!, variance = vb.baseAddress!
            if strideJ == 1 {
                // Lattice: contiguous in j, each point still summed over q in order from 0.
                for q in 0..<nodes {
                    let wq = rule[q], row = values + q * strideQ
                    for j in 0..<points { let v = row[j]; variance[j] += wq * v * v }
                }
            } else {
                for j in 0..<points {
                    var sum = 0.0
                    for q in 0..<nodes { let v = values[j * strideJ + q * strideQ]; sum += rule[q] * v * v }
                    variance[j] = sum
                }
            }
        }
        }
    }

    /// Columns computed ahead per sweep over g (`addColumn`): each lattice value is loaded once
    /// for this many Hermite degrees. A column past the degree the lockstep test stops at is
    /// dropped, so the tables are bit for bit those of one column at a time.
    static let batch = 4

    /// Column n = b.table.tails.count of the builder (Â_n on the grid), its relative tail, and
    /// the Hermite weights advanced to n + 1. The sums are taken `batch` degrees at a time
    /// (`sweep`), in the same order per column.
    private func addColumn(_ b: inout Builder) {
        let n = b.table.tails.count
        let points = b.table.points
        if n >= b.batchStart + b.batchCount { sweep(&b, from: n) }
        let offset = (n - b.batchStart) * points
        var largest = 0.0
        b.batch.withUnsafeBufferPointer { cb in
        b.tail.withUnsafeMutableBufferPointer { tb in
        b.variance.withUnsafeBufferPointer { vb in
            let column = cb.baseAddress! + offset, tail = tb.baseAddress!, variance = vb.baseAddress!
            // Relative to V at the point: the cross term's error there is ≤ ε·√(V_c V_d).
            // Eight points at a time (each lane as the scalar loop; the maximum is exact in any order).
            var j = 0
            var widest = SIMD8<Double>(repeating: 0)
            while j + 8 <= points {
                let sum = UnsafeRawPointer(column + j).loadUnaligned(as: SIMD8<Double>.self)
                let v = UnsafeRawPointer(variance + j).loadUnaligned(as: SIMD8<Double>.self)
                let before = n == 0 ? v : UnsafeRawPointer(tail + j).loadUnaligned(as: SIMD8<Double>.self)
                let t = before - sum * sum
                UnsafeMutableRawPointer(tail + j).storeBytes(of: t, as: SIMD8<Double>.self)
                let ratio = (t / v).replacing(with: 0, where: .!(v .> 0))
                widest = widest.replacing(with: ratio, where: ratio .> widest)
                j += 8
            }
            largest = widest.max()
            while j < points {
                let sum = column[j]
                tail[j] = n == 0 ? variance[j] - sum * sum : tail[j] - sum * sum
                if variance[j] > 0 { largest = max(largest, tail[j] / variance[j]) }
                j += 1
            }
        }
        }
            b.columns.append(contentsOf: UnsafeBufferPointer(start: cb.baseAddress! + offset, count: points))
        }
        b.table.tails.append(max(0, largest))
        b.table.degree = n
    }

    /// Columns n … n + batch − 1 (up to `maxDegree`) into b.batch, column d at d·points: per
    /// grid point Σ_q w_{n+d}(q)·g(point, q), summed over q in order from 0 (as one column at
    /// a time did); the Hermite weights advance past them.
    private func sweep(_ b: inout Builder, from n: Int) {
        let points = b.table.points, nodes = b.nodes, strideJ = b.strideJ, strideQ = b.strideQ
        let count = min(ConditionalPairQuadrature.batch, ConditionalPairQuadrature.maxDegree + 1 - n)
        let batch = ConditionalPairQuadrature.batch
        if b.batch.count < batch * points { b.batch = [Double](repeating: 0, count: batch * points) }
        if b.batchWeights.count < batch * nodes { b.batchWeights = [Double](repeating: 0, count: batch * nodes) }
        // Hermite weights of degrees n … n + count − 1: Ĥe_{m+1} = (z Ĥe_m − √m Ĥe_{m−1})/√(m + 1).
        for d in 0..<batch {
            if d < count {
                for q in 0..<nodes { b.batchWeights[d * nodes + q] = b.current[q] }
                let m = n + d
                let root = Double(m).squareRoot(), next = Double(m + 1).squareRoot()
                for q in 0..<nodes {
                    let z = Double(q - b.half) * b.inner
                    let h = (z * b.current[q] - root * b.previous[q]) / next
                    b.previous[q] = b.current[q]
                    b.current[q] = h
                }
            } else {
                for q in 0..<nodes { b.batchWeights[d * nodes + q] = 0 }
            }
        }
        b.grid.withUnsafeBufferPointer { gb in
        b.batch.withUnsafeMutableBufferPointer { cb in
        b.batchWeights.withUnsafeBufferPointer { wb in
            let values = gb.baseAddress!, col = cb.baseAddress!, weight = wb.baseAddress!
            let w0 = weight, w1 = weight + nodes, w2 = weight + 2 * nodes, w3 = weight + 3 * nodes
            let c0 = col, c1 = col + points, c2 = col + 2 * points, c3 = col + 3 * points
            if strideJ == 1 {
                // Lattice: column[j] = Σ_q w_q·g[j + k·q], contiguous in j: 8 points × 4 degrees
                // in registers, each g value loaded once.
                var j = 0
                while j + 8 <= points {
                    var a0 = SIMD8<Double>(), a1 = SIMD8<Double>(), a2 = SIMD8<Double>(), a3 = SIMD8<Double>()
                    for q in 0..<nodes {
                        let v = UnsafeRawPointer(values + q * strideQ + j).loadUnaligned(as: SIMD8<Double>.self)
                        a0 += w0[q] * v
                        a1 += w1[q] * v
                        a2 += w2[q] * v
                        a3 += w3[q] * v
                    }
                    UnsafeMutableRawPointer(c0 + j).storeBytes(of: a0, as: SIMD8<Double>.self)
                    UnsafeMutableRawPointer(c1 + j).storeBytes(of: a1, as: SIMD8<Double>.self)
                    UnsafeMutableRawPointer(c2 + j).storeBytes(of: a2, as: SIMD8<Double>.self)
                    UnsafeMutableRawPointer(c3 + j).storeBytes(of: a3, as: SIMD8<Double>.self)
                    j += 8
                }
                while j < points {
                    var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
                    for q in 0..<nodes {
                        let v = values[q * strideQ + j]
                        a0 += w0[q] * v
                        a1 += w1[q] * v
                        a2 += w2[q] * v
                        a3 += w3[q] * v
                    }
                    c0[j] = a0
                    c1[j] = a1
                    c2[j] = a2
                    c3[j] = a3
                    j += 1
                }
            } else {
                for j in 0..<points {
                    let row = values + j * strideJ
                    var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
                    for q in 0..<nodes {
                        let v = row[q]
                        a0 += w0[q] * v
                        a1 += w1[q] * v
                        a2 += w2[q] * v
                        a3 += w3[q] * v
                    }
                    c0[j] = a0
                    c1[j] = a1
                    c2[j] = a2
                    c3[j] = a3
                }
            }
        }
        }
        }
        b.batchStart = n
        b.batchCount = count
    }

    /// The finished table's size: its grid points (both halves when mirrored) and row stride.
    private static func finishedShape(_ b: Builder) -> (points: Int, stride: Int) {
        let points = b.split != nil ? 2 * b.table.points - 1 : b.table.points
        return (points, (b.table.degree + 2 + 7) / 8 * 8)
    }

    /// Writes the finished table at `rows + offset`, row-major by grid point (V, Â_0 … Â_N,
    /// zeros): a node's interpolation is then whole vector updates over n rather than one
    /// horizontal sum per column.
    private func finish(_ b: Builder, at offset: Int) -> Table {
        var table = b.table
        let (points, stride) = ConditionalPairQuadrature.finishedShape(b)
        let out = rows + offset
        out.initialize(repeating: 0, count: points * stride)
        table.offset = offset
        table.stride = stride
        let built = b.table.points, degree = table.degree
        b.columns.withUnsafeBufferPointer { cb in
        b.variance.withUnsafeBufferPointer { vb in
            let columns = cb.baseAddress!, variance = vb.baseAddress!
            if let split = b.split {
                // Grid point J + j is m = j·δ, J − j its mirror −m: r's columns there are
                // (−1)^n Â_n(m) for an even r, −(−1)^n Â_n(m) for an odd one.
                let J = built - 1
                let evenSign: Double = split.remainder == .odd ? -1 : 1
                for j in 0..<built {
                    let up = out + (J + j) * stride, down = out + (J - j) * stride
                    up[0] = variance[j]
                    down[0] = variance[j]
                    for n in 0...degree {
                        let v = columns[n * built + j]
                        up[1 + n] = v
                        down[1 + n] = n % 2 == 0 ? evenSign * v : -evenSign * v
                    }
                }
                if split.constant != 0 || split.slope != 0 {
                    // g = ℓ + r with ℓ(x) = a + b·x: Â_0 += ℓ(m), Â_1 += b·s (E[(m + s z)·z] = s),
                    // V = E[(ℓ + r)²] = ℓ(m)² + b²s² + 2ℓ(m)·Â^r_0 + 2b·s·Â^r_1 + V^r.
                    let s = table.deviation, bs = split.slope * s
                    for row in 0..<points {
                        let at = out + row * stride
                        let l = split.constant + split.slope * (Double(row - J) * table.spacing)
                        at[0] = l * l + bs * bs + 2 * l * at[1] + 2 * bs * at[2] + at[0]
                        at[1] += l
                        at[2] += bs
                    }
                }
            } else {
                for j in 0..<built {
                    let row = out + j * stride
                    row[0] = variance[j]
                    for n in 0...degree { row[1 + n] = columns[n * built + j] }
                }
            }
        }
        }
        table.points = points
        if b.split != nil { table.lo = -Double(built - 1) * table.spacing }
        return table
    }

    /// Every random field's table, the degrees in lockstep: field c stops at the first n ≥ 1
    /// where every cross term with a field still going is bounded by the tolerance,
    /// |r_cd|^{n+1}·√(t_c(n)·t_d(n)) ≤ ε (a pair is cut at the smaller degree, so the bound is
    /// checked where it is cut), or where |r_max|^{n+1}·√t_c(n) ≤ ε (bounds every pair whatever
    /// the partner's tail, ≤ 1 relative). Stopping at a small own tail alone was 1e-9 off on a
    /// nearly singular state: a nearly determined field's tail is tiny at once, its partner's is
    /// not, and the bound needs both.
    private func buildTables(_ random: [Int], ranges: [Double], active: [Bool], correlation: [Double]) {
        let R = random.count, D = self.D
        let tolerance = ConditionalPairQuadrature.tailTolerance / (refine * refine)
        var builders = builderPool
        builderPool = []
        while builders.count < R { builders.append(Builder()) }
        for a in 0..<R {
            prepareTable(random[a], deviation: sigma[random[a] * D + random[a]].squareRoot(), range: ranges[a], reusing: &builders[a])
        }
        defer { builderPool = builders }
        var r = [Double](repeating: 0, count: R * R)
        var strongest = [Double](repeating: 0, count: R)
        for a in 0..<R {
            for b in 0..<R where b != a && active[a] && active[b] {
                r[a * R + b] = correlation[a * R + b]
                strongest[a] = max(strongest[a], abs(r[a * R + b]))
            }
        }
        // |r|^{n+1} by repeated products (the test's powers, one per pair and degree).
        var strongestPower = strongest
        var power = r.map { abs($0) }
        var n = 0
        while builders.contains(where: { !$0.done }) {
            for a in 0..<R where !builders[a].done { addColumn(&builders[a]) }
            if n >= 1 {
                var stop = [Bool](repeating: false, count: R)
                for a in 0..<R where !builders[a].done {
                    let ta = builders[a].table.tails[n]
                    if n == ConditionalPairQuadrature.maxDegree
                        || strongestPower[a] * ta.squareRoot() <= tolerance {
                        stop[a] = true
                        continue
                    }
                    var all = true
                    for b in 0..<R where b != a && !builders[b].done && r[a * R + b] != 0 {
                        let tb = builders[b].table.tails[n]
                        if power[a * R + b] * (ta * tb).squareRoot() > tolerance { all = false; break }
                    }
                    stop[a] = all
                }
                for a in 0..<R where stop[a] { builders[a].done = true }
            }
            n += 1
            for a in 0..<R { strongestPower[a] *= strongest[a] }
            for e in 0..<(R * R) { power[e] *= abs(r[e]) }
        }
        var total = 0
        for a in 0..<R { let shape = ConditionalPairQuadrature.finishedShape(builders[a]); total += shape.points * shape.stride }
        if rowsCapacity < total {
            rows.deallocate()
            rowsCapacity = max(total, 2 * rowsCapacity)
            rows = .allocate(capacity: rowsCapacity)
        }
        var offset = 0
        for a in 0..<R {
            tables[a] = finish(builders[a], at: offset)
            offset += tables[a].points * tables[a].stride
        }
    }

    /// The smallest n with |r|^{n+1}·√(T_c(n)·T_d(n)) ≤ tolerance, T(n) a table's relative
    /// tail after n terms (its last one beyond its degree: tails do not increase), or nil if
    /// none up to `maxDegree`.
    private func pairDegree(_ a: Table, _ b: Table, r: Double) -> Int? {
        let tolerance = ConditionalPairQuadrature.tailTolerance / (refine * refine)
        var power = abs(r)
        for n in 1...ConditionalPairQuadrature.maxDegree {
            power *= abs(r)
            let ta = a.tails[min(n, a.degree)], tb = b.tails[min(n, b.degree)]
            if power * (ta * tb).squareRoot() <= tolerance || power == 0 { return n }
        }
        return nil
    }

    /// One pass: conditioning on (λ_i, λ_k).
    private func pass(_ i: Int, _ k: Int, pair: Int, _ w: ODEWorkspace.View) {
        let D = self.D, K = self.K
        let levels = condition(i, k, w.C)
        let random = randomFields
        let R = random.count
        // Where the outer nodes lie (`OuterDomain`): the disc, or for S4 and J2 of a student whose
        // g′ decays only where |λ_i| + |λ_k| ≤ Λ.
        let domain = OuterDomain(levels: levels, radius: radius, tail: i == k || wholeDisc ? nil : student.declaration.derivativeTail,
                                 first: (B[i * 2], B[i * 2 + 1]), second: (B[k * 2], B[k * 2 + 1]))
        var ranges = [Double](repeating: 0, count: R)
        var correlations = [Double](repeating: 0, count: R * R)
        for a in 0..<R {
            let f = random[a]
            var spread = 0.0
            for j in 0..<levels { spread += B[f * 2 + j] * B[f * 2 + j] }
            ranges[a] = radius * spread.squareRoot()
            if domain.truncates {
                // Every node has |z₀| ≤ rowExtent and |z₁| ≤ columnExtent.
                ranges[a] = min(ranges[a], abs(B[f * 2]) * domain.rowExtent + (levels > 1 ? abs(B[f * 2 + 1]) * domain.columnExtent : 0))
            }
            for b in 0..<R where b != a {
                let c = random[a], d = random[b]
                correlations[a * R + b] = max(-1, min(1, sigma[c * D + d] / (sigma[c * D + c] * sigma[d * D + d]).squareRoot()))
            }
        }
        buildTables(random, ranges: ranges, active: random.map { w.u[$0] != 0 }, correlation: correlations)
        func correlation(_ a: Int, _ b: Int) -> Double { correlations[a * R + b] }
        var degree = 1
        for r in 0..<R { degree = max(degree, tables[r].degree) }
        // Mehler coefficients per random pair: 2 u_c u_d r^n for n = 1…N_cd, flat, each pair's run
        // padded with zeros to whole 4-wide vectors (a node sums every pair into one vector).
        var pairA: [Int] = [], pairB: [Int] = [], pairStart: [Int] = [0]
        // The columns a node interpolates per field: 0 and 1 (S3), and as far as its pairs sum.
        var used = [Int](repeating: 1, count: R)
        var coefficients: [Double] = []
        for a in 0..<R {
            for b in (a + 1)..<R {
                let weight = 2 * w.u[random[a]] * w.u[random[b]]
                if weight == 0 { continue }
                let r = correlation(a, b)
                let top = min(pairDegree(tables[a], tables[b], r: r) ?? degree, tables[a].degree, tables[b].degree)
                var power = 1.0
                for _ in 1...top {
                    power *= r
                    coefficients.append(weight * power)
                }
                while coefficients.count % 4 != 0 { coefficients.append(0) }
                used[a] = max(used[a], top)
                used[b] = max(used[b], top)
                pairA.append(a)
                pairB.append(b)
                pairStart.append(coefficients.count)
            }
        }
        // What a node reads per random field, in one value (the hot loop reads no Swift array).
        var fields: [InterpolatedField] = []
        fields.reserveCapacity(R)
        var width = 8
        var slopeCoefficients = [Double](repeating: 0, count: R * D)  // u_c Σ_bc / s_c, [r·D + b]
        for r in 0..<R {
            let t = tables[r]
            // V and Â_0 … Â_used: used + 2 columns, in whole vectors.
            fields.append(InterpolatedField(index: random[r], lo: t.lo, inverseSpacing: 1 / t.spacing, lastStart: t.points - 8,
                                            row: UnsafePointer(rows + t.offset), stride: t.stride,
                                            columns: used[r] + 2, u: w.u[random[r]]))
            width = max(width, t.stride + 8)
            for b in 0..<D { slopeCoefficients[r * D + b] = w.u[random[r]] * sigma[b * D + random[r]] / t.deviation }
        }
        // Per 4-wide chunk of `coefficients`: where the Â_{c,n} and Â_{d,n} it multiplies lie in
        // the node's scratch (`out`), so a node sums every pair in one flat loop. Both offsets in
        // one word (low and high 32 bits): one load per chunk, not two (loads bound the loop).
        var chunkOffsets: [Int] = []
        for p in pairA.indices {
            var n = 0
            while pairStart[p] + n < pairStart[p + 1] {
                chunkOffsets.append((pairA[p] * width + 2 + n) | (pairB[p] * width + 2 + n) << 32)
                n += 4
            }
        }
        let exactFields = (0..<D).filter { exact[$0] }
        let exactWeights = exactFields.map { w.u[$0] }
        let exactIsStudent = exactFields.map { $0 < K }
        let exactCount = exactFields.count
        let exactI = exactFields.firstIndex(of: i)!, exactK = exactFields.firstIndex(of: k)!
        // Outer levels.
        // Caps on the work (`underResolved` when one binds): 240 nodes per level of the domain
        // on two levels (each row's interval is at most columnWidth wide), 2 000 on one.
        var h0 = levels > 0 ? outerStep(level: 0) : 1
        var h1 = levels > 1 ? outerStep(level: 1) : 1
        let perLevel = Double(wholeDisc ? 4000 : ConditionalPairQuadrature.maxNodesPerLevel)
        let perLine = Double(wholeDisc ? 4000 : ConditionalPairQuadrature.maxNodesPerLine)
        if levels == 1 { h0 = capped(h0, 2 * domain.rowExtent / perLine) }
        if levels == 2 {
            h0 = capped(h0, 2 * domain.rowExtent / perLevel)
            h1 = capped(h1, domain.columnWidth / perLevel)
        }
        let w0 = levels > 0 ? ConditionalPairQuadrature.trapezoidWeights(step: h0, radius: radius, extent: domain.rowExtent) : [1]
        let w1 = levels > 1 ? ConditionalPairQuadrature.trapezoidWeights(step: h1, radius: radius, extent: domain.columnExtent) : [1]
        // Half the nodes of level 0 (rows) and 1 kept: all within `radius` for an untruncated pass.
        let full0 = (w0.count - 1) / 2, full1 = (w1.count - 1) / 2
        let symmetric = oddPair && levels > 0
        let diagonal = i == k
        let coefficient0 = (0..<D).map { B[$0 * 2] }, coefficient1 = (0..<D).map { B[$0 * 2 + 1] }
        var s4 = 0.0, j2 = 0.0
        let radiusSquared = radius * radius
        let student = self.student, teacher = self.teacher
        let rowCapacity = 2 * max(full0, full1) + 1
        // Scratch for the pass: the exact fields' g and g' along a row, the interpolated
        // fields (field r: V at r·width, Â_n at r·width + 1 + n), the means and the S3 moments.
        // Then per random field its Lagrange weights at the node and its stencil's first row.
        let scratchCount = 2 * exactCount * rowCapacity + R * width + 2 * D + 8 * R
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: scratchCount)
        defer { scratch.deallocate() }
        scratch.initialize(repeating: 0, count: scratchCount)
        let rowValues = scratch, rowSlopes = scratch + exactCount * rowCapacity
        let out = rowSlopes + exactCount * rowCapacity
        let means = out + R * width, moment = means + D
        let stencilWeights = moment + D
        let stencil = self.stencil
        let stencilStart = UnsafeMutablePointer<Int>.allocate(capacity: max(R, 1))
        defer { stencilStart.deallocate() }
        stencilStart.initialize(repeating: 0, count: max(R, 1))
        fields.withUnsafeBufferPointer { fb in
        coefficients.withUnsafeBufferPointer { cb in
        chunkOffsets.withUnsafeBufferPointer { cob in
        slopeCoefficients.withUnsafeBufferPointer { sb in
        exactWeights.withUnsafeBufferPointer { eb in
        coefficient0.withUnsafeBufferPointer { c0b in
        coefficient1.withUnsafeBufferPointer { c1b in
            let field = fb.baseAddress!, pc = cb.baseAddress!, slopeCoefficient = sb.baseAddress!
            let offsets = cob.baseAddress!, chunks = cob.count
            let exactWeight = eb.baseAddress!, c0 = c0b.baseAddress!, c1 = c1b.baseAddress!
            let rowRange = levels > 1 ? ((symmetric ? full0 : 0)...(2 * full0)) : (0...0)
            for row in rowRange {
                let z0 = levels > 1 ? Double(row - full0) * h0 : 0
                let rowWeight = levels > 1 ? (symmetric && row > full0 ? 2 : 1) * w0[row] : 1
                let hv = levels > 1 ? h1 : h0
                let fullv = levels > 1 ? full1 : full0
                let nodeWeights = levels > 1 ? w1 : w0
                let reach = levels == 0 ? 0 : min(fullv, Int((max(0, radiusSquared - z0 * z0)).squareRoot() / hv))
                // The row's nodes q − reach in low…high: the disc's chord, within the domain.
                var low = -reach, high = reach
                if domain.tail != nil {
                    guard let interval = domain.interval(row: z0, chord: Double(reach) * hv) else { continue }
                    // Within ±reach (the interval is within the chord); a node on the edge is kept.
                    low = max(-reach, Int((interval.low / hv - 1e-9).rounded(.up)))
                    high = min(reach, Int((interval.high / hv + 1e-9).rounded(.down)))
                    guard low <= high else { continue }
                }
                let start = max(levels == 1 && symmetric ? reach : 0, low + reach)
                // g (and g' for i, k) of the exact fields at every node of the row at once: their
                // means are a progression in z (no libm call per node for tanh and sigmoid).
                let count = high - low + 1
                for (e, f) in exactFields.enumerated() {
                    let base = levels > 1 ? coefficient0[f] * z0 : 0
                    let slope = levels > 1 ? coefficient1[f] : (levels == 1 ? coefficient0[f] : 0)
                    JointGaussianQuadrature.fill(exactIsStudent[e] ? student : teacher, mean: base, coefficient: slope,
                                                 lowest: Double(low) * hv, step: hv, count: count,
                                                 values: rowValues + e * rowCapacity + (low + reach),
                                                 slopes: exactIsStudent[e] ? rowSlopes + e * rowCapacity + (low + reach) : nil)
                }
                for q in start...(high + reach) {
                    let z = Double(q - reach) * hv
                    let nodeWeight: Double
                    if levels == 0 {
                        nodeWeight = 1
                    } else {
                        nodeWeight = (levels == 1 && symmetric && q > reach ? 2 : 1) * nodeWeights[q - reach + fullv]
                    }
                    let weight = rowWeight * nodeWeight
                    for f in 0..<D {
                        means[f] = levels > 1 ? c0[f] * z0 + c1[f] * z : (levels == 1 ? c0[f] * z : 0)
                    }
                    var mean = 0.0
                    for e in 0..<exactCount { mean += exactWeight[e] * rowValues[e * rowCapacity + q] }
                    var variance = 0.0
                    // Every field's stencil and weights first, then the interpolations: the fields'
                    // weight computations then run side by side (field by field, each field's
                    // interpolation waited for its own weights).
                    for r in 0..<R {
                        let p = field[r]
                        let t = (means[p.index] - p.lo) * p.inverseSpacing
                        var j0 = Int(t.rounded(.down)) - 3
                        j0 = min(max(j0, 0), p.lastStart)
                        let lw = stencil.weights(at: t - Double(j0))
                        UnsafeMutableRawPointer(stencilWeights + 8 * r).storeBytes(of: lw, as: SIMD8<Double>.self)
                        stencilStart[r] = j0 * p.stride
                    }
                    for r in 0..<R {
                        // 8-point Lagrange interpolation of V and every column needed at m.
                        let p = field[r]
                        let lw = stencilWeights + 8 * r
                        let base = p.row + stencilStart[r]
                        let target = out + r * width
                        // 8 columns at a time, the last 1–4 as one 4-wide vector; the eight terms
                        // summed as a tree (depth 3: a chain of eight dependent additions was the limit).
                        // (`wide`/`narrow` are forced inline: left to the optimizer, the terms
                        // once became a call per term and a third of the run.)
                        let s = p.stride
                        // The weights splat once per field, not once per block.
                        let l0 = SIMD8<Double>(repeating: lw[0]), l1 = SIMD8<Double>(repeating: lw[1])
                        let l2 = SIMD8<Double>(repeating: lw[2]), l3 = SIMD8<Double>(repeating: lw[3])
                        let l4 = SIMD8<Double>(repeating: lw[4]), l5 = SIMD8<Double>(repeating: lw[5])
                        let l6 = SIMD8<Double>(repeating: lw[6]), l7 = SIMD8<Double>(repeating: lw[7])
                        var n = 0
                        while n + 4 < p.columns {
                            let at = base + n
                            let t0: SIMD8<Double> = l0 * Self.wide(at), t1: SIMD8<Double> = l1 * Self.wide(at + s)
                            let t2: SIMD8<Double> = l2 * Self.wide(at + 2 * s), t3: SIMD8<Double> = l3 * Self.wide(at + 3 * s)
                            let t4: SIMD8<Double> = l4 * Self.wide(at + 4 * s), t5: SIMD8<Double> = l5 * Self.wide(at + 5 * s)
                            let t6: SIMD8<Double> = l6 * Self.wide(at + 6 * s), t7: SIMD8<Double> = l7 * Self.wide(at + 7 * s)
                            let low: SIMD8<Double> = (t0 + t1) + (t2 + t3), high: SIMD8<Double> = (t4 + t5) + (t6 + t7)
                            UnsafeMutableRawPointer(target + n).storeBytes(of: low + high, as: SIMD8<Double>.self)
                            n += 8
                        }
                        if n < p.columns {
                            let at = base + n
                            let t0: SIMD4<Double> = l0.lowHalf * Self.narrow(at), t1: SIMD4<Double> = l1.lowHalf * Self.narrow(at + s)
                            let t2: SIMD4<Double> = l2.lowHalf * Self.narrow(at + 2 * s), t3: SIMD4<Double> = l3.lowHalf * Self.narrow(at + 3 * s)
                            let t4: SIMD4<Double> = l4.lowHalf * Self.narrow(at + 4 * s), t5: SIMD4<Double> = l5.lowHalf * Self.narrow(at + 5 * s)
                            let t6: SIMD4<Double> = l6.lowHalf * Self.narrow(at + 6 * s), t7: SIMD4<Double> = l7.lowHalf * Self.narrow(at + 7 * s)
                            let low: SIMD4<Double> = (t0 + t1) + (t2 + t3), high: SIMD4<Double> = (t4 + t5) + (t6 + t7)
                            let acc = low + high
                            UnsafeMutableRawPointer(target + n).storeBytes(of: acc, as: SIMD4<Double>.self)
                        }
                        let a0 = target[1], u = p.u
                        mean += u * a0
                        variance += u * u * (target[0] - a0 * a0)
                    }
                    // Mehler: Σ_pairs Σ_n c_n Â_{c,n} Â_{d,n}, n ≥ 1 (a padded coefficient is 0, and
                    // the Â it meets is a finite value of the field's row: `width` leaves room).
                    // Two sums, alternate chunks: one chain of dependent additions was the loop's limit.
                    var crossEven = SIMD4<Double>(), crossOdd = SIMD4<Double>()
                    var chunk = 0
                    while chunk + 2 <= chunks {
                        let o0 = offsets[chunk], o1 = offsets[chunk + 1]
                        let c4 = UnsafeRawPointer(pc + 4 * chunk).loadUnaligned(as: SIMD4<Double>.self)
                        let a4 = UnsafeRawPointer(out + (o0 & 0xFFFF_FFFF)).loadUnaligned(as: SIMD4<Double>.self)
                        let b4 = UnsafeRawPointer(out + (o0 >> 32)).loadUnaligned(as: SIMD4<Double>.self)
                        crossEven += c4 * a4 * b4
                        let d4 = UnsafeRawPointer(pc + 4 * chunk + 4).loadUnaligned(as: SIMD4<Double>.self)
                        let e4 = UnsafeRawPointer(out + (o1 & 0xFFFF_FFFF)).loadUnaligned(as: SIMD4<Double>.self)
                        let f4 = UnsafeRawPointer(out + (o1 >> 32)).loadUnaligned(as: SIMD4<Double>.self)
                        crossOdd += d4 * e4 * f4
                        chunk += 2
                    }
                    if chunk < chunks {
                        let o0 = offsets[chunk]
                        let c4 = UnsafeRawPointer(pc + 4 * chunk).loadUnaligned(as: SIMD4<Double>.self)
                        let a4 = UnsafeRawPointer(out + (o0 & 0xFFFF_FFFF)).loadUnaligned(as: SIMD4<Double>.self)
                        let b4 = UnsafeRawPointer(out + (o0 >> 32)).loadUnaligned(as: SIMD4<Double>.self)
                        crossEven += c4 * a4 * b4
                    }
                    variance += (crossEven + crossOdd).sum()
                    let slopeI = rowSlopes[exactI * rowCapacity + q]
                    let slopeK = rowSlopes[exactK * rowCapacity + q]
                    let a = weight * slopeI * slopeK
                    j2 += a
                    s4 += a * (mean * mean + variance)
                    if diagonal {
                        for b in 0..<D { moment[b] = means[b] * mean }
                        for r in 0..<R {
                            let slope = out[r * width + 2]
                            for b in 0..<D { moment[b] += slopeCoefficient[r * D + b] * slope }
                        }
                        let row = w.s3 + i * D
                        let ws = weight * slopeI
                        for b in 0..<D { row[b] += ws * moment[b] }
                        w.s2[i] += weight * rowValues[exactI * rowCapacity + q] * mean
                    }
                }
            }
        }
        }
        }
        }
        }
        }
        }
        w.s4[pair] = s4
        w.j2[pair] = j2
    }

    /// What a node of `pass` reads of one random field: its index, its table's grid and rows
    /// (`Table`), how many columns of a row it interpolates, and its weight u_c.
    private struct InterpolatedField {
        let index: Int
        let lo: Double, inverseSpacing: Double
        /// The last grid point an 8-point stencil may start at.
        let lastStart: Int
        let row: UnsafePointer<Double>
        let stride: Int
        /// V and Â_0 … Â_used: the columns a node needs (read in whole vectors, up to 7 more).
        let columns: Int
        let u: Double
    }

    /// Eight (four) doubles from an address aligned to 8 bytes.
    @inline(__always)
    private static func wide(_ p: UnsafePointer<Double>) -> SIMD8<Double> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Double>.self) }
    @inline(__always)
    private static func narrow(_ p: UnsafePointer<Double>) -> SIMD4<Double> { UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Double>.self) }
}

extension Array where Element == Double {
    /// `count` zeros, reusing the storage.
    fileprivate mutating func resize(_ count: Int) {
        removeAll(keepingCapacity: true)
        append(contentsOf: repeatElement(0, count: count))
    }
}
