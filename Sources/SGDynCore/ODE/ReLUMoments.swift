import RealModule

/// E[Π_v x_v^{p_v} Θ(x_v)] for up to four jointly Gaussian fields with total power Σp_v ≤ 2:
/// the ReLU I4 = E[Θ(a)Θ(b)·c⁺·d⁺] and its special cases when arguments coincide.
///
/// Method (Gaussian integration by parts, E[x_v G] = Σ_j C_vj E[∂_j G]): peel one factor x_v
/// off; ∂ of x^pΘ(x) gives p·x^{p−1}Θ(x), and ∂Θ(x_j) = δ(x_j) conditions on x_j = 0 with weight
/// 1/√(2π C_jj). Two rounds leave orthant probabilities only (`OrthantProbability`): for four
/// distinct fields, nine bivariate ones plus one four-variate one (one 1-D quadrature).
///
/// Coinciding fields: (nearly) parallel fields, 1 − ρ² ≤ 3e-12, are merged first (x_v = c·x_u
/// turns Θ(x_v) into Θ(x_u) and x_v into c·x_u); anti-parallel ones make the product 0; a field
/// of variance 0 makes it 0 (g(0) = g'(0) = 0). `informed` and `denoise` starts give exact copies.
///
/// Accuracy, measured against an independent 1-D integral for one-factor covariances
/// (ODEReLUTests; 60 random cases per point): ≤ 1e-15 for well-separated fields and for exact
/// copies; the conditioning on a nearly parallel partner loses digits as 1 − ρ² falls,
/// ≤ 2e-12 down to 1 − ρ² = 1e-10 and ≤ 2e-10 down to 3e-12; below the threshold the merge errs by
/// ≈ 0.04·√(1 − ρ²) (6e-8 at 3e-12, 1e-8 at 1e-13). The four-variate orthant probability
/// (one 1-D quadrature) is good to ≈ 1e-15 (`OrthantProbability`).
enum ReLUMoments {
    /// Fields closer to parallel than this (in 1 − ρ²) are treated as one: where the error of
    /// merging (growing like √(1 − ρ²)) meets that of conditioning (growing as 1 − ρ² falls).
    static let mergeThreshold = 3e-12
    /// A conditional variance below this fraction of the field's own variance counts as 0.
    static let degenerateVariance = 1e-12

    /// I4 for the 4×4 covariance (row-major) of (a, b, c, d). `orthant`, when not NaN, is
    /// P(a, b, c, d > 0) already known (the right-hand side shares it between the splits of a set
    /// of four fields into two pairs); it is used only if no fields were merged.
    static func i4(_ covariance: SIMD16<Double>, orthant: Double = .nan) -> Double {
        var power = SIMD4<Int>(0, 0, 1, 1)
        var active = SIMD4<Int>(1, 1, 1, 1)
        var factor = 1.0
        for u in 0..<4 where !(covariance[u * 5] > 0) { return 0 }
        for u in 0..<4 where active[u] == 1 {
            for v in (u + 1)..<4 where active[v] == 1 {
                let suu = covariance[u * 5], svv = covariance[v * 5], suv = covariance[u * 4 + v]
                if suu * svv - suv * suv <= mergeThreshold * suu * svv {
                    if suv <= 0 { return 0 }  // Θ(x)Θ(−cx) = 0
                    let c = suv / suu
                    for _ in 0..<power[v] { factor *= c }
                    power[u] += power[v]
                    active[v] = 0
                }
            }
        }
        var product = GaussianProduct()
        if active == SIMD4(repeating: 1) { product.knownOrthant = orthant }
        for u in 0..<4 where active[u] == 1 {
            let slot = product.count
            product.power[slot] = power[u]
            product.reference[slot] = covariance[u * 5]
            var other = 0
            for v in 0..<4 where active[v] == 1 {
                product[slot, other] = covariance[u * 4 + v]
                other += 1
            }
            product.count += 1
        }
        return factor * expectation(product)
    }

    /// E[Π_v x_v^{p_v} Θ(x_v)] by integration by parts down to orthant probabilities.
    static func expectation(_ state: GaussianProduct) -> Double {
        let n = state.count
        var v = -1
        for u in 0..<n where state.power[u] > 0 { v = u; break }
        if v < 0 { return orthant(state) }
        var peeled = state
        peeled.power[v] -= 1
        var sum = 0.0
        for j in 0..<n {
            let cvj = state[v, j]
            if cvj == 0 { continue }
            if peeled.power[j] > 0 {
                // ∂_j (x_j^p Θ(x_j)) = p·x_j^{p−1} Θ(x_j)
                var next = peeled
                next.power[j] -= 1
                sum += cvj * Double(peeled.power[j]) * expectation(next)
            } else {
                // ∂_j Θ(x_j) = δ(x_j): condition on x_j = 0.
                let variance = state[j, j]
                if variance <= degenerateVariance * state.reference[j] { continue }
                sum += cvj / (2 * Double.pi * variance).squareRoot() * expectation(peeled.conditioned(on: j))
            }
        }
        return sum
    }

    /// P(all fields > 0); a field that conditioning has made deterministic counts Θ(0) = ½, the
    /// value that makes the two integration-by-parts terms of a coinciding pair add up correctly.
    static func orthant(_ state: GaussianProduct) -> Double {
        var s = state
        var factor = 1.0
        var u = 0
        while u < s.count {
            if s[u, u] <= degenerateVariance * s.reference[u] {
                factor *= 0.5
                s = s.removing(u)
            } else {
                u += 1
            }
        }
        switch s.count {
        case 0: return factor
        case 1: return factor * 0.5
        case 2: return factor * OrthantProbability.two(s.correlation(0, 1))
        case 3: return factor * OrthantProbability.three(s.correlation(0, 1), s.correlation(0, 2), s.correlation(1, 2))
        default:
            if !s.knownOrthant.isNaN { return factor * s.knownOrthant }
            let r = SIMD8<Double>(s.correlation(0, 1), s.correlation(0, 2), s.correlation(0, 3),
                                  s.correlation(1, 2), s.correlation(1, 3), s.correlation(2, 3), 0, 0)
            return factor * OrthantProbability.four(r)
        }
    }
}

/// Up to four Gaussian fields: their covariance, the power p of each factor x^pΘ(x), and each
/// field's unconditioned variance (the scale against which a conditional variance is "zero").
struct GaussianProduct {
    var covariance = SIMD16<Double>()
    var power = SIMD4<Int>()
    var reference = SIMD4<Double>()
    var count = 0
    /// P(all four fields > 0) when the caller knows it; conditioning or removing a field drops it.
    var knownOrthant = Double.nan

    subscript(i: Int, j: Int) -> Double {
        get { covariance[i &* 4 &+ j] }
        set { covariance[i &* 4 &+ j] = newValue }
    }

    func correlation(_ i: Int, _ j: Int) -> Double {
        self[i, j] / (self[i, i] * self[j, j]).squareRoot()
    }

    /// The other fields given x_j = 0: C' = C − C_·j C_j·/C_jj, field j removed.
    func conditioned(on j: Int) -> GaussianProduct {
        var out = GaussianProduct()
        let cjj = self[j, j]
        var a = 0
        for i in 0..<count where i != j {
            let cij = self[i, j] / cjj
            var b = 0
            for k in 0..<count where k != j {
                out[a, b] = self[i, k] - cij * self[k, j]
                b += 1
            }
            out[a, a] = max(0, out[a, a])
            out.power[a] = power[i]
            out.reference[a] = reference[i]
            a += 1
        }
        out.count = count - 1
        return out
    }

    /// The same product without field j.
    func removing(_ j: Int) -> GaussianProduct {
        var out = GaussianProduct()
        var a = 0
        for i in 0..<count where i != j {
            var b = 0
            for k in 0..<count where k != j {
                out[a, b] = self[i, k]
                b += 1
            }
            out.power[a] = power[i]
            out.reference[a] = reference[i]
            a += 1
        }
        out.count = count - 1
        return out
    }
}
