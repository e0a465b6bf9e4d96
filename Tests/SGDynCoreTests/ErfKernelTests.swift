import RealModule
import Testing
@testable import SGDynCore

/// `ErfKernel`, the simulator's g(x) = erf(x/√2) and g'(x) = √(2/π)e^{−x²/2}, against the C
/// library, and its vector and scalar paths against each other.
@Suite struct ErfKernelTests {
    /// The arguments that matter: local fields λ = w·x/√N are O(1) Gaussians, so [−12, 12]
    /// (beyond |x| ≈ 8.3, erf(x/√2) is ±1 in double precision) densely, 2²⁰ + 1 evenly spaced
    /// points, plus 10⁴ tiny ones (down to 1e-300) and 10⁴ large ones (up to 1e6, where the
    /// derivative underflows). Tolerance 2 ulp of the C library's value (itself within 1 ulp of
    /// the truth): the measured maximum on these points, for both g and g'. Where the C library's
    /// e^{−x²/2} is below 2^−1022 (|x| > 37.6) the kernel returns exactly 0.
    @Test func withinTwoUlpOfTheCLibrary() {
        var arguments = (0...(1 << 20)).map { -12 + 24 * Double($0) / Double(1 << 20) }
        var g = Xoshiro256StarStar(seed: 5, stream: .teacher, counter: 0)
        for _ in 0..<10_000 {
            arguments.append((g.uniform() < 0.5 ? -1 : 1) * Double.pow(10, -300 * g.uniform()))
            arguments.append((g.uniform() < 0.5 ? -1 : 1) * Double.pow(10, 1 + 5 * g.uniform()))
        }
        var worstValue = 0.0, worstSlope = 0.0
        for x in arguments {
            let value = ErfKernel.value(x), slope = ErfKernel.derivative(x)
            let libraryValue = Double.erf(x * 0.7071067811865476)
            let librarySlope = 0.7978845608028654 * Double.exp(-0.5 * x * x)
            let valueUlps = ulps(value, libraryValue)
            worstValue = max(worstValue, valueUlps)
            #expect(valueUlps <= 2, "g(\(x)) = \(value), C library \(libraryValue)")
            if librarySlope >= 0.7978845608028654 * 0x1p-1022 {
                let slopeUlps = ulps(slope, librarySlope)
                worstSlope = max(worstSlope, slopeUlps)
                #expect(slopeUlps <= 2, "g'(\(x)) = \(slope), C library \(librarySlope)")
            } else {
                #expect(slope == 0, "g'(\(x)) = \(slope)")
            }
        }
        print("ErfKernel: largest deviation from the C library \(worstValue) ulp (g), \(worstSlope) ulp (g')")
    }

    /// g is odd and g' even, exactly; g(0) = 0, g'(0) = √(2/π); NaN stays NaN.
    @Test func symmetriesAndSpecialValues() {
        var g = Xoshiro256StarStar(seed: 6, stream: .teacher, counter: 0)
        for _ in 0..<10_000 {
            let x = 20 * g.uniform() - 10
            #expect(ErfKernel.value(-x) == -ErfKernel.value(x))
            #expect(ErfKernel.derivative(-x) == ErfKernel.derivative(x))
        }
        #expect(ErfKernel.value(0) == 0 && ErfKernel.derivative(0) == 0.7978845608028654)
        #expect(ErfKernel.value(40) == 1 && ErfKernel.value(-.infinity) == -1 && ErfKernel.derivative(.infinity) == 0)
        #expect(ErfKernel.value(.nan).isNaN && ErfKernel.derivative(.nan).isNaN)
    }

    /// A buffer of any length gives, value by value, the scalar results: lanes do not interact,
    /// so a field's g does not depend on K, M or its position (and `Activation` agrees).
    @Test func bufferMatchesScalar() {
        var g = Xoshiro256StarStar(seed: 7, stream: .teacher, counter: 0)
        for count in [1, 3, 8, 10, 17, 34] {
            let x = (0..<count).map { _ in 8 * g.uniform() - 4 }
            var values = [Double](repeating: .nan, count: count), slopes = values
            values.withUnsafeMutableBufferPointer { v in
                slopes.withUnsafeMutableBufferPointer { s in
                    ErfKernel.evaluate(x, count: count, values: v.baseAddress!, derivatives: s.baseAddress!)
                }
            }
            for i in 0..<count {
                #expect(values[i] == ErfKernel.value(x[i]) && slopes[i] == ErfKernel.derivative(x[i]))
                #expect(values[i] == Activation.erf.value(x[i]) && slopes[i] == Activation.erf.derivative(x[i]))
            }
        }
    }

    private func ulps(_ a: Double, _ b: Double) -> Double {
        a == b ? 0 : abs(a - b) / b.ulp
    }
}
