import RealModule

/// All the Gaussian averages of one right-hand side for a smooth non-polynomial student (tanh,
/// sigmoid, softplus, GELU) with a kinked teacher (ReLU at M ≥ 2, `sign` at any M), by one
/// tensor rule over the joint Gaussian of the D = K + M fields with the TEACHER fields first
/// (docs/numerics.md "Smooth students with kinked teachers").
///
/// The terms are those of `JointGaussianQuadrature` (S3(i, b) = E[g'(λ_i) x_b Δ],
/// S4(i, k) = E[g'(λ_i) g'(λ_k) Δ²], J2, S2 = E[g(λ_i) Δ], Δ = Σ_c u_c g_c(x_c)): none needs the
/// teacher's derivative, so a `sign` teacher's g' = 2δ never appears.
///
/// - x = L·z, L the Cholesky factor of C with the teacher fields first, then the students; a
///   pivot whose residual variance is ≤ 1e-14·C_ff adds no level. The teacher fields vary only
///   on the first levels (the "kinked levels", one per teacher pivot); every later level moves
///   student fields only, whose activations are smooth.
/// - On a kinked level j, each teacher field f still varying has its kink at the known point
///   z_j = −mean_f/L_fj given the earlier levels (0 for the first teacher). The level is split
///   there and each side integrated by 10-point Gauss–Legendre panels no wider than
///   `widestPanel` and than 0.7·d/|L_fj| for every student field varying at j (d the distance of
///   the activation's nearest singularity from the axis, `strip`): on each side the integrand is
///   a polynomial piece of the teacher times functions analytic in a strip, where the panel rule
///   converges geometrically (≤ 1e-12 at these widths, measured). A teacher field that still varies on a
///   later kinked level (its own pivot comes later) is a kink smoothed on the scale
///   s = √(Σ_{j' > j} L_fj'²)/|L_fj| here: nearly parallel teachers make s tiny, a near-step
///   whose panels are graded towards the point (from s/2, doubling, as `NestedGaussian`).
///   A teacher field with no pivot of its own (exactly dependent on earlier teachers) has its
///   kink at its last level, split there too. The nodes stay in the ball |z| ≤ 8: level j
///   integrates over [−r, r] with r² = 64 − Σ_{j' < j} z_j'² (the Gaussian mass outside is
///   ≤ 4e-13 for D = 4, ≈ 7e-12 for D = 6).
/// - The later (student) levels take `JointGaussianQuadrature`'s trapezoid (its strip-based
///   step per coefficient, the ball of nodes, g and g' by progressions for tanh and sigmoid).
///   A student aligned with a teacher (correlation → 1) has a small coefficient on its own
///   level and a large one on the teacher's: the teacher level's panels narrow to the
///   student's strip, the student's level widens: nothing degrades at correlation 1 (the
///   student then has no level of its own and is evaluated on the teacher's nodes). A student
///   of zero norm is the constant g(0).
/// - The last level, when one student field alone varies there (the usual case), is reduced to
///   thirteen one-dimensional sums of that field's g and g' (`lastLevelSums`); otherwise every
///   node is accumulated.
/// - Both activations odd (tanh with sign): every integrand is even under z → −z and the first
///   level's kink is at 0, so its half z ≥ 0 is taken, doubled.
///
/// Cost: `estimatedSeconds`. No randomness: the adaptive integrator needs a deterministic
/// right-hand side.
final class KinkedTeacherQuadrature {
    let K: Int, M: Int, D: Int
    let student: Activation, teacher: Activation
    /// Scales every panel width and trapezoid step down (tests' self-convergence reference).
    let refine: Double
    /// −ln of the error each trapezoid step aims at (as `JointGaussianQuadrature`).
    let exponent: Double
    /// Student odd and teacher odd: half the first level.
    let oddPair: Bool
    static let radius = 8.0
    /// The widest Gauss–Legendre panel on a kinked level (z units).
    static let widestPanel = 3.0
    /// The narrowest panel: at most 48 panels (480 nodes) over [−8, 8] on a kinked level.
    static let narrowestPanel = 2 * radius / 48
    /// Set when a panel width or step was raised to its cap (the error model asked for more);
    /// `ODERightHandSide.takeUnderResolved` reads and clears it.
    var underResolved = false
    /// 10-point Gauss–Legendre on [0, 1].
    static let legendre = GaussLegendre.rule(points: 10)
    /// Room for the break points of one kinked level: the ends, and per teacher field a kink
    /// with up to 2·48 graded points.
    private let breakCapacity: Int

    // Scratch, allocated once: the hot loops read these pointers, never class properties.
    private let base: UnsafeMutablePointer<Double>
    let L: UnsafeMutablePointer<Double>  // L[f·D + j], j a level
    let means: UnsafeMutablePointer<Double>  // (D + 1)·D: field means before level j
    let values: UnsafeMutablePointer<Double>
    let slopes: UnsafeMutablePointer<Double>
    let fieldMoment: UnsafeMutablePointer<Double>
    let steps: UnsafeMutablePointer<Double>
    /// √(Σ_{j' > j} L_fj'²), per field and level: how much later levels smooth field f's kink.
    let residual: UnsafeMutablePointer<Double>
    let lastLevel: UnsafeMutablePointer<Int>
    let weights: UnsafeMutablePointer<Double>
    let nodeValues: UnsafeMutablePointer<Double>
    let nodeSlopes: UnsafeMutablePointer<Double>
    let breaks: UnsafeMutablePointer<Double>
    let glNodes: UnsafeMutablePointer<Double>
    let glWeights: UnsafeMutablePointer<Double>
    /// Levels whose pivot is a teacher field (the first `kinkedLevels` levels).
    var kinkedLevels = 0
    /// The last level's one varying student field (−1: none, every node is accumulated).
    var lastField = -1

    init(K: Int, M: Int, student: Activation, teacher: Activation, refine: Double = 1, exponent: Double = 27) {
        self.K = K
        self.M = M
        D = K + M
        self.student = student
        self.teacher = teacher
        self.refine = refine
        self.exponent = exponent
        oddPair = student.declaration.parity == .odd && teacher.declaration.parity == .odd
        let D = K + M
        let total = D * D + (D + 1) * D + 5 * D + D * D
        base = .allocate(capacity: total)
        base.initialize(repeating: 0, count: total)
        L = base
        means = L + D * D
        values = means + (D + 1) * D
        slopes = values + D
        fieldMoment = slopes + D
        steps = fieldMoment + D
        residual = steps + D
        lastLevel = .allocate(capacity: D)
        lastLevel.initialize(repeating: -1, count: D)
        let points = JointGaussianQuadrature.maxLevelPoints
        weights = .allocate(capacity: D * points)
        weights.initialize(repeating: 0, count: D * points)
        nodeValues = .allocate(capacity: D * D * points)
        nodeValues.initialize(repeating: 0, count: D * D * points)
        nodeSlopes = .allocate(capacity: D * D * points)
        nodeSlopes.initialize(repeating: 0, count: D * D * points)
        breakCapacity = 2 + M * 100
        breaks = .allocate(capacity: max(1, M) * breakCapacity)
        breaks.initialize(repeating: 0, count: max(1, M) * breakCapacity)
        let rule = KinkedTeacherQuadrature.legendre
        glNodes = .allocate(capacity: rule.nodes.count)
        glWeights = .allocate(capacity: rule.nodes.count)
        for q in rule.nodes.indices {
            glNodes[q] = rule.nodes[q]
            glWeights[q] = rule.weights[q]
        }
    }

    deinit {
        base.deallocate()
        lastLevel.deallocate()
        weights.deallocate()
        nodeValues.deallocate()
        nodeSlopes.deallocate()
        breaks.deallocate()
        glNodes.deallocate()
        glWeights.deallocate()
    }

    /// Whether a pair takes this method: a smooth non-polynomial student that is not erf (the
    /// students of `JointGaussianQuadrature`) with a kinked teacher that
    /// `JointGaussianQuadrature` does not take (ReLU at M = 1 keeps its closed last level).
    static func applies(student: Activation, teacher: Activation, M: Int) -> Bool {
        let s = student.declaration
        guard s.kink == .none, s.polynomial == nil, student != .erf, teacher.declaration.kink != .none else { return false }
        return !JointGaussianQuadrature.applies(student: student, teacher: teacher, M: M)
    }

    /// The distance of a student activation's nearest complex singularity from the real axis,
    /// for the panel width: tanh π/2, sigmoid and softplus π (poles, log branch points at
    /// x = ±iπ); GELU is entire but grows like e^{y²/2} off the axis: 1, as `GaussianFactor.strip`.
    static func strip(_ g: Activation) -> Double {
        switch g {
        case .tanh: return Double.pi / 2
        case .sigmoid, .softplus: return Double.pi
        default: return GaussianFactor(g, .value).strip ?? 1
        }
    }

    /// Fills w.s3, w.s4, w.j2 and w.s2 (`secondLayer` is accepted for the common signature: S2
    /// costs nothing extra here).
    func evaluate(_ w: ODEWorkspace.View, secondLayer: Bool) {
        let D = self.D
        guard w.startTerms() else { return }
        let rank = prepare(w.C)
        levelCount = rank
        for f in 0..<D {
            means[f] = 0
            if lastLevel[f] < 0 { fix(f, at: 0) }
        }
        level(0, rank: rank, weight: 1, radiusSquared: 0, w)
    }

    /// The Cholesky factor with the teachers first, the levels' steps and weights; returns the
    /// rank (the number of levels).
    @discardableResult
    func prepare(_ C: UnsafePointer<Double>) -> Int {
        let D = self.D, K = self.K, L = self.L
        for index in 0..<(D * D) { L[index] = 0 }
        var pivots: [Int] = []
        pivots.reserveCapacity(D)
        // The teachers first, then the students.
        PivotedCholesky.factor(C, n: D, order: (0..<D).lazy.map { $0 < self.M ? self.K + $0 : $0 - self.M }, into: L, pivots: &pivots)
        kinkedLevels = pivots.reduce(0) { $0 + ($1 >= K ? 1 : 0) }
        let rank = pivots.count
        for f in 0..<D {
            lastLevel[f] = -1
            var tail = 0.0
            for j in stride(from: rank - 1, through: 0, by: -1) {
                residual[f * D + j] = tail.squareRoot()
                tail += L[f * D + j] * L[f * D + j]
                if lastLevel[f] < 0, L[f * D + j] != 0 { lastLevel[f] = j }
            }
        }
        lastField = -1
        if rank > kinkedLevels {
            var found = -1, count = 0
            for f in 0..<D where L[f * D + rank - 1] != 0 {
                found = f
                count += 1
            }
            if count == 1, found < K { lastField = found }
        }
        let points = JointGaussianQuadrature.maxLevelPoints
        for j in 0..<rank {
            if j < kinkedLevels {
                // The panel width for the student fields varying here (teachers are split).
                var h = KinkedTeacherQuadrature.widestPanel
                // 0.7 of the strip: with the pole one panel width away (factor 1) a student
                // aligned with the teacher (a pole of order 6 in g'²g²) was 9e-11 off; at 0.7 the
                // Bernstein ellipse grows from ρ ≈ 4.2 to 5.9, ≈ 1e-3 of that error.
                let s = 0.7 * KinkedTeacherQuadrature.strip(student)
                for f in 0..<K {
                    let c = abs(L[f * D + j])
                    if c > 0 { h = min(h, s / c) }
                }
                // A cap on the work (as the trapezoid's node cap): a student of scale beyond
                // ≈ 3.3 (tanh) on this level is resolved less accurately, not at any cost.
                if h < KinkedTeacherQuadrature.narrowestPanel { underResolved = true }
                steps[j] = max(h, KinkedTeacherQuadrature.narrowestPanel) / refine
                continue
            }
            var h = 0.5
            let order = 6.0  // g'²g² of one field: sech⁴·tanh², a pole of order 6
            for f in 0..<K {
                let c = abs(L[f * D + j])
                guard c > 0 else { continue }
                h = min(h, JointGaussianQuadrature.step(student, coefficient: c, factors: 4, exponent: exponent, poleOrder: order))
            }
            h /= refine
            let minimum = 2 * KinkedTeacherQuadrature.radius / Double(points - 1)
            if h < minimum { underResolved = true }
            steps[j] = max(h, minimum)
            let full = Int(KinkedTeacherQuadrature.radius / steps[j])
            let row = weights + j * points
            var norm = 0.0
            for q in -full...full { let z = Double(q) * steps[j]; norm += Double.exp(-z * z / 2) }
            for q in -full...full { let z = Double(q) * steps[j]; row[q + full] = Double.exp(-z * z / 2) / norm }
        }
        return rank
    }

    @inline(__always)
    private func fix(_ f: Int, at x: Double) {
        if f < K {
            values[f] = student.value(x)
            slopes[f] = student.derivative(x)
        } else {
            values[f] = teacher.value(x)
        }
    }

    private func level(_ j: Int, rank: Int, weight: Double, radiusSquared: Double, _ w: ODEWorkspace.View) {
        if j == rank {
            leaf(weight: weight, w)
            return
        }
        if j < kinkedLevels {
            kinkedLevel(j, rank: rank, weight: weight, radiusSquared: radiusSquared, w)
        } else {
            smoothLevel(j, rank: rank, weight: weight, radiusSquared: radiusSquared, w)
        }
    }

    /// Every field fixed: one node's contribution.
    private func leaf(weight: Double, _ w: ODEWorkspace.View) {
        let D = self.D
        var delta = 0.0
        for c in 0..<D { delta += w.u[c] * values[c] }
        accumulateNode(weight: weight, delta: delta, w)
    }

    /// A kinked level: split at every varying teacher field's kink, Gauss–Legendre panels.
    private func kinkedLevel(_ j: Int, rank: Int, weight: Double, radiusSquared: Double, _ w: ODEWorkspace.View) {
        let D = self.D, K = self.K
        let current = means + j * D, next = current + D
        let room = max(0, KinkedTeacherQuadrature.radius * KinkedTeacherQuadrature.radius - radiusSquared)
        let reach = room.squareRoot()
        guard reach > 0 else { return }
        let h = steps[j]
        let symmetric = j == 0 && oddPair
        let bounds = breaks + j * breakCapacity
        var count = 0
        bounds[count] = symmetric ? 0 : -reach
        count += 1
        bounds[count] = reach
        count += 1
        for f in K..<D where lastLevel[f] >= j {
            let c = L[f * D + j]
            guard c != 0 else { continue }
            let point = -current[f] / c
            guard abs(point) < reach else { continue }
            if !(symmetric && point <= 0) {
                bounds[count] = point
                count += 1
            }
            let fine = residual[f * D + j] / abs(c)
            if fine > 0, fine < h {
                var size = max(fine / 2, 1e-12)
                while size < h, count + 2 <= breakCapacity {
                    for p in [point - size, point + size] where abs(p) < reach && !(symmetric && p <= 0) {
                        bounds[count] = p
                        count += 1
                    }
                    size *= 2
                }
            }
        }
        // Insertion sort (a few dozen points at most).
        if count > 2 {
            for a in 1..<count {
                let key = bounds[a]
                var b = a - 1
                while b >= 0, bounds[b] > key {
                    bounds[b + 1] = bounds[b]
                    b -= 1
                }
                bounds[b + 1] = key
            }
        }
        let factor = symmetric ? 2.0 : 1.0
        let n = KinkedTeacherQuadrature.legendre.nodes.count
        for p in 0..<(count - 1) {
            let lo = bounds[p], hi = bounds[p + 1]
            guard hi > lo else { continue }
            let pieces = Int(((hi - lo) / h).rounded(.up))
            let width = (hi - lo) / Double(pieces)
            for piece in 0..<pieces {
                let a = lo + Double(piece) * width
                for q in 0..<n {
                    let z = a + width * glNodes[q]
                    let wq = factor * width * glWeights[q] * Activation.normalDensity(z)
                    for f in 0..<D {
                        let x = current[f] + L[f * D + j] * z
                        next[f] = x
                        if lastLevel[f] == j { fix(f, at: x) }
                    }
                    level(j + 1, rank: rank, weight: weight * wq, radiusSquared: radiusSquared + z * z, w)
                }
            }
        }
    }

    /// A student level: the trapezoid of `JointGaussianQuadrature`.
    private func smoothLevel(_ j: Int, rank: Int, weight: Double, radiusSquared: Double, _ w: ODEWorkspace.View) {
        let D = self.D, K = self.K
        let points = JointGaussianQuadrature.maxLevelPoints
        let h = steps[j]
        let current = means + j * D, next = current + D
        let radius = KinkedTeacherQuadrature.radius
        let full = Int(radius / h)
        let rule = weights + j * points + full
        let room = max(0, radius * radius - radiusSquared)
        let reach = min(full, Int(room.squareRoot() / h))
        let lowest = -Double(reach) * h, count = 2 * reach + 1
        if j == rank - 1, lastField >= 0 {
            lastLevelSums(j, weight: weight, lowest: lowest, count: count, rule: rule - reach, w)
            return
        }
        for f in 0..<K where lastLevel[f] == j {
            let offset = (j * D + f) * points
            JointGaussianQuadrature.fill(student, mean: current[f], coefficient: L[f * D + j], lowest: lowest, step: h,
                                         count: count, values: nodeValues + offset, slopes: nodeSlopes + offset)
        }
        for q in 0..<count {
            let z = lowest + Double(q) * h
            let wq = rule[q - reach]
            for f in 0..<D {
                next[f] = current[f] + L[f * D + j] * z
                if f < K, lastLevel[f] == j {
                    let offset = (j * D + f) * points + q
                    values[f] = nodeValues[offset]
                    slopes[f] = nodeSlopes[offset]
                }
            }
            level(j + 1, rank: rank, weight: weight * wq, radiusSquared: radiusSquared + z * z, w)
        }
    }

    /// The last level with one student field s varying: the thirteen sums over its nodes of
    /// 1, g, g², z, z·g (A), g'·(1, g, g², z, z·g) (B) and g'²·(1, g, g²) (C), from which every
    /// term follows (Δ = a + u_s g with a the fixed fields' part).
    private func lastLevelSums(_ j: Int, weight: Double, lowest: Double, count: Int, rule: UnsafePointer<Double>,
                               _ w: ODEWorkspace.View) {
        let D = self.D, K = self.K, s = lastField
        let points = JointGaussianQuadrature.maxLevelPoints
        let current = means + j * D
        let m = current[s], c = L[s * D + j], h = steps[j]
        let gv = nodeValues + (j * D + s) * points, gp = nodeSlopes + (j * D + s) * points
        JointGaussianQuadrature.fill(student, mean: m, coefficient: c, lowest: lowest, step: h, count: count,
                                     values: gv, slopes: gp)
        // SIMD4 accumulators (plain products and sums: no addingProduct, a libm call per lane).
        var va0 = SIMD4<Double>(), va1 = SIMD4<Double>(), va2 = SIMD4<Double>(), vaz = SIMD4<Double>(), vazg = SIMD4<Double>()
        var vb0 = SIMD4<Double>(), vb1 = SIMD4<Double>(), vb2 = SIMD4<Double>(), vbz = SIMD4<Double>(), vbzg = SIMD4<Double>()
        var vc0 = SIMD4<Double>(), vc1 = SIMD4<Double>(), vc2 = SIMD4<Double>()
        var zv = SIMD4<Double>(lowest, lowest + h, lowest + 2 * h, lowest + 3 * h)
        let advance = SIMD4<Double>(repeating: 4 * h)
        var q = 0
        while q + 4 <= count {
            let wq = UnsafeRawPointer(rule + q).loadUnaligned(as: SIMD4<Double>.self)
            let g = UnsafeRawPointer(gv + q).loadUnaligned(as: SIMD4<Double>.self)
            let p = UnsafeRawPointer(gp + q).loadUnaligned(as: SIMD4<Double>.self)
            let wg = wq * g, wp = wq * p
            let wpg = wp * g, wpp = wp * p
            let wppg = wpp * g
            va0 += wq
            va1 += wg
            va2 += wg * g
            vaz += wq * zv
            vazg += wg * zv
            vb0 += wp
            vb1 += wpg
            vb2 += wpg * g
            vbz += wp * zv
            vbzg += wpg * zv
            vc0 += wpp
            vc1 += wppg
            vc2 += wppg * g
            zv += advance
            q += 4
        }
        var a0 = va0.sum(), a1 = va1.sum(), a2 = va2.sum(), az = vaz.sum(), azg = vazg.sum()
        var b0 = vb0.sum(), b1 = vb1.sum(), b2 = vb2.sum(), bz = vbz.sum(), bzg = vbzg.sum()
        var c0 = vc0.sum(), c1 = vc1.sum(), c2 = vc2.sum()
        while q < count {
            let z = lowest + Double(q) * h
            let wq = rule[q], g = gv[q], p = gp[q]
            let wg = wq * g, wp = wq * p, wpg = wp * g, wpp = wp * p
            a0 += wq
            a1 += wg
            a2 += wg * g
            az += wq * z
            azg += wg * z
            b0 += wp
            b1 += wpg
            b2 += wpg * g
            bz += wp * z
            bzg += wpg * z
            c0 += wpp
            c1 += wpp * g
            c2 += wpp * g * g
            q += 1
        }
        var a = 0.0
        for f in 0..<D where f != s { a += w.u[f] * values[f] }
        let us = w.u[s]
        let eDelta = a * a0 + us * a1
        let eDelta2 = a * a * a0 + 2 * a * us * a1 + us * us * a2
        let ezDelta = a * az + us * azg
        let ePDelta = a * b0 + us * b1
        let ePDelta2 = a * a * b0 + 2 * a * us * b1 + us * us * b2
        let ezPDelta = a * bz + us * bzg
        let eP2Delta2 = a * a * c0 + 2 * a * us * c1 + us * us * c2
        let eGDelta = a * a1 + us * a2
        var pair = 0
        for i in 0..<K {
            let row = w.s3 + i * D
            if i != s {
                let si = weight * slopes[i]
                w.s2[i] += weight * values[i] * eDelta
                for b in 0..<D { row[b] += si * current[b] * eDelta }
                row[s] += si * c * ezDelta
                for k in i..<K {
                    if k != s {
                        w.j2[pair] += si * slopes[k] * a0
                        w.s4[pair] += si * slopes[k] * eDelta2
                    } else {
                        w.j2[pair] += si * b0
                        w.s4[pair] += si * ePDelta2
                    }
                    pair += 1
                }
            } else {
                w.s2[i] += weight * eGDelta
                for b in 0..<D { row[b] += weight * current[b] * ePDelta }
                row[s] += weight * c * ezPDelta
                for k in i..<K {
                    if k != s {
                        w.j2[pair] += weight * slopes[k] * b0
                        w.s4[pair] += weight * slopes[k] * ePDelta2
                    } else {
                        w.j2[pair] += weight * c0
                        w.s4[pair] += weight * eP2Delta2
                    }
                    pair += 1
                }
            }
        }
    }

    /// One node with every field fixed (the fields' values in `means + rank·D`).
    @inline(__always)
    private func accumulateNode(weight: Double, delta: Double, _ w: ODEWorkspace.View) {
        let K = self.K, D = self.D
        // The fields at this node: the means after the last level.
        let x = means + levelCount * D
        var pair = 0
        for i in 0..<K {
            let a = weight * slopes[i]
            w.s2[i] += weight * values[i] * delta
            let row = w.s3 + i * D
            let ad = a * delta
            for b in 0..<D { row[b] += ad * x[b] }
            for k in i..<K {
                let ak = a * slopes[k]
                w.j2[pair] += ak
                w.s4[pair] += ak * delta * delta
                pair += 1
            }
        }
    }

    /// The rank of the last `prepare` (the index of the means after every level).
    private var levelCount = 0

    /// Rough seconds of one right-hand side on one core (release), for the cost bound
    /// (`ODEResources.rightHandSideCost`). Counted at a drawn start (students nearly orthogonal
    /// to the teachers, every variance ≈ 1): M kinked levels of 2·⌈8/3⌉·10 = 60 Gauss–Legendre
    /// nodes (panels at the widest), K student levels of 2·⌊8/h⌋ + 1 trapezoid nodes (h the
    /// step at coefficient 1: tanh 69, sigmoid and softplus 33, GELU 43), the last of them
    /// summed per prefix; the ball keeps V_d/2^d of the d = D − 1 outer levels, halved for an
    /// odd pair. Per prefix 60 ns + 1 ns·(K·D + K²) + 1 ns per last-level node, fitted to
    /// `sgdyn bench --ode-pairs` at t = 1 (docs/measurements.md "General pairs": tanh/sign
    /// K = M = 2 9.3 ms, this count 9.3 ms; sigmoid/ReLU K = 3, M = 2 137 ms, 142 ms). As units
    /// align with teachers during learning, the teacher levels' panels narrow (strip/coefficient)
    /// while the student levels widen: `learningFactor` is the measured mean over a t = 1000 run
    /// relative to its start (tanh/ReLU K = M = 2).
    static func estimatedSeconds(K: Int, M: Int, student: Activation, teacher: Activation) -> Double {
        let D = K + M
        let kinkedNodes = 2 * (radius / widestPanel).rounded(.up) * Double(legendre.nodes.count)
        let h = JointGaussianQuadrature.step(student, coefficient: 1, factors: 4)
        let smoothNodes = Double(2 * Int(radius / h) + 1)
        func ballFraction(_ d: Int) -> Double {
            Double.pow(Double.pi, Double(d) / 2) / (Double.exp(Double.logGamma(Double(d) / 2 + 1)) * Double.pow(2, Double(d)))
        }
        var cube = 1.0
        for _ in 0..<M { cube *= kinkedNodes }
        for _ in 0..<(K - 1) { cube *= smoothNodes }
        let prefixes = cube * ballFraction(D - 1)
        let half = student.declaration.parity == .odd && teacher.declaration.parity == .odd ? 0.5 : 1
        return learningFactor(student, teacher) * half * prefixes * (60e-9 + Double(K * D + K * K) * 1e-9 + smoothNodes * 1e-9)
    }

    /// The mean cost of a t = 1000 run over its start's (see `estimatedSeconds`): as units align
    /// with teachers the kinked levels' panels narrow to 0.7·strip/coefficient. Measured with a
    /// ReLU teacher: tanh/ReLU K = M = 2 47.3 ms mean (1 220 right-hand sides) against ≈ 18.6 ms
    /// at its start (twice the odd tanh/sign pair's 9.3 ms), 2.54 → 2.6; sigmoid/ReLU K = M = 2
    /// 12.5 ms mean (662 right-hand sides) against 6.5 ms counted at the start, 1.9 (softplus,
    /// the same strip, taken alike). GELU (strip 1, not measured): tanh's 2.6 times the square of
    /// the strips' ratio (π/2)², 6.4. Sign: the students' norms grow as they approach the step —
    /// tanh/sign K = 2, M = 1 578 µs mean (7 190 right-hand sides) against this count's 0.22 ms
    /// at the start, 2.6 — at least 3.
    static func learningFactor(_ student: Activation, _ teacher: Activation) -> Double {
        let base: Double
        switch student {
        case .tanh: base = 2.6
        case .sigmoid, .softplus: base = 1.9
        default: base = 6.4
        }
        return teacher.declaration.kink == .step ? max(3, base) : base
    }
}
