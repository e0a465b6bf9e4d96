import Testing
@testable import SGDynCore

/// The activation table (`Activation`, `ActivationDeclaration`): stable on-disk tags, g' against
/// g, the declared facts against the functions.
@Suite struct ActivationTableTests {
    /// Snapshots and work units store these tags: changing one makes stored files read as another
    /// activation. This list is the contract; it may only grow.
    static let storedTags: [String: UInt8] = [
        "erf": 0, "relu": 1, "linear": 2, "tanh": 3, "sigmoid": 4, "softplus": 5, "gelu": 6,
        "quadratic": 7, "he2": 8, "he3": 9, "he4": 10, "sign": 11,
    ]

    @Test func tagsAreStableAndUnique() {
        for g in Activation.allCases {
            #expect(Self.storedTags[g.rawValue] == g.declaration.tag, "\(g): tag \(g.declaration.tag)")
            #expect(Activation(tag: g.declaration.tag) == g)
        }
        #expect(Set(Activation.allCases.map(\.declaration.tag)).count == Activation.allCases.count)
        #expect(Activation(tag: 200) == nil)
    }

    /// g' against a central difference of g (step 1e-5: truncation error ~h²·g''' ≲ 1e-9, rounding
    /// ~1e-16/h ≈ 1e-11), away from kinks.
    @Test(arguments: Activation.allCases)
    func derivativeMatchesValue(_ g: Activation) {
        let h = 1e-5
        for x in stride(from: -4.05, through: 4.0, by: 0.1) where g.declaration.kink == .none || abs(x) > 1e-3 {
            let difference = (g.value(x + h) - g.value(x - h)) / (2 * h)
            #expect(abs(difference - g.derivative(x)) < 1e-8 * max(1, abs(x * x * x)), "\(g) at \(x)")
        }
    }

    @Test(arguments: Activation.allCases)
    func declaredFactsHold(_ g: Activation) {
        let d = g.declaration
        for x in stride(from: 0.05, through: 5.0, by: 0.1) {
            switch d.parity {
            case .odd: #expect(abs(g.value(-x) + g.value(x)) <= 1e-15 * max(1, abs(g.value(x))), "\(g) odd at \(x)")
            case .even: #expect(abs(g.value(-x) - g.value(x)) <= 1e-15 * max(1, abs(g.value(x))), "\(g) even at \(x)")
            case .none: #expect(abs(g.value(-x) - g.value(x)) > 1e-6 && abs(g.value(-x) + g.value(x)) > 1e-6, "\(g) has no parity at \(x)")
            }
            if let split = d.affineSplit {
                // The remainder r = g − a − b·x has the declared parity (to rounding of g's size).
                #expect(d.parity == .none)
                let rPlus = g.value(x) - split.constant - split.slope * x, rMinus = g.value(-x) - split.constant + split.slope * x
                let sign: Double = split.remainder == .odd ? -1 : 1
                #expect(abs(rMinus - sign * rPlus) <= 4e-16 * max(1, abs(g.value(x)), abs(g.value(-x))), "\(g) split at \(x)")
                #expect(abs(rMinus + sign * rPlus) > 1e-6, "\(g)'s remainder has the other parity at \(x)")
            }
            if let p = d.polynomial {
                var y = 0.0
                for j in p.indices.reversed() { y = y * x + p[j] }
                #expect(abs(y - g.value(x)) <= 1e-13 * max(1, abs(y)), "\(g) polynomial at \(x)")
            }
        }
        #expect(d.studentAllowed == (g != .sign))
        #expect(!d.formula.isEmpty && !d.label.isEmpty)
    }

    /// The normalised Hermite polynomials are orthonormal under N(0, 1): E[He_j He_k]/√(j!k!) = δ_jk
    /// (exact moment sums, so to rounding).
    @Test func hermiteActivationsAreOrthonormal() {
        let hermite: [Activation] = [.he2, .he3, .he4]
        for a in hermite {
            for b in hermite {
                let average = PairAverage.value(a, b, caa: 1, cbb: 1, cab: 1)
                #expect(abs(average - (a == b ? 1 : 0)) < 1e-14, "\(a)·\(b): \(average)")
                // E[He_j(x) He_k(y)] = δ_jk ρ^k for unit variances and correlation ρ.
                let rho = 0.37
                let degree = Double(a.declaration.polynomial!.count - 1)
                let expected = a == b ? Double.pow(rho, degree) : 0
                #expect(abs(PairAverage.value(a, b, caa: 1, cbb: 1, cab: rho) - expected) < 1e-14)
            }
        }
    }
}
