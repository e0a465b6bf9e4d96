import RealModule

/// The Gaussian averages that the ODEs of science.md §5 are made of, for teacher and student with
/// the same activation g:
/// I2(a,b) = E[g(a)g(b)], J2(a,b) = E[g'(a)g'(b)], I3(a,b,c) = E[g'(a)·b·g(c)],
/// I4(a,b,c,d) = E[g'(a)g'(b)g(c)g(d)], over zero-mean jointly Gaussian fields with the given
/// covariance entries. The right-hand side uses factored forms of the same expressions; these
/// entry points are the reference its tests compare against.
public enum GaussianIntegrals {
    /// The activations these closed forms cover (for teacher and student alike); other
    /// activations give NaN here, and their pairs go through ODERightHandSide+AnyTeacher.
    public static let activations: [Activation] = [.erf, .relu, .linear]

    /// I2(a,b) = E[g(a)g(b)] (the pair average of science.md §4).
    public static func i2(_ g: Activation, caa: Double, cbb: Double, cab: Double) -> Double {
        PairAverage.value(g, g, caa: caa, cbb: cbb, cab: cab)
    }

    /// J2(a,b) = E[g'(a)g'(b)].
    public static func j2(_ g: Activation, caa: Double, cbb: Double, cab: Double) -> Double {
        switch g {
        case .erf:
            return (2 / Double.pi) / ((1 + caa) * (1 + cbb) - cab * cab).squareRoot()
        case .linear:
            return 1
        case .relu:
            let product = caa * cbb
            guard product > 0 else { return 0 }  // g'(0) = 0 for a field that is identically 0
            return 0.25 + Double.asin(clampUnit(cab / product.squareRoot())) / (2 * Double.pi)
        default:
            return .nan
        }
    }

    /// I3(a,b,c) = E[g'(a)·b·g(c)]. It is linear in the column of b:
    /// I3 = C_ab·X(a,c) + C_bc·Y(a,c) (regress b on a and c), which is how the right-hand side
    /// sums it over c once per unit a instead of once per (a, b).
    public static func i3(_ g: Activation, caa: Double, ccc: Double, cab: Double, cac: Double, cbc: Double) -> Double {
        let (x, y) = i3Coefficients(g, caa: caa, ccc: ccc, cac: cac)
        return cab * x + cbc * y
    }

    /// X(a,c) and Y(a,c) of I3(a,b,c) = C_ab·X + C_bc·Y.
    @inline(__always)
    static func i3Coefficients(_ g: Activation, caa: Double, ccc: Double, cac: Double) -> (x: Double, y: Double) {
        switch g {
        case .erf:
            let y = (2 / Double.pi) / ((1 + caa) * (1 + ccc) - cac * cac).squareRoot()
            return (-y * cac / (1 + caa), y)
        case .linear:
            return (0, 1)
        case .relu:
            guard caa > 0 else { return (0, 0) }  // g'(a) = g'(0) = 0 throughout
            let product = caa * ccc
            guard product > 0 else { return (0, 0.25) }
            let x = max(0, product - cac * cac).squareRoot() / (2 * Double.pi * caa)
            return (x, 0.25 + Double.asin(clampUnit(cac / product.squareRoot())) / (2 * Double.pi))
        default:
            return (.nan, .nan)
        }
    }

    /// I4(a,b,c,d) = E[g'(a)g'(b)g(c)g(d)] for the 4×4 covariance of (a, b, c, d), row-major.
    /// Arguments may be the same field (a singular covariance): erf and linear are smooth there;
    /// ReLU merges identical fields first (see `ReLUMoments`).
    public static func i4(_ g: Activation, covariance s: [Double]) -> Double {
        precondition(s.count == 16, "I4 takes the 4×4 covariance of (a, b, c, d)")
        switch g {
        case .erf:
            return erfI4(caa: s[0], cbb: s[5], ccc: s[10], cdd: s[15], cab: s[1], cac: s[2], cad: s[3],
                         cbc: s[6], cbd: s[7], ccd: s[11])
        case .linear:
            return s[11]
        case .relu:
            var m = SIMD16<Double>()
            for i in 0..<16 { m[i] = s[i] }
            return ReLUMoments.i4(m)
        default:
            return .nan
        }
    }

    /// The closed form of science.md §5 for erf.
    static func erfI4(caa: Double, cbb: Double, ccc: Double, cdd: Double, cab: Double, cac: Double, cad: Double,
                      cbc: Double, cbd: Double, ccd: Double) -> Double {
        let lambda4 = (1 + caa) * (1 + cbb) - cab * cab
        let lambda0 = lambda4 * ccd - cbc * cbd * (1 + caa) - cac * cad * (1 + cbb) + cab * cac * cbd + cab * cad * cbc
        let lambda1 = lambda4 * (1 + ccc) - cbc * cbc * (1 + caa) - cac * cac * (1 + cbb) + 2 * cab * cac * cbc
        let lambda2 = lambda4 * (1 + cdd) - cbd * cbd * (1 + caa) - cad * cad * (1 + cbb) + 2 * cab * cad * cbd
        return (4 / (Double.pi * Double.pi)) * Double.asin(clampUnit(lambda0 / (lambda1 * lambda2).squareRoot()))
            / lambda4.squareRoot()
    }

    @inline(__always)
    static func clampUnit(_ x: Double) -> Double { min(1, max(-1, x)) }
}
