import RealModule

/// A teacher activation given by its coefficients in the normalised Hermite basis,
/// g(x) = Σ_k c_k·He_k(x)/√k! (probabilists' Hermite polynomials, orthonormal under N(0, 1):
/// E[g(z)²] = Σ_k c_k² for z ~ N(0, 1)), of degree at most `maxDegree`. Job files give it as
/// `{"hermite": [c0, c1, …]}` (`teacher_activation` only; docs/job-files.md).
///
/// The expansion is kept in its canonical form (trailing zero coefficients dropped, so
/// `[0, 0, 0, 1, 0]` and `[0, 0, 0, 1]` are the same teacher), and everything the rest of sgdyn
/// reads is computed once here: the monomial coefficients (g is evaluated by Horner's rule in
/// the simulation, and the Gaussian averages of polynomial pairs are exact moment sums over them,
/// `PairAverage.polynomialPair`), its name, and its parity. The monomials of a single c_k = 1 are
/// formed exactly as the table's `he2`–`he4` rows, so their Gaussian averages agree to the bit.
public struct HermiteExpansion: Sendable, Hashable {
    /// The highest degree accepted: He₈ has monomial coefficients up to 420, and Horner's rule
    /// stays accurate to ~1e-13 relative for the fields a simulation meets (|x| ≲ 8).
    public static let maxDegree = 8

    /// c_0 … c_d, the last one nonzero.
    public let coefficients: [Double]
    /// a_0 … a_d with g(x) = Σ_j a_j x^j.
    public let monomials: [Double]
    /// "Hermite(0, 0, 0, 1)": the coefficients, integers without a decimal point, every other
    /// number in Swift's shortest form that reads back to the same Double.
    public let name: String
    public let parity: ActivationDeclaration.Parity

    /// Why `coefficients` cannot be an expansion (a sentence for job-file errors), or nil.
    public static func problem(_ coefficients: [Double]) -> String? {
        if coefficients.isEmpty { return "needs at least one coefficient" }
        if let bad = coefficients.firstIndex(where: { !$0.isFinite }) { return "coefficient \(bad) is not a finite number" }
        guard let last = coefficients.lastIndex(where: { $0 != 0 }) else {
            return "has only zero coefficients (the teacher would be identically 0)"
        }
        if last > maxDegree {
            return "has degree \(last), more than the \(maxDegree) sgdyn accepts (at most \(maxDegree + 1) coefficients c0…c\(maxDegree) after trailing zeros)"
        }
        return nil
    }

    /// The expansion, for coefficients `problem` accepts (a programming error otherwise).
    public init(coefficients given: [Double]) {
        precondition(HermiteExpansion.problem(given) == nil, "invalid Hermite coefficients \(given)")
        let degree = given.lastIndex(where: { $0 != 0 })!
        let c = Array(given[0...degree])
        coefficients = c
        // He_k as integer monomial coefficients: He_{k+1}(x) = x·He_k(x) − k·He_{k−1}(x).
        var previous = [1.0], current = [0.0, 1.0]
        var basis = [previous, current]
        if degree >= 2 {
            for k in 1..<degree {
                var next = [Double](repeating: 0, count: k + 2)
                for j in current.indices { next[j + 1] += current[j] }
                for j in previous.indices { next[j] -= Double(k) * previous[j] }
                previous = current
                current = next
                basis.append(next)
            }
        }
        var a = [Double](repeating: 0, count: degree + 1)
        var factorial = 1.0
        for k in 0...degree {
            if k > 0 { factorial *= Double(k) }
            guard c[k] != 0 else { continue }
            // 1/√k! as the table writes it (Activation.inverseRoot6 = 1/√6), then times c_k and
            // the integer coefficient: for c_k = 1 these are the table's he_k monomials exactly.
            let scale = c[k] * (1 / factorial.squareRoot())
            for j in basis[k].indices where basis[k][j] != 0 { a[j] += basis[k][j] * scale }
        }
        monomials = a
        name = "Hermite(" + c.map(HermiteExpansion.format).joined(separator: ", ") + ")"
        let odd = c.indices.contains { $0 % 2 == 1 && c[$0] != 0 }
        let even = c.indices.contains { $0 % 2 == 0 && c[$0] != 0 }
        parity = odd && even ? .none : (odd ? .odd : .even)
    }

    /// g(x) by Horner's rule.
    @inlinable
    public func value(_ x: Double) -> Double {
        monomials.withUnsafeBufferPointer { a in
            var s = a[a.count - 1]
            var j = a.count - 2
            while j >= 0 { s = s * x + a[j]; j -= 1 }
            return s
        }
    }

    /// g'(x) by Horner's rule.
    @inlinable
    public func derivative(_ x: Double) -> Double {
        monomials.withUnsafeBufferPointer { a in
            var s = 0.0
            var j = a.count - 1
            while j >= 1 { s = s * x + Double(j) * a[j]; j -= 1 }
            return s
        }
    }

    /// A coefficient as `name` shows it.
    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    public static func == (a: HermiteExpansion, b: HermiteExpansion) -> Bool { a.coefficients == b.coefficients }
    public func hash(into hasher: inout Hasher) { hasher.combine(coefficients) }
}
