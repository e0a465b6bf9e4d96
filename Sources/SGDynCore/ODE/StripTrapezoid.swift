import RealModule

/// E[ga(a)·gb(b)] for the smooth pairs of the erf-student right-hand side with a tanh, sigmoid
/// or softplus teacher (ODERightHandSide+AnyTeacher; issue 20's K = M = 4 speed row), by
/// truncated trapezoid rules instead of `PairAverage.value`'s Gauss–Hermite tensor rule of up
/// to 128² points. `PairAverage.value` itself is left alone: simulations' ε_g use it and their
/// bundles must not change.
///
/// Why the trapezoid rule: for E[f(x)], x ~ N(0, 1), with f analytic and bounded in the strip
/// |Im x| < τ, the rule with step h on the whole line errs by ≈ 2·sup|f|·e^{y²/2 − 2πy/h} for
/// any y < τ (the Gaussian grows like e^{y²/2} off the axis), a geometric rate in 1/h where
/// Gauss–Hermite converges only like e^{−2τ√(2n)}. With y = min(0.9τ, 8) and
/// 2πy/h − y²/2 = 34 the rule errs by ≈ 1e-14 of sup|f|; nodes beyond |x| = 8.5 carry Gaussian
/// mass < 1e-16 and are left out. (The 0.9 keeps the bound's sup|f| finite near a pole.)
///
/// Two strip activations: condition b = βa + s·z on the field a of larger variance (so |β| ≤ 1
/// and the outer integrand a ↦ ga(a)·E_z[gb(βa + s z)] is analytic in |Im a| < min(τa, τb)),
/// inner strip τb/s in z. When the steps can be chosen so that β·σa·ha and s·hz are integer
/// multiples of one Δ, every b = βa + s·z of the tensor rule lies on the lattice Δ·n: gb is
/// evaluated once per lattice point, and the 2-D rule is a sum of products (the lattice trick;
/// 10–50 times fewer activation calls). Nearly independent fields (|ρ| ≤ 0.2, where the lattice
/// would be fine-grained: the ODE's teacher–teacher pairs, whose teachers are nearly orthogonal)
/// use Mehler's Hermite series instead (`mehler`); when the step ratio is still too large (s
/// tiny: nearly singular fields) the tensor rule evaluates gb at every node.
///
/// An erf field against a strip field: E_z[erf(βa + s z)] = erf(βa/√(2(1+s²))) is closed, so the
/// average is one trapezoid sum over the strip field a (erf's growth e^{c²y²} off the axis is
/// put into the step's bound).
///
/// Measured against `PairAverage.value` and the nested rule with three times the panels
/// (StripTrapezoidTests): ≤ 1e-12 relative to the pair's scale on random and nearly singular
/// covariances (ρ up to 1 − 1e-6, variances 0.1–10), inside the 1e-10 budget (1 % of the
/// integrator's tolerance, docs/science.md).
enum StripTrapezoid {
    /// Nodes with |x| ≤ halfRange (standard units) are kept.
    static let halfRange = 8.5
    /// The rule's error exponent: 2πy/h − (growth) = 34.
    static let exponent = 34.0
    /// The lattice is used while the step ratio stays below this (else the direct tensor rule).
    static let maxRatio = 64.0
    /// Larger variances (σ > 10) are left to `PairAverage.value`.
    static let maxVariance = 100.0

    /// The step for a strip of half-width `strip` (standard units) and an integrand growing like
    /// e^{growth·y²/2} off the axis (1 for the Gaussian alone).
    @inline(__always)
    static func step(strip: Double, growth: Double = 1) -> Double {
        let y = min(0.9 * strip, 8)
        return 2 * Double.pi * y / (exponent + growth * y * y / 2)
    }

    /// Rough seconds of one `average` on one core, for the ODE job's cost bound: 827 µs per
    /// right-hand side measured for the erf student with a tanh teacher at K = M = 4 (release,
    /// `sgdyn bench --ode-pairs`), ≈ 3 µs per average with the erf student's own terms; taken
    /// at 10 µs, since pairs near ρ = ±1 leave the lattice for the direct tensor rule.
    static let estimatedSeconds = 1e-5

    /// Whether `average` handles the pair (both strip activations, or erf and one).
    static func applies(_ ga: Activation, _ gb: Activation) -> Bool {
        let sa = GaussHermite.stripHalfWidth(ga) != nil, sb = GaussHermite.stripHalfWidth(gb) != nil
        return (sa && sb) || (sa && gb == .erf) || (ga == .erf && sb)
    }

    /// E[ga(a)·gb(b)] for zero-mean Gaussian (a, b) (Var a = caa, Var b = cbb, Cov = cab), or nil
    /// when the pair is not one of this rule's (the caller then uses `PairAverage.value`).
    static func average(_ ga: Activation, _ gb: Activation, caa: Double, cbb: Double, cab: Double) -> Double? {
        // Variances up to maxVariance bound the node counts (≤ 2·330 per dimension): a
        // diverging state's huge or non-finite covariances go to `PairAverage.value` instead of
        // an unbounded loop or a trapping Int conversion.
        guard caa > 0, cbb > 0, caa <= maxVariance, cbb <= maxVariance, cab.isFinite else { return nil }
        let da = GaussHermite.stripHalfWidth(ga), db = GaussHermite.stripHalfWidth(gb)
        if let da, let db {
            return cbb > caa ? strips(gb, ga, db, da, caa: cbb, cbb: caa, cab: cab)
                             : strips(ga, gb, da, db, caa: caa, cbb: cbb, cab: cab)
        }
        if let da, gb == .erf { return withErf(ga, strip: da, caa: caa, cbb: cbb, cab: cab) }
        if let db, ga == .erf { return withErf(gb, strip: db, caa: cbb, cbb: caa, cab: cab) }
        return nil
    }

    /// E[g(a)·erf(b)], g analytic in |Im a| < `strip`, Var a = caa, Var b = cbb.
    static func withErf(_ g: Activation, strip: Double, caa: Double, cbb: Double, cab: Double) -> Double {
        let sa = caa.squareRoot(), beta = cab / caa
        let s2 = max(0, cbb - cab * cab / caa)
        // erf(c·x) with c = β·σa/√(2(1+s²)) grows like e^{c²y²} at Im x = y.
        let c = beta * sa / (2 * (1 + s2)).squareRoot()
        let h = step(strip: strip / sa, growth: 1 + 2 * c * c)
        let n = Int((halfRange / h).rounded(.up))
        var sum = 0.0
        for j in -n...n {
            let x = h * Double(j)
            sum += Activation.normalDensity(x) * g.value(sa * x) * Double.erf(c * x)
        }
        return h * sum
    }

    /// E[ga(a)·gb(b)] for two strip activations with caa ≥ cbb.
    static func strips(_ ga: Activation, _ gb: Activation, _ da: Double, _ db: Double,
                       caa: Double, cbb: Double, cab: Double) -> Double {
        let sa = caa.squareRoot(), beta = cab / caa
        let s = max(0, cbb - cab * cab / caa).squareRoot()
        let rho = cab / (caa * cbb).squareRoot()
        if abs(rho) <= mehlerLimit {
            return mehler(ga, gb, da, db, sa: sa, sb: cbb.squareRoot(), rho: rho)
        }
        let ha0 = step(strip: min(da, db) / sa)
        if s * s <= 1e-15 * cbb {
            // b = βa (a field with itself up to rounding): E_z[gb(βa + s z)] = gb(βa) + O(s²).
            let n = Int((halfRange / ha0).rounded(.up))
            var sum = 0.0
            for j in -n...n {
                let x = ha0 * Double(j), a = sa * x
                sum += Activation.normalDensity(x) * ga.value(a) * gb.value(beta * a)
            }
            return ha0 * sum
        }
        let hz0 = step(strip: db / s)
        let u = abs(beta) * sa * ha0, v = s * hz0
        let ratio = max(u, v) / min(u, v)
        if u > 0, ratio <= maxRatio {
            // Steps ha ≤ ha0, hz ≤ hz0 with β·σa·ha = ma·Δ and s·hz = mz·Δ.
            var ma = 1, mz = 1, ha = ha0, hz = hz0
            let delta = min(u, v)
            if u >= v { ma = Int(ratio); ha = Double(ma) * delta / (abs(beta) * sa) } else { mz = Int(ratio); hz = Double(mz) * delta / s }
            let na = Int((halfRange / ha).rounded(.up)), nz = Int((halfRange / hz).rounded(.up))
            let nb = ma * na + mz * nz
            if 2 * nb <= na * nz {
                return lattice(ga, gb, sa: sa, sign: beta < 0 ? -1 : 1, ha: ha, hz: hz, na: na, nz: nz, ma: ma, mz: mz, delta: delta)
            }
        }
        // Direct tensor rule.
        let na = Int((halfRange / ha0).rounded(.up)), nz = Int((halfRange / hz0).rounded(.up))
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: nz + 1) { wz in
            for k in 0...nz { wz[k] = hz0 * Activation.normalDensity(hz0 * Double(k)) }
            var sum = 0.0
            for j in -na...na {
                let x = ha0 * Double(j), a = sa * x, m = beta * a
                var inner = wz[0] * gb.value(m)
                for k in 1...nz {
                    let z = s * hz0 * Double(k)
                    inner += wz[k] * (gb.value(m + z) + gb.value(m - z))
                }
                sum += Activation.normalDensity(x) * ga.value(a) * inner
            }
            return ha0 * sum
        }
    }

    /// |ρ| up to which nearly independent fields use the Hermite series (`mehler`).
    static let mehlerLimit = 0.2
    /// Nodes of the Hermite coefficients' rule reach |x| = 12: h_n(x)φ(x) for n ≤ 24 is < e^{−40} beyond.
    static let mehlerRange = 12.0

    /// Nearly independent fields (|ρ| ≤ 0.2, where the lattice would need ≈ s/(βσa·ha) points per
    /// outer step): Mehler's formula E[ga(σa x)·gb(σb y)] = Σ_n ρⁿ·âₙ·b̂ₙ with the normalised
    /// Hermite coefficients âₙ = E[ga(σa x)·Heₙ(x)]/√n!, each by one trapezoid sum over x. By
    /// Cauchy–Schwarz |âₙ| ≤ √E[ga²], so stopping after N terms errs by at most
    /// |ρ|^{N+1}/(1−|ρ|)·√(E[ga²]E[gb²]); N is chosen for 1e-15 (N ≤ 22 at |ρ| = 0.2).
    static func mehler(_ ga: Activation, _ gb: Activation, _ da: Double, _ db: Double,
                       sa: Double, sb: Double, rho: Double) -> Double {
        let r = abs(rho)
        let terms = r < 1e-300 ? 1 : min(maxTerms, max(1, Int((Double.log(1e-15 * (1 - r)) / Double.log(r)).rounded(.up)) + 1))
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * terms) { c in
            hermiteCoefficients(ga, strip: da, deviation: sa, into: UnsafeMutableBufferPointer(rebasing: c[0..<terms]))
            hermiteCoefficients(gb, strip: db, deviation: sb, into: UnsafeMutableBufferPointer(rebasing: c[terms..<(2 * terms)]))
            var sum = 0.0, power = 1.0
            for n in 0..<terms {
                sum += power * c[n] * c[terms + n]
                power *= rho
            }
            return sum
        }
    }

    /// cₙ = E[g(σx)·Heₙ(x)]/√n! for n < c.count, by the trapezoid rule (step for g's strip, at most
    /// 0.25 so that the polynomial factor's growth off the axis stays inside the bound).
    static func hermiteCoefficients(_ g: Activation, strip: Double, deviation sigma: Double,
                                    into c: UnsafeMutableBufferPointer<Double>) {
        let h = min(step(strip: strip / sigma), 0.25)
        let n = Int((mehlerRange / h).rounded(.up))
        for k in c.indices { c[k] = 0 }
        recurrence.withUnsafeBufferPointer { r in
            for j in -n...n {
                let x = h * Double(j)
                let f = h * Activation.normalDensity(x) * g.value(sigma * x)
                // Normalised Hermite recurrence: hₖ₊₁ = (x·hₖ − √k·hₖ₋₁)/√(k+1).
                var previous = 0.0, current = 1.0
                for k in c.indices {
                    c[k] += f * current
                    let next = r[k].a * x * current - r[k].b * previous
                    previous = current
                    current = next
                }
            }
        }
    }

    /// 1/√(k+1) and √k/√(k+1) of the Hermite recurrence, k < `maxTerms`.
    static let maxTerms = 32
    static let recurrence: [(a: Double, b: Double)] = (0..<maxTerms).map { (k: Int) -> (a: Double, b: Double) in
        let next = Double(k + 1)
        return (a: 1 / next.squareRoot(), b: (Double(k) / next).squareRoot())
    }

    /// The tensor trapezoid rule with every b on the lattice Δ·n, n = sign·ma·j + mz·k.
    static func lattice(_ ga: Activation, _ gb: Activation, sa: Double, sign: Int, ha: Double, hz: Double,
                        na: Int, nz: Int, ma: Int, mz: Int, delta: Double) -> Double {
        let nb = ma * na + mz * nz
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * nb + 1) { table in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: nz + 1) { wz in
                for n in 0...(2 * nb) { table[n] = gb.value(delta * Double(n - nb)) }
                for k in 0...nz { wz[k] = hz * Activation.normalDensity(hz * Double(k)) }
                var sum = 0.0
                for j in -na...na {
                    let centre = nb + sign * ma * j
                    var inner = wz[0] * table[centre]
                    for k in 1...nz {
                        let offset = mz * k
                        inner += wz[k] * (table[centre + offset] + table[centre - offset])
                    }
                    let x = ha * Double(j)
                    sum += Activation.normalDensity(x) * ga.value(sa * x) * inner
                }
                return ha * sum
            }
        }
    }
}
