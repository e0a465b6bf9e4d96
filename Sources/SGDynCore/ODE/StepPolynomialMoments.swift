import RealModule

/// Exact Gaussian averages of steps times polynomials,
///
///   E[Π_{l < r} θ(y_l)·y_l^{a_l} · Π_{f < q} p_f(t_f)],
///
/// for r ≤ 3 step fields y, q ≤ 2 polynomial fields t (polynomials p_f of degree ≤ 16), all
/// jointly Gaussian with mean 0 and any covariance, singular included: the integrals of a ReLU
/// student (g' = θ, g(y) = y·θ(y)) with a polynomial teacher (ODERightHandSide+ReLUPolynomial;
/// docs/numerics.md "General pairs").
///
/// Method (Gaussian integration by parts, E[x_v G(x)] = Σ_j C_vj E[∂_j G(x)]): peel one power
/// at a time, of a polynomial field first. ∂ of t^n is n·t^{n−1}; ∂ of y^a θ(y) is a·y^{a−1}θ(y)
/// for a > 0 and δ(y) for a = 0, which conditions on y = 0 with the weight 1/√(2π C_yy) and
/// removes that field. No power ever grows, so every average the recursion meets is an entry of
/// one table T_S[e] over the exponent vectors e ≤ (a, deg p) and the sets S of step fields
/// conditioned to 0 (at most 8), filled bottom-up:
///
///   T_S[e] = Σ_{j ∉ S} C^S_vj·{ e'_j·T_S[e' − 1_j]                    if e'_j > 0,
///                               T_{S∪j}[e'] / √(2π C^S_jj)            if e'_j = 0, j a step field },
///
/// with v the last field of e with e_v > 0, e' = e − 1_v, C^S the covariance given the fields of S
/// are 0, and T_S[0] the orthant probability of the step fields outside S under C^S (closed for
/// ≤ 3 fields: ½, ¼ + asin ρ/2π, ⅛ + Σ asin ρ/4π). The average is then Σ_n p_n·T_∅[(a, n)].
/// Only step fields are ever divided by (their conditional variances), so a polynomial field may
/// be anything — a combination of the step fields, or of variance 0 — and its residual given the
/// steps needs no regression (no division by a nearly singular block).
///
/// Nearly parallel step fields: every conditional covariance is a 2×2 minor
/// (C_jj C_ab − C_aj C_jb)/C_jj by Kahan's fused multiply–add algorithm (`minor`), good to a few
/// ulps of itself, and the orthant probabilities' arcsines are atan2(C_ab, √det). The δ terms
/// reached through the two fields of a nearly parallel pair cancel to O(√(1 − ρ²)); each must be
/// accurate for that, and a plainly rounded C_kk − C_jk²/C_jj left 9e-8 at 1 − ρ² = 3e-9. So
/// fields are merged only when they are copies up to rounding (1 − ρ² ≤ `mergeThreshold`;
/// y_v = c·y_u, anti-parallel ones make the average 0), not at `ReLUMoments`' 3e-12 — merging
/// errs by O(√(1 − ρ²)), 8e-8 measured at 1e-12. A step field of variance 0 makes the average 0
/// (ReLU's g'(0) = 0, as `Activation.derivative` takes it), and a conditional variance that is
/// 0 up to its rounding (`degenerate`) adds no δ term and counts θ = ½ in the orthant
/// probability (`ReLUMoments.orthant`'s convention: the two δ terms of a coinciding pair then add
/// up). Nothing divides by a quantity that can be 0.
///
/// Cost: Σ_S (table entries)·(fields) multiply-adds and ≤ 6 arcsines; the I4 of a ReLU student
/// with a He₃ teacher field (three step fields, t³) is ≈ 50 table entries. Allocates nothing:
/// the tables live in a `StepPolynomialScratch`.
struct StepPolynomialMoments {
    static let maxSteps = 3, maxPolynomials = 2, maxFields = 5
    /// The highest power of a step field (after merging) and degree of a polynomial accepted.
    static let maxStepPower = 3, maxDegree = 16

    /// Rough seconds of one average on one core (release build) with a teacher of degree d, for
    /// `ODEResources.rightHandSideCost`: 0.5 µs·(1 + d/4), at the high end of what
    /// `sgdyn bench --ode-pairs` measured per right-hand side less the ReLU/ReLU part, divided
    /// by the number of averages (docs/measurements.md "General pairs"): He₃ 0.4 µs (K = M = 2),
    /// 0.5 µs (K = 4, M = 1), 0.6 µs (K = 8, M = 1); degree 8, K = 4, M = 2: 1.1 µs.
    static func estimatedSeconds(degree d: Int) -> Double {
        0.5e-6 * (1 + Double(max(0, d)) / 4)
    }

    /// Covariance of the fields, row-major with stride 5: step fields first, then polynomial ones.
    var covariance = SIMD32<Double>()
    var steps = 0
    var polynomials = 0
    /// a_l for step fields, deg p_f for polynomial ones (at index steps + f).
    var power = SIMD8<Int>()
    /// The polynomials' monomial coefficients (p_f(t) = Σ_n coefficients_f[n]·tⁿ).
    var coefficients: (UnsafePointer<Double>?, UnsafePointer<Double>?) = (nil, nil)

    @inline(__always)
    subscript(i: Int, j: Int) -> Double {
        get { covariance[i &* 5 &+ j] }
        set { covariance[i &* 5 &+ j] = newValue }
    }

    /// The problem over fields of the D×D covariance C: `stepFields` with powers `stepPowers`
    /// (the first `stepCount`), then the polynomial fields with their coefficients (degree =
    /// count − 1). The same index may appear more than once (merged below).
    init(_ C: UnsafePointer<Double>, D: Int, stepFields: SIMD4<Int>, stepPowers: SIMD4<Int>, stepCount: Int,
         polynomialFields: SIMD2<Int>, polynomialCount: Int,
         first: UnsafePointer<Double>?, firstCount: Int, second: UnsafePointer<Double>?, secondCount: Int) {
        precondition(stepCount <= Self.maxSteps && polynomialCount <= Self.maxPolynomials)
        var index = SIMD8<Int>()
        for l in 0..<stepCount { index[l] = stepFields[l]; power[l] = stepPowers[l] }
        for f in 0..<polynomialCount { index[stepCount + f] = polynomialFields[f] }
        if polynomialCount > 0 { power[stepCount] = firstCount - 1 }
        if polynomialCount > 1 { power[stepCount + 1] = secondCount - 1 }
        let n = stepCount + polynomialCount
        for a in 0..<n { for b in 0..<n { self[a, b] = C[index[a] &* D &+ index[b]] } }
        steps = stepCount
        polynomials = polynomialCount
        coefficients = (first, second)
    }

    /// The average. `scratch` must have been made for at least these degrees.
    func average(_ scratch: StepPolynomialScratch) -> Double {
        var s = self
        var factor = 1.0
        // Step fields: variance 0 → θ(0) = 0; (nearly) parallel pairs merged.
        var active = SIMD4<Int>(repeating: 0)
        for u in 0..<s.steps {
            if !(s[u, u] > 0) { return 0 }
            active[u] = 1
        }
        for u in 0..<s.steps where active[u] == 1 {
            for v in (u + 1)..<s.steps where active[v] == 1 {
                let suu = s[u, u], svv = s[v, v], suv = s[u, v]
                if Self.minor(suu, suv, suv, svv) <= Self.mergeThreshold * suu * svv {
                    if suv <= 0 { return 0 }  // θ(y)θ(−c·y) = 0
                    let c = suv / suu
                    for _ in 0..<s.power[v] { factor *= c }
                    s.power[u] += s.power[v]
                    active[v] = 0
                }
            }
        }
        if active[0] + active[1] + active[2] + active[3] < s.steps { s = s.keeping(active) }
        for l in 0..<s.steps where s.power[l] > Self.maxStepPower { preconditionFailure("step power \(s.power[l])") }
        return factor * s.contract(scratch)
    }

    /// The same problem with only the step fields marked in `keep` (polynomial fields kept).
    private func keeping(_ keep: SIMD4<Int>) -> StepPolynomialMoments {
        var out = self
        var map = SIMD8<Int>()
        var n = 0
        for l in 0..<steps where keep[l] == 1 { map[n] = l; n += 1 }
        let stepCount = n
        for f in 0..<polynomials { map[n] = steps + f; n += 1 }
        for a in 0..<n {
            out.power[a] = power[map[a]]
            for b in 0..<n { out[a, b] = self[map[a], map[b]] }
        }
        out.steps = stepCount
        return out
    }

    /// Σ_n p_n·T_∅[(a, n)] from the table.
    private func contract(_ scratch: StepPolynomialScratch) -> Double {
        let n = steps + polynomials
        // Strides of the mixed-radix exponent index, and the table's size.
        var strides = SIMD8<Int>()
        var size = 1
        for f in 0..<n { strides[f] = size; size &*= power[f] &+ 1 }
        precondition(size <= scratch.entriesPerSet, "table of \(size) entries")
        fill(scratch, strides: strides, size: size)
        let table = scratch.table
        var base = 0
        for l in 0..<steps { base &+= power[l] &* strides[l] }
        switch polynomials {
        case 0:
            return table[base]
        case 1:
            let p = coefficients.0.unsafelyUnwrapped, s = strides[steps]
            var sum = 0.0
            for k in 0...power[steps] where p[k] != 0 { sum += p[k] * table[base &+ k &* s] }
            return sum
        default:
            let p = coefficients.0.unsafelyUnwrapped, q = coefficients.1.unsafelyUnwrapped
            let s0 = strides[steps], s1 = strides[steps + 1]
            var sum = 0.0
            for k in 0...power[steps] where p[k] != 0 {
                var inner = 0.0
                for m in 0...power[steps + 1] where q[m] != 0 { inner += q[m] * table[base &+ k &* s0 &+ m &* s1] }
                sum += p[k] * inner
            }
            return sum
        }
    }

    /// Fills T_S for every reachable S (scratch.table[S·entriesPerSet + index]).
    private func fill(_ scratch: StepPolynomialScratch, strides: SIMD8<Int>, size: Int) {
        let n = steps + polynomials
        let sets = 1 << steps
        let covariances = scratch.covariances, table = scratch.table, perSet = scratch.entriesPerSet
        // Conditional covariances, from ∅ up: C^{S∪j} = C^S − C^S_·j C^S_j· / C^S_jj for each j
        // whose conditional variance is not degenerate (the only sets the recursion reaches).
        // Per set, each step field's variance in the set it was conditioned from (the scale of
        // the rounding its conditional variance carries: `degenerate`).
        var scale = SIMD32<Double>()
        for l in 0..<steps { scale[l] = self[l, l] }
        var reached: UInt32 = 1
        for a in 0..<25 { covariances[a] = covariance[a] }
        for set in 0..<sets where reached & (1 << set) != 0 {
            let parent = covariances + set &* 25
            for j in 0..<steps where set & (1 << j) == 0 {
                let child = set | (1 << j)
                let vjj = parent[j &* 5 &+ j]
                guard !Self.degenerate(vjj, set: set, scale: scale[set &* 4 &+ j]), reached & (1 << child) == 0 else { continue }
                reached |= 1 << child
                for l in 0..<steps { scale[child &* 4 &+ l] = parent[l &* 5 &+ l] }
                let out = covariances + child &* 25
                // C_ab − C_aj C_jb / C_jj as the 2×2 minor (C_jj C_ab − C_aj C_jb)/C_jj, each
                // minor to a few ulps of itself (`minor`): nearly parallel fields make it a small
                // difference of large products, and the recursion adds terms reached through
                // different conditioning orders which cancel only if each is accurate.
                for a in 0..<n {
                    for b in a..<n {
                        let value = a == j || b == j ? 0
                            : Self.minor(vjj, parent[j &* 5 &+ b], parent[a &* 5 &+ j], parent[a &* 5 &+ b]) / vjj
                        out[a &* 5 &+ b] = a == b ? max(0, value) : value
                        out[b &* 5 &+ a] = out[a &* 5 &+ b]
                    }
                }
            }
        }
        let inverseRootTwoPi = 1 / (2 * Double.pi).squareRoot()
        // Supersets first: T_S reads T_{S∪j}.
        for set in stride(from: sets - 1, through: 0, by: -1) where reached & (1 << set) != 0 {
            let c = covariances + set &* 25
            let t = table + set &* perSet
            // δ weights of the step fields outside S, 0 where conditioning is degenerate.
            var weight = SIMD4<Double>()
            for j in 0..<steps where set & (1 << j) == 0 {
                let vjj = c[j &* 5 &+ j]
                if !Self.degenerate(vjj, set: set, scale: scale[set &* 4 &+ j]) { weight[j] = inverseRootTwoPi / vjj.squareRoot() }
            }
            var e = SIMD8<Int>()
            for index in 0..<size {
                if index > 0 {
                    // Next exponent vector (odometer).
                    var f = 0
                    while e[f] == power[f] { e[f] = 0; f &+= 1 }
                    e[f] &+= 1
                }
                var skip = false
                for j in 0..<steps where set & (1 << j) != 0 && e[j] != 0 { skip = true }
                if skip { continue }
                if index == 0 {
                    t[0] = orthant(c, set: set, scale: scale)
                    continue
                }
                var v = n - 1
                while e[v] == 0 { v &-= 1 }
                let peeled = index &- strides[v]
                var sum = 0.0
                for j in 0..<n {
                    let cvj = c[v &* 5 &+ j]
                    if cvj == 0 { continue }
                    let ej = j == v ? e[j] &- 1 : e[j]
                    if ej > 0 {
                        sum += cvj * Double(ej) * t[peeled &- strides[j]]
                    } else if j < steps, weight[j] != 0 {
                        sum += cvj * weight[j] * table[(set | (1 << j)) &* perSet &+ peeled]
                    }
                }
                t[index] = sum
            }
        }
    }

    /// Step fields with 1 − ρ² at most this are merged: exact copies up to rounding (the minor
    /// below is exact to a few ulps of itself, so anything larger is a genuine, if tiny, angle
    /// and computed as such).
    static let mergeThreshold = 1e-30

    /// Whether a conditional variance v given the fields of `set` counts as 0 (no δ term, θ = ½):
    /// given one field it is a minor of the exact inputs, good to a few ulps, so only v ≤ 1e-30
    /// of the field's own variance; given two or more it carries the rounding of the singly
    /// conditional entries it came from, ≈ 1e-16 of the variance `scale` in the set it was
    /// conditioned from, so v ≤ 1e-12 of that (a margin of 10⁴ over the noise).
    @inline(__always)
    static func degenerate(_ v: Double, set: Int, scale: Double) -> Bool {
        v <= (set & (set &- 1) == 0 ? 1e-30 : 1e-12) * scale
    }

    /// a·d − b·c to within a few ulps of the result, whatever the cancellation (Kahan's fused
    /// multiply–add algorithm: e is the rounding error of b·c, recovered exactly).
    @inline(__always)
    static func minor(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Double {
        let w = b * c
        let e = w.addingProduct(-b, c)
        let f = (-w).addingProduct(a, d)
        return f + e
    }

    /// P(step fields outside `set` > 0) under the conditional covariance c; a field whose
    /// conditional variance is degenerate counts ½ (`ReLUMoments.orthant`).
    private func orthant(_ c: UnsafeMutablePointer<Double>, set: Int, scale: SIMD32<Double>) -> Double {
        var factor = 1.0
        var field = SIMD4<Int>()
        var m = 0
        for l in 0..<steps where set & (1 << l) == 0 {
            if Self.degenerate(c[l &* 5 &+ l], set: set, scale: scale[set &* 4 &+ l]) {
                factor *= 0.5
            } else {
                field[m] = l
                m &+= 1
            }
        }
        // asin ρ_ab as atan2(C_ab, √(C_aa C_bb − C_ab²)) with the determinant by `minor`: exact to
        // rounding up to ρ = ±1, where asin of a rounded ρ loses half the digits.
        func arc(_ a: Int, _ b: Int) -> Double {
            let i = field[a], j = field[b]
            let cij = c[i &* 5 &+ j]
            let determinant = max(0, Self.minor(c[i &* 5 &+ i], cij, cij, c[j &* 5 &+ j]))
            return Double.atan2(y: cij, x: determinant.squareRoot())
        }
        switch m {
        case 0: return factor
        case 1: return factor * 0.5
        case 2: return factor * (0.25 + arc(0, 1) / (2 * Double.pi))
        default: return factor * (0.125 + (arc(0, 1) + arc(0, 2) + arc(1, 2)) / (4 * Double.pi))
        }
    }
}

/// The tables of `StepPolynomialMoments`: per set of conditioned step fields (≤ 8), a 5×5
/// covariance and `entriesPerSet` table entries. Pointers into memory its owner allocates
/// (`ReLUPolynomialWorkspace`); a plain value, so the hot loops never touch a class.
struct StepPolynomialScratch {
    let entriesPerSet: Int
    let table: UnsafeMutablePointer<Double>
    let covariances: UnsafeMutablePointer<Double>

    /// Doubles needed for `entriesPerSet` entries per set.
    static func doubles(entriesPerSet: Int) -> Int { 8 * entriesPerSet + 8 * 25 }

    /// Over `doubles(entriesPerSet:)` doubles at `memory`.
    init(entriesPerSet: Int, memory: UnsafeMutablePointer<Double>) {
        self.entriesPerSet = entriesPerSet
        table = memory
        covariances = memory + 8 * entriesPerSet
    }
}
