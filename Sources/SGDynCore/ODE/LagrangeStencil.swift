/// The weights of 8-point Lagrange interpolation on the nodes 0 … 7 at a point x, as
/// `ConditionalPairQuadrature`'s node loop reads its tables: Σ_l w_l·f(l) = p(x) for the
/// polynomial p of degree ≤ 7 through the eight values.
///
/// The stencil is placed so that x lies in [3, 4] (its middle cell) everywhere but at a table's
/// edge. There the weights are the basis polynomials in u = x − 3.5, |u| ≤ ½, by Horner's rule:
/// seven vector products and sums, no division (0.7.1; the barycentric form before cost a
/// vector division per field and node). Their monomial coefficients are the
/// expansions of Π_{j≠l}(u − u_j) over the half-integer nodes u_j — exact in binary — divided
/// once by Π_{j≠l}(l − j); Σ_k |a_lk|·|u|^k ≤ 4 on |u| ≤ ½, so a weight errs by a few roundings
/// of 4 (≲ 1e-14, tested). Elsewhere the barycentric form (exact at a node).
struct LagrangeStencil {
    /// c_k, lane l: the coefficient of u^k in basis polynomial l.
    private let c0, c1, c2, c3, c4, c5, c6, c7: SIMD8<Double>

    init() {
        var coefficient = [[Double]](repeating: [Double](repeating: 0, count: 8), count: 8)
        for l in 0..<8 {
            // Π_{j≠l}(u − u_j), u_j = j − 3.5: products and sums of half-integers below 8⁷, exact.
            var poly = [1.0]
            for j in 0..<8 where j != l {
                let node = Double(j) - 3.5
                var next = [Double](repeating: 0, count: poly.count + 1)
                for (k, a) in poly.enumerated() {
                    next[k + 1] += a
                    next[k] -= node * a
                }
                poly = next
            }
            var denominator = 1.0
            for j in 0..<8 where j != l { denominator *= Double(l - j) }
            for k in 0..<8 { coefficient[k][l] = poly[k] / denominator }
        }
        let vector = { (k: Int) in SIMD8<Double>(coefficient[k]) }
        (c0, c1, c2, c3, c4, c5, c6, c7) = (vector(0), vector(1), vector(2), vector(3), vector(4), vector(5), vector(6), vector(7))
    }

    /// The eight weights at x ∈ [0, 7].
    @inline(__always)
    func weights(at x: Double) -> SIMD8<Double> {
        let u = x - 3.5
        guard abs(u) <= 0.5 else { return LagrangeStencil.barycentric(at: x) }
        let v = SIMD8<Double>(repeating: u)
        // Seven steps of Horner's rule, product and sum apart (no fused multiply–add: the same
        // bits on every target). (Estrin's scheme, three steps deep, measured 20 % slower.)
        var w = c7 * v + c6
        w = w * v + c5
        w = w * v + c4
        w = w * v + c3
        w = w * v + c2
        w = w * v + c1
        return w * v + c0
    }

    /// The weights in barycentric form, w_l = Π_j (x − j) · c_l / (x − l), with c_l =
    /// 1/Π_{j≠l}(l − j); at a node itself (x − l = 0) the unit vector.
    static func barycentric(at x: Double) -> SIMD8<Double> {
        let d = SIMD8<Double>(repeating: x) - SIMD8<Double>(0, 1, 2, 3, 4, 5, 6, 7)
        let zero = d .== 0
        if any(zero) { return SIMD8<Double>(repeating: 0).replacing(with: 1, where: zero) }
        let quarter = d.lowHalf * d.highHalf, pair = quarter.lowHalf * quarter.highHalf
        let all = pair[0] * pair[1]
        return SIMD8<Double>(repeating: all) * (1 / SIMD8<Double>(-5040, 720, -240, 144, -144, 240, -720, 5040)) / d
    }
}
