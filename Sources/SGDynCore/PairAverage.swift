import RealModule

/// Gaussian averages E[g_a(a)·g_b(b)] for two jointly Gaussian local fields, the building block
/// of the analytic generalisation error (science.md §4) and of the ODEs' I2 (§5).
public enum PairAverage {
    /// E[ga(a)·gb(b)] for zero-mean jointly Gaussian (a, b) with Var a = `caa`, Var b = `cbb`,
    /// Cov(a, b) = `cab`. Closed forms for the nine pairs of erf, ReLU and linear (mixed pairs use
    /// the symmetric formula with the arguments swapped) and for `sign` against sign, erf, ReLU
    /// and linear; every other pair goes to `general` (exact sums for polynomials, deterministic
    /// quadrature elsewhere).
    @inlinable
    public static func value(_ ga: Activation, _ gb: Activation, caa: Double, cbb: Double, cab: Double) -> Double {
        switch (ga, gb) {
        case (.erf, .erf):
            return (2 / Double.pi) * Double.asin(clampUnit(cab / ((1 + caa) * (1 + cbb)).squareRoot()))
        case (.linear, .linear):
            return cab
        case (.relu, .relu):
            let varProduct = caa * cbb
            guard varProduct > 0 else { return 0 }  // one field is identically 0, so is g(0)=0
            let rho = clampUnit(cab / varProduct.squareRoot())
            let root = max(0, varProduct - cab * cab).squareRoot()
            return (root + cab * (Double.pi / 2 + Double.asin(rho))) / (2 * Double.pi)
        case (.erf, .linear):
            return cab * 0.7978845608028654 / (1 + caa).squareRoot()
        case (.linear, .erf):
            return cab * 0.7978845608028654 / (1 + cbb).squareRoot()
        case (.relu, .linear), (.linear, .relu):
            return cab / 2
        case (.erf, .relu):
            return cab / (2 * Double.pi * (1 + caa)).squareRoot()
        case (.relu, .erf):
            return cab / (2 * Double.pi * (1 + cbb)).squareRoot()
        case (.sign, .sign) where caa > 0 && cbb > 0:
            return (2 / Double.pi) * Double.asin(clampUnit(cab / (caa * cbb).squareRoot()))
        case (.erf, .sign) where cbb > 0:
            return (2 / Double.pi) * Double.asin(clampUnit(cab / ((1 + caa) * cbb).squareRoot()))
        case (.sign, .erf) where caa > 0:
            return (2 / Double.pi) * Double.asin(clampUnit(cab / (caa * (1 + cbb)).squareRoot()))
        case (.relu, .sign) where cbb > 0:
            return cab / (2 * Double.pi * cbb).squareRoot()
        case (.sign, .relu) where caa > 0:
            return cab / (2 * Double.pi * caa).squareRoot()
        case (.linear, .sign) where cbb > 0:
            return cab * (2 / (Double.pi * cbb)).squareRoot()
        case (.sign, .linear) where caa > 0:
            return cab * (2 / (Double.pi * caa)).squareRoot()
        default:
            return general(ga, gb, caa: caa, cbb: cbb, cab: cab)
        }
    }

    /// Guards `asin` against arguments a rounding error outside [−1, 1].
    @usableFromInline
    static func clampUnit(_ x: Double) -> Double { min(1, max(-1, x)) }
}
