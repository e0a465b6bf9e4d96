import RealModule

/// Gauss–Hermite rules for standard normal expectations, E[F(x)] ≈ Σ w_i F(x_i), for the pair
/// averages of two activations that are analytic in a strip around the real axis (tanh,
/// sigmoid, softplus): there a tensor rule converges geometrically and costs n² evaluations
/// instead of the nested composite rule's ≈ 80 000. Nodes by Newton's method on the orthonormal
/// Hermite recurrence (Numerical Recipes' `gauher` starting guesses), converged to 1e-14.
enum GaussHermite {
    /// The rules sgdyn uses, by number of points.
    static let sizes = [64, 96, 128]
    static let rules: [(nodes: [Double], weights: [Double])] = sizes.map(rule)

    /// Nodes and weights for a standard normal variable.
    static func rule(points n: Int) -> (nodes: [Double], weights: [Double]) {
        var x = [Double](repeating: 0, count: n), w = x
        let piToMinusQuarter = 0.7511255444649425
        var z = 0.0
        for i in 0..<((n + 1) / 2) {
            switch i {
            case 0: z = (2 * Double(n) + 1).squareRoot() - 1.85575 * Double.pow(2 * Double(n) + 1, -1.0 / 6)
            case 1: z -= 1.14 * Double.pow(Double(n), 0.426) / z
            case 2: z = 1.86 * z - 0.86 * x[0]
            case 3: z = 1.91 * z - 0.91 * x[1]
            default: z = 2 * z - x[i - 2]
            }
            var derivative = 0.0
            for _ in 0..<100 {
                var p1 = piToMinusQuarter, p2 = 0.0
                for j in 1...n {
                    let p3 = p2
                    p2 = p1
                    p1 = z * (2 / Double(j)).squareRoot() * p2 - (Double(j - 1) / Double(j)).squareRoot() * p3
                }
                derivative = (2 * Double(n)).squareRoot() * p2
                let step = p1 / derivative
                z -= step
                if abs(step) <= 1e-15 * max(1, abs(z)) { break }
            }
            x[i] = z
            x[n - 1 - i] = -z
            w[i] = 2 / (derivative * derivative)
            w[n - 1 - i] = w[i]
        }
        // ∫e^{−t²}f(t)dt rule → E[F(X)], X = √2·t.
        let root2 = 2.0.squareRoot(), inverseRootPi = 1 / Double.pi.squareRoot()
        return (x.map { $0 * root2 }, w.map { $0 * inverseRootPi })
    }

    /// Half-width of the strip around the real axis in which g is analytic (the nearest
    /// singularity: tanh's poles at ±iπ/2, the logistic's at ±iπ, softplus's branch points at
    /// ±iπ), or nil when the tensor rule is not used for g.
    static func stripHalfWidth(_ g: Activation) -> Double? {
        switch g {
        case .tanh: return Double.pi / 2
        case .sigmoid, .softplus: return Double.pi
        default: return nil
        }
    }

    /// The index into `rules` of the smallest rule whose error for E[ga(a) gb(b)] is below
    /// ≈ 1e-12 by the geometric estimate exp(−2d′√(2n)) (d′ = d/(σ√2), σ the larger standard
    /// deviation: the strip in the rule's variable), with n taken 1.5 times larger and at least
    /// 64 — the estimate alone was measured too optimistic (errors of 1e-8 at σ = 0.7 with 24 and
    /// 32 points); nil when even 128 points would not do (the caller then uses the nested rule).
    /// GaussianAverageTests checks the outcome against the nested rule with three times the
    /// panels, to 1e-9 relative.
    static func ruleIndex(strip d: Double, deviation sigma: Double) -> Int? {
        let dPrime = d / (sigma * 2.0.squareRoot())
        let needed = 1.5 * Double.pow(28 / (2 * dPrime), 2) / 2
        return sizes.firstIndex { Double($0) >= needed }
    }
}
