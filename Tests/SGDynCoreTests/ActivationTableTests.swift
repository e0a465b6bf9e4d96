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
        if let tail = d.derivativeTail {
            // P(|a| + |b| > tail) for a, b independent with densities ∝ g′ is ≤ 1e-12, but more
            // than that from 0.5 closer (the bound is not slack): with the tail mass
            // T(t) = P(|b| > t) by cumulative trapezoid sums (step 0.005, to 60 beyond), the sum
            // of p(a)·T(tail − |a|). g′ ≥ 0 and decreasing in |x| from tail/2.
            let step = 0.005, count = Int((tail + 60) / step)
            var density = [Double](repeating: 0, count: count + 1)  // g′(x) + g′(−x) at x = k·step
            for k in 0...count { let x = Double(k) * step; density[k] = g.derivative(x) + (k == 0 ? 0 : g.derivative(-x)) }
            var beyond = [Double](repeating: 0, count: count + 2)   // mass from k·step on
            for k in stride(from: count, through: 0, by: -1) { beyond[k] = beyond[k + 1] + step * density[k] }
            let whole = beyond[0]
            func pairTail(_ lambda: Double) -> Double {
                var sum = 0.0
                for k in 0...count {
                    let rest = lambda - Double(k) * step
                    let t = rest <= 0 ? whole : beyond[min(count + 1, Int((rest / step).rounded(.up)))]
                    sum += step * density[k] / whole * t / whole
                }
                return sum
            }
            #expect(pairTail(tail) <= 1e-12, "\(g): P(|a| + |b| > \(tail)) = \(pairTail(tail))")
            #expect(pairTail(tail - 0.5) > 1e-12, "\(g)'s tail could be closer than \(tail): \(pairTail(tail - 0.5))")
            var previous = (g.derivative(tail / 2), g.derivative(-tail / 2))
            for x in stride(from: tail / 2, through: tail + 40, by: 0.25) {
                let v = (g.derivative(x), g.derivative(-x))
                #expect(v.0 >= 0 && v.1 >= 0 && v.0 <= previous.0 && v.1 <= previous.1, "\(g) at ±\(x)")
                previous = v
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
