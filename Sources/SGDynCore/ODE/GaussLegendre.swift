import RealModule

/// Gauss–Legendre nodes and weights on [0, 1], computed once by Newton's method on the Legendre
/// polynomial (converged to rounding error, ≈ 1e-16).
enum GaussLegendre {
    static func rule(points n: Int) -> (nodes: [Double], weights: [Double]) {
        var nodes = [Double](repeating: 0, count: n), weights = [Double](repeating: 0, count: n)
        for i in 0..<n {
            // Tricomi's initial guess for the i-th root of P_n on [−1, 1], then Newton.
            var x = Double.cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                for k in 2...n {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1
                    p1 = p2
                }
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let step = p1 / derivative
                x -= step
                if abs(step) < 1e-17 { break }
            }
            nodes[i] = 0.5 * (1 - x)
            weights[i] = 1 / ((1 - x * x) * derivative * derivative)
        }
        return (nodes, weights)
    }
}
