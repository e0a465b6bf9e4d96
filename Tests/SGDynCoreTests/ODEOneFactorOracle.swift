import RealModule
@testable import SGDynCore

/// An independent oracle for ReLU Gaussian averages: when the covariance has one-factor form,
/// x_i = s_i(λ_i z + √(1 − λ_i²) e_i) with independent z, e_i, the fields are independent given z,
/// so E[Π_i x_i^{p_i}Θ(x_i)] = ∫ φ(z) Π_i E[x_i^{p_i}Θ(x_i) | z] dz, a 1-D integral of products of
/// Φ and φ. Done on [−10, 0] and [0, 10] separately (a field with |λ| = 1 has a kink at z = 0)
/// with 24 panels of 12-point Gauss–Legendre each: the integrand is smooth on each half, so this
/// is accurate to rounding (≈ 1e-15), and it shares nothing with `ReLUMoments` but the nodes.
enum OneFactorOracle {
    struct Field {
        var scale: Double
        var loading: Double
        var power: Int
    }

    static func covariance(_ fields: [Field]) -> [Double] {
        let n = fields.count
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                c[i * n + j] = i == j ? fields[i].scale * fields[i].scale
                    : fields[i].scale * fields[j].scale * fields[i].loading * fields[j].loading
            }
        }
        return c
    }

    static func expectation(_ fields: [Field]) -> Double {
        let rule = GaussLegendre.rule(points: 12)
        var total = 0.0
        var edges = [0.0, 1e-16]
        while edges.last! < 1 { edges.append(min(1, 2 * edges.last!)) }
        while edges.last! < 10 { edges.append(edges.last! + 0.5) }
        for sign in [-1.0, 1.0] {
            for panel in 0..<(edges.count - 1) {
                let left = edges[panel], width = edges[panel + 1] - edges[panel]
                for q in 0..<rule.nodes.count {
                    let z = sign * (left + width * rule.nodes[q])
                    total += width * rule.weights[q] * integrand(fields, z)
                }
            }
        }
        return total
    }

    private static func integrand(_ fields: [Field], _ z: Double) -> Double {
        var product = Double.exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
        for f in fields {
            let mu = f.scale * f.loading * z
            let sigma = f.scale * max(0, 1 - f.loading * f.loading).squareRoot()
            let value: Double
            if sigma == 0 {
                let positive = mu > 0 ? 1.0 : 0.0
                value = positive * Double.pow(mu, f.power)
            } else {
                let r = mu / sigma
                let cdf = 0.5 * Double.erfc(-r / 2.0.squareRoot())
                let pdf = Double.exp(-0.5 * r * r) / (2 * Double.pi).squareRoot()
                switch f.power {
                case 0: value = cdf
                case 1: value = mu * cdf + sigma * pdf
                default: value = (mu * mu + sigma * sigma) * cdf + mu * sigma * pdf
                }
            }
            product *= value
        }
        return product
    }
}
