import CVectorMath

/// g(x) = erf(x/√2) and g'(x) = √(2/π)·exp(−x²/2), eight lanes at a time: the 2K + M activations
/// of every SGD step in one pass instead of as many calls of the C library's scalar erf and exp
/// (≈ 10 % of a step at N = 500, K = 8).
///
/// Method. a = (−½x)·x, the same rounded argument the scalar formula exponentiates; e^a by
/// k = round(a/ln 2) (the 1.5·2⁵² shifter), r = a − k·ln 2 (Cody–Waite, |r| ≤ ½ ln 2),
/// e^r = 1 + r + r²Q(r) with Q of degree 10 (relative error 2e-19) and the factor 2^k put into
/// the exponent bits; below a = −708 the result is flushed to 0 (the C library returns values
/// < 3e-308 there). erf(z), z = x/√2 rounded as before: for |z| ≤ 0.8, z + z·h(z²) with h of
/// degree 10 (2e-19); beyond, 1 − e^{−z²}·t·P(s) with t = 1/(1 + |z|/4), s = (t − 0.6167)/0.2167
/// and P of degree 17 (relative error 9e-20 on 0.8 ≤ |z| ≤ 6, where erf reaches 1 in double
/// precision), sharing e^{−z²} = e^a with the derivative. Polynomials fitted in 60-digit
/// arithmetic (Chebyshev interpolation, then the monomial coefficients rounded to doubles).
///
/// Accuracy, against the C library's erf and exp of the same arguments (ActivationTests, 2²⁰
/// points on [−12, 12] plus tiny and huge arguments): g within 2 ulp, g' within 2 ulp.
///
/// Determinism: the same operations in the same order in every lane, no fused multiply–add, and
/// only correctly rounded operations and exact selections, so every CPU target gives the same
/// bits (docs/numerics.md, "Determinism").
@usableFromInline
enum ErfKernel {
    /// values[i] = g(x[i]) and derivatives[i] = g'(x[i]) for i < count.
    static func evaluate(_ x: UnsafePointer<Double>, count: Int,
                         values: UnsafeMutablePointer<Double>, derivatives: UnsafeMutablePointer<Double>) {
        var i = 0
        while i + 8 <= count {
            let (value, derivative) = evaluate(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Double>.self))
            UnsafeMutableRawPointer(values + i).storeBytes(of: value, as: SIMD8<Double>.self)
            UnsafeMutableRawPointer(derivatives + i).storeBytes(of: derivative, as: SIMD8<Double>.self)
            i += 8
        }
        if i < count {
            var lanes = SIMD8<Double>(repeating: 0)
            for lane in 0..<(count - i) { lanes[lane] = x[i + lane] }
            let (value, derivative) = evaluate(lanes)
            for lane in 0..<(count - i) {
                values[i + lane] = value[lane]
                derivatives[i + lane] = derivative[lane]
            }
        }
    }

    /// g(x) for one value through the same kernel (so scalar and vector results agree bit for bit).
    @usableFromInline
    static func value(_ x: Double) -> Double {
        evaluate(SIMD8<Double>(x, 0, 0, 0, 0, 0, 0, 0)).value[0]
    }

    /// g'(x) for one value through the same kernel.
    @usableFromInline
    static func derivative(_ x: Double) -> Double {
        evaluate(SIMD8<Double>(x, 0, 0, 0, 0, 0, 0, 0)).derivative[0]
    }

    @inline(__always)
    static func evaluate(_ x: SIMD8<Double>) -> (value: SIMD8<Double>, derivative: SIMD8<Double>) {
        let zero = SIMD8<Double>(repeating: 0), one = SIMD8<Double>(repeating: 1)
        let exponential = ErfKernel.exponential(-0.5 * x * x)
        let derivative = 0.7978845608028654 * exponential
        let z = x * 0.7071067811865476
        let az = sgdyn_select_greater8(zero, z, z, -z)
        // |z| ≤ 0.8
        let small = az + az * smallPolynomial(az * az)
        // |z| > 0.8: erfc z = e^{−z²}·t·P(s)
        let t = sgdyn_div8(one, 1 + 0.25 * az)
        let s = (t - 0.6166666666666667) * 4.615384615384615
        let large = 1 - exponential * (t * largePolynomial(s))
        let magnitude = sgdyn_select_greater8(az, SIMD8(repeating: 0.8), small, large)
        return (sgdyn_select_greater8(zero, z, magnitude, -magnitude), derivative)
    }

    /// e^a for a ≤ 0 (0 below a = −708).
    @inline(__always)
    static func exponential(_ a: SIMD8<Double>) -> SIMD8<Double> {
        let shifter = SIMD8<Double>(repeating: 6755399441055744.0)  // 1.5·2⁵²: adding it rounds to an integer
        let shifted = a * 1.4426950408889634 + shifter
        let k = shifted - shifter
        // ln 2 = 0.6931471803691238 (33 bits, so k·that is exact) + 1.9082149292705877e-10
        let r = (a - k * 0.6931471803691238) - k * 1.9082149292705877e-10
        let er = 1 + (r + r * r * exponentialPolynomial(r))
        // 2^k: the shifted value's low bits hold k; k + 1023 shifted into the exponent field.
        let bits = unsafeBitCast(shifted, to: SIMD8<UInt64>.self) &+ 1023
        let scale = unsafeBitCast(bits &<< 52, to: SIMD8<Double>.self)
        return sgdyn_select_greater8(SIMD8(repeating: -708), a, er * scale, SIMD8(repeating: 0))
    }

    /// Q(r) = (e^r − 1 − r)/r² on |r| ≤ ½ ln 2, degree 10.
    @inline(__always)
    static func exponentialPolynomial(_ r: SIMD8<Double>) -> SIMD8<Double> {
        var p = SIMD8<Double>(repeating: 2.0914686968086876e-09)
        p = p * r + 2.5105217004720745e-08
        p = p * r + 2.75572736431103e-07
        p = p * r + 2.7557255400206422e-06
        p = p * r + 2.4801587325547743e-05
        p = p * r + 0.00019841269874820627
        p = p * r + 0.0013888888888883748
        p = p * r + 0.008333333333326136
        p = p * r + 0.04166666666666667
        p = p * r + 0.1666666666666667
        p = p * r + 0.5
        return p
    }

    /// h(w) = erf(√w)/√w − 1 on 0 ≤ w ≤ 0.64, degree 10.
    @inline(__always)
    static func smallPolynomial(_ w: SIMD8<Double>) -> SIMD8<Double> {
        var p = SIMD8<Double>(repeating: 1.1078698932449828e-08)
        p = p * w + -1.5827570016598027e-07
        p = p * w + 1.6417043979547368e-06
        p = p * w + -1.4923282157784378e-05
        p = p * w + 0.00012055252619096082
        p = p * w + -0.0008548325266738633
        p = p * w + 0.005223977601455216
        p = p * w + -0.02686617064321794
        p = p * w + 0.11283791670947291
        p = p * w + -0.37612638903183626
        p = p * w + 0.12837916709551256
        return p
    }

    /// P(s) = e^{z²} erfc(z)/t, t = 1/(1 + z/4) = 0.6167 + 0.2167·s, on 0.8 ≤ z ≤ 6 (|s| ≤ 1), degree 17.
    @inline(__always)
    static func largePolynomial(_ s: SIMD8<Double>) -> SIMD8<Double> {
        var p = SIMD8<Double>(repeating: 5.607435035431055e-14)
        p = p * s + 9.479462382580281e-14
        p = p * s + -2.5786267570185956e-12
        p = p * s + -8.508514010097865e-12
        p = p * s + 1.0092985688152356e-10
        p = p * s + 7.092386824729644e-10
        p = p * s + -2.357529712876884e-09
        p = p * s + -4.922769659534131e-08
        p = p * s + -1.7179300258613999e-07
        p = p * s + 1.625576469975006e-06
        p = p * s + 2.6874688062290135e-05
        p = p * s + 0.00021308628285084547
        p = p * s + 0.0012050044672530986
        p = p * s + 0.005370548606234176
        p = p * s + 0.019666578531254822
        p = p * s + 0.0603610429909717
        p = p * s + 0.15659136014875066
        p = p * s + 0.3434848083548867
        return p
    }
}
