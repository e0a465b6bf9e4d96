import RealModule

/// One factor h(x) of a Gaussian average's integrand, a function of one field x: g(x), g'(x),
/// x·g(x) or x·g'(x) for an activation g (the shapes the ODEs' I3, I4 and J2 need; `sign` has no
/// g' — its delta is treated where it occurs, ODERightHandSide+General).
struct GaussianFactor: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case value, derivative, fieldTimesValue, fieldTimesDerivative }
    let activation: Activation
    let kind: Kind

    init(_ activation: Activation, _ kind: Kind) {
        self.activation = activation
        self.kind = kind
    }

    @inline(__always)
    func callAsFunction(_ x: Double) -> Double {
        switch kind {
        case .value: return activation.value(x)
        case .derivative: return activation.derivative(x)
        case .fieldTimesValue: return x * activation.value(x)
        case .fieldTimesDerivative: return x * activation.derivative(x)
        }
    }

    /// The polynomial degree of h, or nil when h is not a polynomial.
    var degree: Int? {
        guard let p = activation.declaration.polynomial else { return nil }
        let d = p.count - 1
        switch kind {
        case .value: return d
        case .derivative: return max(0, d - 1)
        case .fieldTimesValue: return d + 1
        case .fieldTimesDerivative: return d
        }
    }

    /// Whether h has a kink or a step at 0 (ReLU, sign).
    var kinked: Bool { activation.declaration.kink != .none }

    /// Half-width of the strip around the real axis where h is analytic, for the panel width of
    /// the Gauss–Legendre rule (nil: polynomial or piecewise polynomial, nothing to resolve but
    /// the Gaussian weight). erf and GELU are entire, but erf′ is a Gaussian as narrow as the
    /// field's scale: they are given a strip of 1 (with 2 the quadrature path's erf right-hand
    /// side was 1.3e-9 off the closed forms, with 1 ≈ 1e-12); sigmoid and softplus 2 rather than
    /// their π (3.6e-10 → below 1e-10 against the refined rule).
    var strip: Double? {
        switch activation {
        case .tanh: return Double.pi / 2
        case .sigmoid, .softplus: return 2
        case .erf, .gelu: return 1
        default: return nil
        }
    }

    /// E_z[h(m + s·z)], z ~ N(0, 1), s > 0: closed where g has a closed smoothing, else one
    /// `GaussianLine`.
    func smoothed(mean m: Double, deviation s: Double, refine: Int) -> Double {
        let g = activation
        switch kind {
        case .value:
            return PairAverage.smoothed(g, mean: m, deviation: s, refine: refine)
        case .derivative:
            switch g {
            case .relu: return Activation.normalCDF(m / s)
            case .linear: return 1
            case .erf:
                let v = 1 + s * s
                return (2 / Double.pi).squareRoot() / v.squareRoot() * Double.exp(-m * m / (2 * v))
            default:
                if let p = g.declaration.polynomial {
                    var dp = [Double](repeating: 0, count: max(1, p.count - 1))
                    for j in 1..<max(1, p.count) { dp[j - 1] = Double(j) * p[j] }
                    let q = PairAverage.conditionalPolynomial(dp, beta: 1, deviation: s)
                    var sum = 0.0
                    for n in q.indices.reversed() { sum = sum * m + q[n] }
                    return sum
                }
            }
        case .fieldTimesValue where g.declaration.kink != .step:
            // Stein: E[z·g(m + sz)] = s·E[g'(m + sz)] for g continuous.
            return m * PairAverage.smoothed(g, mean: m, deviation: s, refine: refine)
                + s * s * GaussianFactor(g, .derivative).smoothed(mean: m, deviation: s, refine: refine)
        default:
            break
        }
        return GaussianLine.expectation(center: -m / s, width: min(1, 1 / s), refine: refine) { z in self(m + s * z) }
    }
}

/// E[Π_f h_f(x_f)] for a Gaussian vector x with mean 0 and covariance C (at most four fields),
/// by nested deterministic quadrature in as few dimensions as C's rank (docs/numerics.md
/// "General pairs"):
///
/// - x = L·z with L the Cholesky factor of C, fields whose h is not a polynomial first (so the
///   inner levels see polynomials only); a pivot whose residual variance is ≤ 1e-14·C_ff (a field
///   equal to, or a combination of, earlier ones up to rounding) adds no dimension.
/// - Level j integrates z_j ~ N(0, 1) with the earlier z fixed. Every factor is then a function
///   of mean_f + L_fj·z_j + (later levels):
///   - when all factors still varying are polynomials, the level's integrand is a polynomial of
///     degree ≤ Σ deg: Gauss–Hermite with Σ deg/2 + 1 points is exact;
///   - on the last level with one factor varying, its smoothing E_z[h(m + s·z)] (closed for
///     erf, ReLU, linear, sign, GELU, polynomials; else one `GaussianLine`);
///   - otherwise composite 10-point Gauss–Legendre on [−10, 10], split exactly where a kinked
///     factor's argument crosses 0 (z_j = −mean_f/L_fj) and graded towards that point when later
///     levels still smooth the kink (on their scale), with panels ≤ min(2, strip_f/|L_fj|) so
///     each panel keeps its nearest complex singularity ≥ one panel width away (10-point
///     error ≲ 1e-13).
/// No randomness: the ODEs' adaptive integrator needs a deterministic right-hand side.
struct NestedGaussian {
    let factors: [GaussianFactor]
    /// L[f·rank + j].
    let coefficients: [Double]
    let rank: Int
    /// The last level at which factor f varies (−1: the field is 0).
    let lastLevel: [Int]
    /// √(Σ_{j' > j} L_fj'²): how much later levels still smooth factor f at level j.
    let residual: [Double]
    let refine: Int

    static let legendre = GaussLegendre.rule(points: 10)
    /// The widest Gauss–Legendre panel: 10 points integrate φ(z) times a polynomial of degree
    /// ≤ 10 on it to ≲ 1e-12 relative (measured against the refined rule, NestedGaussianTests).
    static let widestPanel = 3.0

    /// `covariance` is n×n row-major for the n = `factors.count` ≤ 4 fields. `refine` > 1 splits
    /// every Gauss–Legendre panel into that many and adds 4 points to every Gauss–Hermite rule
    /// (the tests' independent reference).
    init(_ factors: [GaussianFactor], covariance: [Double], refine: Int = 1) {
        let n = factors.count
        precondition(n >= 1 && n <= 4 && covariance.count == n * n)
        // Non-polynomial factors first.
        let order = factors.indices.filter { factors[$0].degree == nil } + factors.indices.filter { factors[$0].degree != nil }
        var L = [Double](repeating: 0, count: n * n)  // L[f·n + j], j a level
        var pivots: [Int] = []
        covariance.withUnsafeBufferPointer { c in
            L.withUnsafeMutableBufferPointer { l in
                PivotedCholesky.factor(c.baseAddress!, n: n, order: order, into: l.baseAddress!, pivots: &pivots)
            }
        }
        let rank = pivots.count
        var coefficients = [Double](repeating: 0, count: n * max(rank, 1))
        var lastLevel = [Int](repeating: -1, count: n)
        var residual = [Double](repeating: 0, count: n * max(rank, 1))
        for f in 0..<n {
            for j in 0..<rank {
                coefficients[f * rank + j] = L[f * n + j]
                if L[f * n + j] != 0 { lastLevel[f] = j }
            }
            var tail = 0.0
            for j in stride(from: rank - 1, through: 0, by: -1) {
                residual[f * rank + j] = tail.squareRoot()
                tail += L[f * n + j] * L[f * n + j]
            }
        }
        self.factors = factors
        self.coefficients = coefficients
        self.rank = rank
        self.lastLevel = lastLevel
        self.residual = residual
        self.refine = refine
    }

    /// Rough seconds of one average on one core (release build), by what the pair's factors
    /// are, for `ODEResources.rightHandSideCost` and so for the ODE jobs' cost bound
    /// (`JobLimits.maxODEEvaluationSeconds`). Measured per right-hand side with
    /// `sgdyn bench --ode-pairs` (docs/measurements.md "General pairs") and divided by the number
    /// of four-field averages, taken at the high end: only polynomials 3.5–6 µs (He₂/He₂,
    /// K = M = 2 and 4); a polynomial student with a kinked teacher ≈ 0.1 ms (He₂/ReLU: 3.5 ms
    /// per right-hand side, 30 averages); a ReLU student's averages with a teacher field
    /// 0.9 ms (sign teacher, K = M = 2) to 5.2 ms (He₃ teacher, K = 4, M = 1: three distinct
    /// ReLU fields — measured before polynomial teachers went to the exact
    /// ODERightHandSide+ReLUPolynomial), taken as 5 ms, and an estimated 30 ms with a teacher
    /// without a closed smoothing; a smooth non-polynomial student (tanh, sigmoid, softplus, GELU)
    /// with a kinked teacher (ReLU, sign): three or four Gauss–Legendre levels of ≈ 100 points,
    /// seconds (an upper guess: measured for tanh/sign K = M = 2, 288 ms per right-hand side,
    /// ≈ 10 ms per average). No job takes this: with a smooth teacher, or a ReLU teacher at
    /// M = 1, such a student takes `JointGaussianQuadrature`, with any other kinked teacher
    /// `KinkedTeacherQuadrature` (their own estimates).
    static func estimatedSeconds(student: Activation, teacher: Activation) -> (fourFields: Double, twoFields: Double) {
        let studentPolynomial = student.declaration.polynomial != nil
        let teacherPolynomial = teacher.declaration.polynomial != nil
        let teacherClosed = PairAverage.hasClosedSmoothing(teacher)
        if studentPolynomial {
            if teacherPolynomial { return (5e-6, 1e-6) }
            return (teacherClosed ? 1e-4 : 1e-3, 1e-4)
        }
        if student == .relu { return (teacherClosed ? 5e-3 : 3e-2, 2e-4) }
        return (3, 1e-3)
    }

    /// The average.
    func expectation() -> Double {
        var means = [Double](repeating: 0, count: factors.count * (rank + 1))
        return integrate(level: 0, means: &means)
    }

    /// E over levels ≥ j, the earlier levels' contributions in means[j·n ..< (j+1)·n].
    private func integrate(level j: Int, means: inout [Double]) -> Double {
        let n = factors.count, base = j * n
        var constant = 1.0
        var active = 0, last = -1
        var polynomial = true, degree = 0
        for f in 0..<n {
            if lastLevel[f] < j {
                // Fixed since level lastLevel + 1: multiplied in there, once.
                if lastLevel[f] == j - 1 { constant *= factors[f](means[base + f]) }
            } else {
                active += 1
                last = f
                if let d = factors[f].degree { degree += d } else { polynomial = false }
            }
        }
        if active == 0 || constant == 0 { return constant }
        if j == rank - 1, active == 1 {
            let s = abs(coefficients[last * rank + j])
            return constant * factors[last].smoothed(mean: means[base + last], deviation: s, refine: refine)
        }
        var sum = 0.0
        let next = base + n
        if polynomial {
            let rule = NestedGaussianRules.hermite(points: degree / 2 + 1 + (refine > 1 ? 4 : 0))
            for q in rule.nodes.indices {
                let z = rule.nodes[q]
                for f in 0..<n { means[next + f] = means[base + f] + coefficients[f * rank + j] * z }
                sum += rule.weights[q] * integrate(level: j + 1, means: &means)
            }
            return constant * sum
        }
        // Panel width and break points.
        var width = NestedGaussian.widestPanel
        var breaks: [(point: Double, fine: Double)] = []
        for f in 0..<n where lastLevel[f] >= j {
            let c = abs(coefficients[f * rank + j])
            guard c > 0 else { continue }
            if let strip = factors[f].strip { width = min(width, strip / c) }
            if factors[f].kinked {
                let point = -means[base + f] / coefficients[f * rank + j]
                let smoothing = residual[f * rank + j] / c
                breaks.append((point, smoothing))
            }
        }
        let h = width / Double(refine)
        let range = GaussianLine.halfRange
        var bounds: [Double] = [-range, range]
        for b in breaks where abs(b.point) < range {
            bounds.append(b.point)
            if b.fine > 0, b.fine < h {
                // Graded panels around a kink that later levels smooth on the scale `fine`
                // (< the panel width): from fine/2, doubling.
                var size = max(b.fine / 2, 1e-12)
                while size < h {
                    for p in [b.point - size, b.point + size] where abs(p) < range { bounds.append(p) }
                    size *= 2
                }
            }
        }
        bounds.sort()
        let nodes = NestedGaussian.legendre.nodes, weights = NestedGaussian.legendre.weights
        for p in 0..<(bounds.count - 1) {
            let lo = bounds[p], hi = bounds[p + 1]
            guard hi > lo else { continue }
            let pieces = Int(((hi - lo) / h).rounded(.up))
            let step = (hi - lo) / Double(pieces)
            for piece in 0..<pieces {
                let a = lo + Double(piece) * step
                var s = 0.0
                for q in 0..<nodes.count {
                    let z = a + step * nodes[q]
                    for f in 0..<n { means[next + f] = means[base + f] + coefficients[f * rank + j] * z }
                    s += weights[q] * Activation.normalDensity(z) * integrate(level: j + 1, means: &means)
                }
                sum += step * s
            }
        }
        return constant * sum
    }
}

/// Gauss–Hermite rules by size, computed once (exact for polynomials of degree ≤ 2n − 1).
enum NestedGaussianRules {
    static let rules: [(nodes: [Double], weights: [Double])] = (1...24).map { GaussHermite.rule(points: $0) }

    static func hermite(points n: Int) -> (nodes: [Double], weights: [Double]) {
        rules[min(max(n, 1), rules.count) - 1]
    }
}
