/// arcsin for whole buffers, four lanes at a time: the erf ODE right-hand side spends most of its
/// time in arcsin (one per I4 term), and the C library's scalar `asin` costs ≈ 21 ns a call on
/// this machine against ≈ 3.7 ns here.
///
/// Method: for |x| ≤ ½, asin x = x + x·z·f(z) with z = x²; for |x| > ½,
/// asin|x| = π/2 − 2·asin s with s = √((1 − |x|)/2) ≤ ½ (1 − |x| is exact there). f is a
/// degree-12 polynomial fitted (Chebyshev, 60-digit arithmetic) to (asin(√z)/√z − 1)/z on
/// [0, ¼], with maximum error 1.5·10⁻¹⁷. Measured against glibc on 65 536 random points in
/// [−1, 1]: at most 2 ulp apart (ODETests checks ≤ 4 ulp). Arguments are clamped to [−1, 1], which
/// only ever moves values that rounding pushed a few ulp outside.
enum FastArcsine {
    /// Replaces each of the `count` values at `values` by its arcsine.
    static func apply(_ values: UnsafeMutablePointer<Double>, count: Int) {
        var i = 0
        while i + 4 <= count {
            let x = SIMD4<Double>(values[i], values[i + 1], values[i + 2], values[i + 3])
            let r = arcsine(x)
            values[i] = r[0]; values[i + 1] = r[1]; values[i + 2] = r[2]; values[i + 3] = r[3]
            i += 4
        }
        if i < count {
            var x = SIMD4<Double>(repeating: 0)
            for lane in 0..<(count - i) { x[lane] = values[i + lane] }
            let r = arcsine(x)
            for lane in 0..<(count - i) { values[i + lane] = r[lane] }
        }
    }

    /// arcsin of one value through the same kernel (so scalar and buffer results agree bit for bit).
    static func value(_ x: Double) -> Double {
        arcsine(SIMD4<Double>(x, 0, 0, 0))[0]
    }

    @inline(__always)
    static func arcsine(_ input: SIMD4<Double>) -> SIMD4<Double> {
        // (`clamped` is a generic call that does not inline in a non-WMO build.)
        let one = SIMD4<Double>(repeating: 1)
        let x = input.replacing(with: one, where: input .> one).replacing(with: -one, where: input .< -one)
        let negative = x .< 0
        let ax = x.replacing(with: -x, where: negative)
        let far = ax .> 0.5
        let z = (ax * ax).replacing(with: (1 - ax) * 0.5, where: far)
        let base = ax.replacing(with: z.squareRoot(), where: far)
        let q = base + base * (z * polynomial(z))
        // π/2 in two parts so the subtraction keeps the last bits.
        var r = q.replacing(with: (1.5707963267948966 - 2 * q) + 6.123233995736766e-17, where: far)
        r.replace(with: -r, where: negative)
        return r
    }

    @inline(__always)
    static func polynomial(_ z: SIMD4<Double>) -> SIMD4<Double> {
        var p = SIMD4<Double>(repeating: 0.028757851367421566)
        p = p * z + -0.014851887071247204
        p = p * z + 0.01740087944269402
        p = p * z + 0.005457506718640358
        p = p * z + 0.01032281435018578
        p = p * z + 0.011479177415184906
        p = p * z + 0.013971212973552933
        p = p * z + 0.017352392720869973
        p = p * z + 0.02237217294214989
        p = p * z + 0.030381944138531247
        p = p * z + 0.04464285714635543
        p = p * z + 0.07499999999998433
        p = p * z + 0.16666666666666669
        return p
    }
}
