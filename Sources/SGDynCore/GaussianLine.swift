import RealModule

/// Deterministic one-dimensional Gaussian expectations E[F(x)], x ~ N(0, 1), for F smooth except
/// possibly at one point `center` (a kink or step of an activation, or where a smoothed one turns
/// over on the scale `width`): composite 10-point Gauss–Legendre on [−10, 10] (the Gaussian mass
/// outside is 1.5e-23, and x⁸·φ(x) beyond 10 integrates to < 1e-15, enough for the degree-8
/// products of He₄), on unit panels with a panel boundary at `center` and panels refined
/// geometrically (halving) towards it down to width/16. Each panel then holds a function that is
/// analytic on it (or polynomial), where the 10-point rule's error is far below 1e-12; the tests
/// (GaussianAverageTests) compare against closed forms and a rule with twice the points.
/// No randomness: the ODEs' adaptive integrator needs a deterministic right-hand side.
public enum GaussianLine {
    static let rule = GaussLegendre.rule(points: 10)
    static let halfRange = 10.0

    /// E[F(x)] for a standard normal x, F smooth away from `center` (with features of size
    /// `width` there). `refine` > 1 splits every panel into that many (the tests' reference).
    @inline(__always)
    public static func expectation(center: Double = 0, width: Double = 1, refine: Int = 1,
                                   _ f: (Double) -> Double) -> Double {
        let nodes = rule.nodes, weights = rule.weights
        var sum = 0.0
        // Panels, walked left to right: unit panels from −10, with the boundaries near `center`
        // graded geometrically. A panel [a, b] is split `refine` times.
        func panel(_ a: Double, _ b: Double) {
            guard b > a else { return }
            let pieces = refine
            let h = (b - a) / Double(pieces)
            for piece in 0..<pieces {
                let lo = a + Double(piece) * h
                var s = 0.0
                for j in 0..<nodes.count {
                    let x = lo + h * nodes[j]
                    s += weights[j] * f(x) * Activation.normalDensity(x)
                }
                sum += h * s
            }
        }
        let c = min(halfRange, max(-halfRange, center))
        let smallest = max(min(1, width) / 16, 1e-12)
        // Outward from c on each side: panels of width `smallest`, doubling up to 1, then unit
        // panels to ±10.
        for direction in [-1.0, 1.0] {
            let end = direction * halfRange
            var near = c, size = smallest
            while (end - near) * direction > 0 {
                var far = near + direction * size
                if (far - end) * direction > 0 { far = end }
                if direction < 0 { panel(far, near) } else { panel(near, far) }
                near = far
                size = min(1, 2 * size)
            }
        }
        return sum
    }
}
