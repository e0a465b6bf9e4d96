import RealModule

/// E[ga(a)·gb(b)] for the pairs without a closed form in `PairAverage.value`, in as few
/// dimensions as the activations allow (science.md §4; docs/science.md "Any activation"):
///
/// 1. a field with zero variance is the constant 0: ga(0)·E[gb(b)];
/// 2. two polynomials: a finite sum of Gaussian moments E[aⁱbʲ] (exact);
/// 3. one polynomial gb: E[gb(b) | a] is a polynomial in a (b = βa + s·z, z independent), so
///    the average is a sum of one-dimensional moments E[ga(a)·aⁿ], each by `GaussianLine`;
/// 4. two activations analytic in a strip (tanh, sigmoid, softplus) with variances small enough
///    for a tensor Gauss–Hermite rule of ≤ 128² points to reach ≈ 1e-12 (`GaussHermite`);
/// 5. otherwise conditioning: E[ga(a)·S(βa, s)] with S(m, s) = E_z[gb(m + s·z)] the smoothed
///    activation — closed for erf, ReLU, linear, sign and GELU, else a `GaussianLine` over z
///    split where gb turns over — and the outer average a `GaussianLine` over a split at 0, where
///    every activation's kink or step lies.
/// Everything is deterministic quadrature, measured good to ≤ 1e-10 relative for smooth pairs
/// and ≤ 1e-9 for kinked ones on random and nearly singular covariances (GaussianAverageTests,
/// against a rule with three times the panels and against closed forms).
extension PairAverage {
    public static func general(_ ga: Activation, _ gb: Activation, caa: Double, cbb: Double, cab: Double,
                               refine: Int = 1) -> Double {
        if !(caa > 0) { return ga.value(0) * smoothed(gb, mean: 0, deviation: max(0, cbb).squareRoot(), refine: refine) }
        if !(cbb > 0) { return gb.value(0) * smoothed(ga, mean: 0, deviation: caa.squareRoot(), refine: refine) }
        let pa = ga.declaration.polynomial, pb = gb.declaration.polynomial
        if let pa, let pb { return polynomialPair(pa, pb, caa: caa, cbb: cbb, cab: cab) }
        if pa != nil { return general(gb, ga, caa: cbb, cbb: caa, cab: cab, refine: refine) }
        // Inner (conditioned) activation: the polynomial one, else one with a closed smoothing.
        if pb == nil, !hasClosedSmoothing(gb), hasClosedSmoothing(ga) {
            return general(gb, ga, caa: cbb, cbb: caa, cab: cab, refine: refine)
        }
        let sa = caa.squareRoot()
        let beta = cab / caa
        let s = max(0, cbb - cab * cab / caa).squareRoot()
        if refine == 1, let da = GaussHermite.stripHalfWidth(ga), let db = GaussHermite.stripHalfWidth(gb),
           let index = GaussHermite.ruleIndex(strip: min(da, db), deviation: max(sa, cbb.squareRoot())) {
            // Both analytic in a strip: the tensor Gauss–Hermite rule in (a, z), b = βa + s·z.
            let rule = GaussHermite.rules[index]
            // Two odd or two even activations: the integrand is even under (a, z) → (−a, −z), and
            // the rule's nodes are symmetric (n even), so half the outer nodes suffice.
            let pa = ga.declaration.parity, pb = gb.declaration.parity
            let symmetric = pa != .none && pa == pb
            let outer = symmetric ? rule.nodes.count / 2 : rule.nodes.count
            var sum = 0.0
            for i in 0..<outer {
                let a = sa * rule.nodes[i]
                var inner = 0.0
                if s * s <= 1e-15 * cbb {
                    // b = βa (a field with itself, as in ε_g's diagonal terms, up to rounding in
                    // s): E_z[gb(βa + s·z)] = gb(βa) + O(s²·gb″), an error ≤ 1e-15.
                    inner = gb.value(beta * a)
                } else {
                    for j in rule.nodes.indices { inner += rule.weights[j] * gb.value(beta * a + s * rule.nodes[j]) }
                }
                sum += rule.weights[i] * ga.value(a) * inner
            }
            return symmetric ? 2 * sum : sum
        }
        if let pb {
            // E[gb(βa + sz) | a] = Σ_n q_n aⁿ.
            let q = conditionalPolynomial(pb, beta: beta, deviation: s)
            var sum = 0.0
            for n in 0..<q.count where q[n] != 0 {
                sum += q[n] * GaussianLine.expectation(center: 0, width: min(1, 1 / sa), refine: refine) { x in
                    let a = sa * x
                    return ga.value(a) * power(a, n)
                }
            }
            return sum
        }
        // The smoothed gb turns over at a = 0 on the scale max(s, ·)/|β|; ga on the scale 1.
        var width = min(1, 1 / sa)
        if beta != 0 { width = min(width, max(s, 1e-300) / abs(beta * sa)) }
        return GaussianLine.expectation(center: 0, width: width, refine: refine) { x in
            let a = sa * x
            let outer = ga.value(a)
            if outer == 0 { return 0 }
            return outer * smoothed(gb, mean: beta * a, deviation: s, refine: refine)
        }
    }

    /// Whether `value` has a closed form for the pair (the first cases of its switch).
    public static func isClosed(_ a: Activation, _ b: Activation) -> Bool {
        let basic: Set<Activation> = [.erf, .relu, .linear]
        return (basic.contains(a) || a == .sign) && (basic.contains(b) || b == .sign)
    }

    /// Rough seconds of one `value` call on one core, by method (measured, release
    /// build, through the rows of `sgdyn bench --ode`; the ODE job's cost bound uses it): closed forms
    /// ≈ 0.05 µs, two polynomials ≈ 0.5 µs, a polynomial and another activation ≈ 10–40 µs
    /// (one 1-D rule per power), a closed smoothing ≈ 10–20 µs, a smoothing by quadrature
    /// ≈ 1–3 ms (a 1-D rule inside a 1-D rule). Taken at the high end, except for the
    /// Gauss–Hermite pairs (below).
    public static func estimatedSeconds(_ a: Activation, _ b: Activation) -> Double {
        if isClosed(a, b) { return 1e-7 }
        let pa = a.declaration.polynomial != nil, pb = b.declaration.polynomial != nil
        if pa && pb { return 1e-6 }
        if pa || pb { return 5e-5 }
        if hasClosedSmoothing(a) || hasClosedSmoothing(b) { return 3e-5 }
        // Tensor Gauss–Hermite (tanh, sigmoid, softplus; ≈ 0.1–0.3 ms measured in the erf-student
        // ODE at K = M = 4: 8.6 ms per right-hand side), or the nested rule (≈ 3 ms) once a
        // variance is too large for 128 points.
        if GaussHermite.stripHalfWidth(a) != nil, GaussHermite.stripHalfWidth(b) != nil { return 1e-3 }
        return 3e-3
    }

    /// Whether E_z[g(m + s·z)] has a closed form below.
    static func hasClosedSmoothing(_ g: Activation) -> Bool {
        switch g {
        case .erf, .relu, .linear, .sign, .gelu: return true
        default: return g.declaration.polynomial != nil
        }
    }

    /// S(m, s) = E_z[g(m + s·z)], z ~ N(0, 1).
    public static func smoothed(_ g: Activation, mean m: Double, deviation s: Double, refine: Int = 1) -> Double {
        guard s > 0 else { return g.value(m) }
        switch g {
        case .erf:
            return Double.erf(m / (2 * (1 + s * s)).squareRoot())
        case .relu:
            return m * Activation.normalCDF(m / s) + s * Activation.normalDensity(m / s)
        case .linear:
            return m
        case .sign:
            return Double.erf(m / (s * 2.0.squareRoot()))
        case .gelu:
            let r = (1 + s * s).squareRoot()
            return m * Activation.normalCDF(m / r) + s * s * Activation.normalDensity(m / r) / r
        default:
            if let p = g.declaration.polynomial {
                let q = conditionalPolynomial(p, beta: 1, deviation: s)
                var sum = 0.0
                for n in q.indices.reversed() { sum = sum * m + q[n] }
                return sum
            }
            // g turns over at m + s·z = 0, on the scale 1 in the field, 1/s in z.
            return GaussianLine.expectation(center: -m / s, width: min(1, 1 / s), refine: refine) { z in g.value(m + s * z) }
        }
    }

    /// Coefficients q_n of E_z[p(β·a + s·z)] = Σ_n q_n aⁿ for p(y) = Σ_j p_j yʲ.
    static func conditionalPolynomial(_ p: [Double], beta: Double, deviation s: Double) -> [Double] {
        var q = [Double](repeating: 0, count: p.count)
        for j in p.indices where p[j] != 0 {
            // (βa + sz)^j = Σ_n C(j, n) βⁿ aⁿ s^{j−n} z^{j−n}; E[z^k] = (k − 1)!! for even k.
            for n in 0...j {
                let k = j - n
                if k % 2 == 1 { continue }
                q[n] += p[j] * binomial(j, n) * power(beta, n) * power(s, k) * doubleFactorial(k - 1)
            }
        }
        return q
    }

    /// E[pa(a)·pb(b)] for two polynomials: Σ_ij pa_i pb_j E[aⁱbʲ].
    static func polynomialPair(_ pa: [Double], _ pb: [Double], caa: Double, cbb: Double, cab: Double) -> Double {
        // b = βa + s·z: E[aⁱ·pb(b)] = Σ_n q_n E[a^{i+n}].
        let beta = cab / caa
        let s = max(0, cbb - cab * cab / caa).squareRoot()
        let q = conditionalPolynomial(pb, beta: beta, deviation: s)
        var sum = 0.0
        for i in pa.indices where pa[i] != 0 {
            for n in q.indices where q[n] != 0 {
                let k = i + n
                if k % 2 == 1 { continue }
                sum += pa[i] * q[n] * power(caa, k / 2) * doubleFactorial(k - 1)
            }
        }
        return sum
    }

    @inline(__always)
    static func power(_ x: Double, _ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<n { r *= x }
        return r
    }

    static func binomial(_ n: Int, _ k: Int) -> Double {
        var r = 1.0
        for i in 0..<k { r = r * Double(n - i) / Double(i + 1) }
        return r
    }

    /// n!! for odd n ≥ −1 ((−1)!! = 1).
    static func doubleFactorial(_ n: Int) -> Double {
        var r = 1.0
        var m = n
        while m > 1 { r *= Double(m); m -= 2 }
        return r
    }
}
