import RealModule
import Testing
@testable import SGDynCore

/// The pair averages of any two activations (`PairAverage.general`) against independent
/// evaluations: the closed forms where they exist, and a rule with three times the panels.
@Suite struct GaussianAverageTests {
    /// Covariances (caa, cbb, cab): random ones, and nearly singular ones (|ρ| = 1 − 1e-6, one
    /// variance tiny or large), where the conditional deviation s is small and the smoothed
    /// activation turns over sharply — the hard case for the quadrature.
    static let covariances: [(Double, Double, Double)] = {
        var list: [(Double, Double, Double)] = []
        var g = NormalStream(seed: 5, stream: .testSample, counter: 3)
        for _ in 0..<12 {
            let caa = 0.1 + 3 * abs(g.next()), cbb = 0.1 + 3 * abs(g.next())
            let rho = Double.tanh(g.next())
            list.append((caa, cbb, rho * (caa * cbb).squareRoot()))
        }
        for (caa, cbb) in [(1.0, 1.0), (0.01, 4.0), (9.0, 0.3), (25.0, 25.0)] {
            for rho in [1 - 1e-6, -(1 - 1e-6), 0.999, 0] { list.append((caa, cbb, rho * (caa * cbb).squareRoot())) }
        }
        return list
    }()

    /// A third of the random covariances and every nearly singular one, for the slow refined rule.
    static let refinedCovariances = covariances.enumerated().filter { $0.offset >= 12 || $0.offset % 4 == 0 }.map(\.element)

    static let smooth: Set<Activation> = [.erf, .linear, .tanh, .sigmoid, .softplus, .gelu, .quadratic, .he2, .he3, .he4]

    /// Relative error allowed: 1e-9 for two smooth activations, 1e-7 when one is kinked (ReLU,
    /// sign), as docs/science.md states; relative to max(|average|, √(E[ga²]E[gb²])·1e-3) so
    /// that an average that cancels to ~0 is judged against the size of its terms.
    static func tolerance(_ a: Activation, _ b: Activation) -> Double {
        smooth.contains(a) && smooth.contains(b) ? 1e-9 : 1e-7
    }

    static func scale(_ a: Activation, _ b: Activation, _ caa: Double, _ cbb: Double) -> Double {
        let ea = PairAverage.general(a, a, caa: caa, cbb: caa, cab: caa)
        let eb = PairAverage.general(b, b, caa: cbb, cbb: cbb, cab: cbb)
        return (abs(ea) * abs(eb)).squareRoot()
    }

    @Test("the quadrature path agrees with every closed form where both apply")
    func generalMatchesClosedForms() {
        let closed: [(Activation, Activation)] = [
            (.erf, .erf), (.linear, .linear), (.relu, .relu), (.erf, .linear), (.linear, .erf), (.relu, .linear),
            (.linear, .relu), (.erf, .relu), (.relu, .erf), (.sign, .sign), (.erf, .sign), (.sign, .erf),
            (.relu, .sign), (.sign, .relu), (.linear, .sign), (.sign, .linear),
        ]
        for (a, b) in closed {
            for (caa, cbb, cab) in Self.covariances {
                let exact = PairAverage.value(a, b, caa: caa, cbb: cbb, cab: cab)
                let quadrature = PairAverage.general(a, b, caa: caa, cbb: cbb, cab: cab)
                let scale = max(abs(exact), 1e-3 * Self.scale(a, b, caa, cbb))
                #expect(abs(quadrature - exact) <= Self.tolerance(a, b) * scale,
                        "\(a)·\(b) at (\(caa), \(cbb), \(cab)): closed \(exact), quadrature \(quadrature)")
            }
        }
    }

    @Test("every pair against a rule with three times the panels", arguments: Activation.allCases)
    func generalAgreesWithRefinedRule(_ a: Activation) {
        for b in Activation.allCases {
            for (caa, cbb, cab) in Self.refinedCovariances {
                let value = PairAverage.value(a, b, caa: caa, cbb: cbb, cab: cab)
                let reference = PairAverage.general(a, b, caa: caa, cbb: cbb, cab: cab, refine: 3)
                let scale = max(abs(reference), 1e-3 * Self.scale(a, b, caa, cbb))
                #expect(abs(value - reference) <= Self.tolerance(a, b) * scale,
                        "\(a)·\(b) at (\(caa), \(cbb), \(cab)): \(value) vs refined \(reference)")
                // Symmetric in its arguments.
                let swapped = PairAverage.value(b, a, caa: cbb, cbb: caa, cab: cab)
                #expect(abs(swapped - value) <= Self.tolerance(a, b) * scale)
            }
        }
    }

    /// The tensor Gauss–Hermite path (tanh, sigmoid, softplus) across the variances where its rule
    /// size changes and where it hands over to the nested rule, against the nested rule with three
    /// times the panels: 1e-9 relative (scale as above).
    @Test("the Gauss–Hermite path against the refined nested rule")
    func gaussHermiteMatchesNestedRule() {
        let analytic: [Activation] = [.tanh, .sigmoid, .softplus]
        for a in analytic {
            for b in analytic {
                for deviation in [0.3, 0.7, 1.0, 1.3, 1.8, 2.5, 3.5] {
                    for rho in [0.0, 0.5, -0.9, 0.999, 1 - 1e-6] {
                        let caa = deviation * deviation, cbb = 0.8 * caa, cab = rho * (caa * cbb).squareRoot()
                        let value = PairAverage.value(a, b, caa: caa, cbb: cbb, cab: cab)
                        let reference = PairAverage.general(a, b, caa: caa, cbb: cbb, cab: cab, refine: 3)
                        let scale = max(abs(reference), 1e-3 * Self.scale(a, b, caa, cbb))
                        #expect(abs(value - reference) <= 1e-9 * scale, "\(a)·\(b) σ \(deviation) ρ \(rho): \(value) vs \(reference)")
                    }
                }
            }
        }
    }

    @Test("the closed smoothings against the quadrature over z")
    func smoothingsMatchQuadrature() {
        for g in [Activation.erf, .relu, .sign, .gelu, .linear, .he3] {
            for m in [-3.0, -0.2, 0, 0.01, 1.7] {
                for s in [1e-4, 0.3, 1, 4] {
                    let closed = PairAverage.smoothed(g, mean: m, deviation: s)
                    let quadrature = GaussianLine.expectation(center: -m / s, width: min(1, 1 / s)) { z in g.value(m + s * z) }
                    #expect(abs(closed - quadrature) <= 1e-10 * max(1, abs(closed)), "\(g) m \(m) s \(s): \(closed) vs \(quadrature)")
                }
            }
        }
    }

    @Test("a field with zero variance is the constant 0")
    func degenerateFields() {
        #expect(abs(PairAverage.value(.tanh, .softplus, caa: 0, cbb: 2, cab: 0)) == 0)
        let expected = Activation.softplus.value(0) * PairAverage.smoothed(.sigmoid, mean: 0, deviation: 2.0.squareRoot())
        #expect(abs(PairAverage.value(.softplus, .sigmoid, caa: 0, cbb: 2, cab: 0) - expected) < 1e-15)
        #expect(abs(expected - Double.log(2) * 0.5) < 1e-12)  // sigmoid(x) − ½ is odd
    }
}
