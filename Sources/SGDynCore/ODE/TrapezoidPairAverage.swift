import RealModule

/// E[ga(a)·gb(b)] for two activations analytic in a strip (tanh, sigmoid, softplus), by the
/// trapezoidal rule of `JointGaussianQuadrature` in two levels: a = √C_aa·z₁, b = β·a + s·z₂
/// (β = C_ab/C_aa, s² = C_bb − C_ab²/C_aa), each level |z| ≤ 8 with the step
/// `JointGaussianQuadrature.step` gives its fields (error ≈ e^{−27} per level), the inner level
/// summed by `JointGaussianQuadrature.moments` (for tanh and sigmoid an exponential progression,
/// no libm call per node).
///
/// Why: an ODE record's ε_g for a smooth student (`ODERecorder`) took `PairAverage.general`'s
/// tensor Gauss–Hermite rule (up to 128² libm calls per pair, ≈ 1 ms per record at K = M = 2),
/// a quarter of a short tanh/tanh integration; this rule takes ≈ 70 × 70 cheap nodes. Measured
/// against `PairAverage.general` ≤ 1e-12 absolute on variances up to 4 and nearly parallel fields
/// (`TrapezoidPairAverageTests`). Simulations keep `PairAverage.value` (their bundles unchanged).
enum TrapezoidPairAverage {
    /// Whether the pair takes this rule (both activations analytic in a strip: the pairs
    /// `PairAverage.general` gives to tensor Gauss–Hermite).
    static func applies(_ ga: Activation, _ gb: Activation) -> Bool {
        GaussHermite.stripHalfWidth(ga) != nil && GaussHermite.stripHalfWidth(gb) != nil
    }

    /// `PairAverage.value` for the pairs that `applies` to, by this rule; every other pair, and
    /// a field of zero variance, by `PairAverage.value`.
    static func value(_ ga: Activation, _ gb: Activation, caa: Double, cbb: Double, cab: Double) -> Double {
        guard applies(ga, gb), caa > 0, cbb > 0, caa.isFinite, cbb.isFinite, cab.isFinite else {
            return PairAverage.value(ga, gb, caa: caa, cbb: cbb, cab: cab)
        }
        let sa = caa.squareRoot(), beta = cab / caa
        let s = max(0, cbb - cab * cab / caa).squareRoot()
        let cap = JointGaussianQuadrature.maxLevelPoints
        let minimum = 2 * JointGaussianQuadrature.radius / Double(cap - 1)
        let outerStep = max(minimum, min(JointGaussianQuadrature.step(ga, coefficient: sa, factors: 1),
                                         JointGaussianQuadrature.step(gb, coefficient: abs(beta) * sa, factors: 1)))
        let innerStep = max(minimum, JointGaussianQuadrature.step(gb, coefficient: s, factors: 1))
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 4 * cap) { buffer in
            let outerWeights = buffer.baseAddress!, innerWeights = outerWeights + cap
            let outerValues = innerWeights + cap, scratch = outerValues + cap
            let outerCount = weights(step: outerStep, into: outerWeights)
            let innerCount = weights(step: innerStep, into: innerWeights)
            let outerLowest = -Double(outerCount / 2) * outerStep, innerLowest = -Double(innerCount / 2) * innerStep
            JointGaussianQuadrature.fill(ga, mean: 0, coefficient: sa, lowest: outerLowest, step: outerStep,
                                         count: outerCount, values: outerValues, slopes: nil)
            var sum = 0.0
            for q in 0..<outerCount {
                let a = sa * (outerLowest + Double(q) * outerStep)
                let inner = JointGaussianQuadrature.moments(gb, mean: beta * a, coefficient: s, lowest: innerLowest,
                                                            step: innerStep, count: innerCount, weights: innerWeights,
                                                            scratch: scratch).0
                sum += outerWeights[q] * outerValues[q] * inner
            }
            return sum
        }
    }

    /// The normalised weights φ(q·h) of the rule |q·h| ≤ 8; returns the node count.
    private static func weights(step h: Double, into row: UnsafeMutablePointer<Double>) -> Int {
        let full = Int(JointGaussianQuadrature.radius / h)
        var norm = 0.0
        for q in -full...full { let z = Double(q) * h; norm += Double.exp(-z * z / 2) }
        for q in -full...full { let z = Double(q) * h; row[q + full] = Double.exp(-z * z / 2) / norm }
        return 2 * full + 1
    }
}
