import RealModule

/// The hidden-unit nonlinearities of science.md §1, for teacher and student alike: the one place
/// an activation is declared. Its case name is its name in job files; `value`/`derivative` are g
/// and g'; `declaration` holds everything else the rest of sgdyn reads about it (its stable
/// on-disk tag, formula and plot label, whether a student may use it, parity, kinks, and for a
/// polynomial its coefficients), so the simulation, ε_g, the ODEs' integrals, job validation,
/// docs/job-files.md and the plots all follow from this file. Adding an activation is one case
/// here, its row in `declaration`, and its tests (ActivationTableTests).
///
/// `erf` is scaled as g(x) = erf(x/√2) so that the Gaussian averages have the closed forms of
/// science.md §4–§5. Its g and g' come from `ErfKernel` (within 2 ulp of the C library's erf and
/// exp), which the simulator also evaluates eight at a time, so every path gives the same bits.
/// The case order means nothing on disk: snapshots and work units store `declaration.tag`.
///
/// `hermite` is the one case with a value: a teacher given by its Hermite coefficients
/// (`HermiteExpansion`, job files `{"hermite": [c0, c1, …]}`); its tag is followed on disk by its
/// coefficients. `allCases` and `init(rawValue:)` are the named activations; the `rawValue` of an
/// expansion is its readable name ("Hermite(0, 0, 0, 1)"), for messages and labels.
public enum Activation: Sendable, Hashable, CaseIterable, RawRepresentable {
    case erf
    case relu
    case linear
    case tanh
    case sigmoid
    case softplus
    case gelu
    case quadratic
    case he2
    case he3
    case he4
    case sign
    case hermite(HermiteExpansion)

    /// The named activations (every case but `hermite`), in the order the docs list them.
    public static let allCases: [Activation] = [.erf, .relu, .linear, .tanh, .sigmoid, .softplus, .gelu, .quadratic,
                                                .he2, .he3, .he4, .sign]

    /// The name in job files; an expansion's readable name.
    public var rawValue: String {
        switch self {
        case .erf: return "erf"
        case .relu: return "relu"
        case .linear: return "linear"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .softplus: return "softplus"
        case .gelu: return "gelu"
        case .quadratic: return "quadratic"
        case .he2: return "he2"
        case .he3: return "he3"
        case .he4: return "he4"
        case .sign: return "sign"
        case .hermite(let h): return h.name
        }
    }

    /// The named activation called `rawValue` in job files.
    public init?(rawValue: String) {
        guard let found = Activation.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = found
    }

    /// Whether this is a Hermite expansion given by its coefficients.
    public var isHermiteExpansion: Bool {
        if case .hermite = self { return true }
        return false
    }

    /// g(x).
    @inlinable
    public func value(_ x: Double) -> Double {
        switch self {
        case .erf: return ErfKernel.value(x)
        case .relu: return x > 0 ? x : 0
        case .linear: return x
        case .tanh: return Double.tanh(x)
        case .sigmoid: return Activation.logistic(x)
        case .softplus: return x > 0 ? x + Double.log(onePlus: Double.exp(-x)) : Double.log(onePlus: Double.exp(x))
        case .gelu: return x * Activation.normalCDF(x)
        case .quadratic: return x * x
        case .he2: return (x * x - 1) * Activation.inverseRoot2
        case .he3: return x * (x * x - 3) * Activation.inverseRoot6
        case .he4: let x2 = x * x; return (x2 * (x2 - 6) + 3) * Activation.inverseRoot24
        case .sign: return x > 0 ? 1 : (x < 0 ? -1 : 0)
        case .hermite(let h): return h.value(x)
        }
    }

    /// g'(x). For ReLU the derivative at 0 is taken as 0 (a set of measure zero); `sign` has none
    /// (0 almost everywhere, a delta at 0), which is why it may only be a teacher.
    @inlinable
    public func derivative(_ x: Double) -> Double {
        switch self {
        case .erf: return ErfKernel.derivative(x)
        case .relu: return x > 0 ? 1 : 0
        case .linear: return 1
        case .tanh: let t = Double.tanh(x); return 1 - t * t
        case .sigmoid: let s = Activation.logistic(x); return s * (1 - s)
        case .softplus: return Activation.logistic(x)
        case .gelu: return Activation.normalCDF(x) + x * Activation.normalDensity(x)
        case .quadratic: return 2 * x
        case .he2: return 2 * x * Activation.inverseRoot2
        case .he3: return 3 * (x * x - 1) * Activation.inverseRoot6
        case .he4: return 4 * x * (x * x - 3) * Activation.inverseRoot24
        case .sign: return 0
        case .hermite(let h): return h.derivative(x)
        }
    }

    @usableFromInline static let inverseRoot2 = 1 / 2.0.squareRoot()
    @usableFromInline static let inverseRoot6 = 1 / 6.0.squareRoot()
    @usableFromInline static let inverseRoot24 = 1 / 24.0.squareRoot()

    /// 1/(1 + e^−x), without overflow for large |x|.
    @inlinable
    static func logistic(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + Double.exp(-x)) }
        let e = Double.exp(x)
        return e / (1 + e)
    }

    /// Φ(x), the standard normal distribution function.
    @inlinable
    static func normalCDF(_ x: Double) -> Double { 0.5 * Double.erfc(-x * 0.7071067811865476) }

    /// φ(x), the standard normal density.
    @inlinable
    static func normalDensity(_ x: Double) -> Double { 0.3989422804014327 * Double.exp(-0.5 * x * x) }
}

/// Everything sgdyn knows about an activation besides g and g' (see `Activation`).
public struct ActivationDeclaration: Sendable {
    /// Symmetry of g: odd (g(−x) = −g(x)), even, or neither. An odd teacher with an odd student
    /// keeps R = 0 a fixed point; the information exponent of a polynomial teacher is the lowest
    /// degree with a nonzero Hermite coefficient.
    public enum Parity: String, Sendable { case odd, even, none }
    /// Where g is not smooth: nowhere, a kink of g' at 0 (ReLU), or a step of g at 0 (sign). The
    /// Gaussian averages split their integrals there (science.md "conditioning on kinks").
    public enum Kink: String, Sendable { case none, slopeStep, step }

    /// Stable on-disk tag (snapshots, work units): never reuse or change one
    /// (ActivationTableTests pins every tag).
    public let tag: UInt8
    /// g(x) as docs/job-files.md shows it.
    public let formula: String
    /// Short label for plot subtitles and pages.
    public let label: String
    /// Whether a student may use it (its g' must exist and be nonzero somewhere).
    public let studentAllowed: Bool
    public let parity: Parity
    public let kink: Kink
    /// Monomial coefficients c_j of g(x) = Σ_j c_j x^j for a polynomial g, else nil.
    public let polynomial: [Double]?
    /// For g of no parity, g(x) = a + b·x + r(x) with r odd or even, when such a split exists
    /// (sigmoid = ½ + odd, softplus and GELU = x/2 + even, ReLU = x/2 + |x|/2), else nil.
    public let affineSplit: ParitySplit?
    /// For g′ ≥ 0 that decays exponentially (tanh, sigmoid, erf): Λ such that, for a and b
    /// independent with densities ∝ g′, P(|a| + |b| > Λ) ≤ 1e-12 (the share of one part of the
    /// ODE integrals' error budget, docs/numerics.md), g′ decreasing in |x| beyond Λ/2; else nil.
    /// A Gaussian average of g′(λ_i)·g′(λ_k)·(bounded) over fields of large norm then loses at
    /// most about that fraction where |λ_i| + |λ_k| > Λ (`ConditionalPairQuadrature`'s outer
    /// rule, `OuterDomain`).
    public let derivativeTail: Double?

    /// g(x) = constant + slope·x + r(x), r of the given parity.
    public struct ParitySplit: Sendable, Equatable {
        public let constant: Double
        public let slope: Double
        public let remainder: Parity
    }

    init(tag: UInt8, formula: String, label: String, studentAllowed: Bool, parity: Parity, kink: Kink,
         polynomial: [Double]?, affineSplit: ParitySplit? = nil, derivativeTail: Double? = nil) {
        self.tag = tag
        self.formula = formula
        self.label = label
        self.studentAllowed = studentAllowed
        self.parity = parity
        self.kink = kink
        self.polynomial = polynomial
        self.affineSplit = affineSplit
        self.derivativeTail = derivativeTail
    }

    /// g as an affine part plus a function of definite parity: (0, 0, parity) for an odd or even
    /// g, else `affineSplit`. Gaussian averages of the remainder at mean −m follow from those
    /// at m (`ConditionalPairQuadrature` builds its tables for m ≥ 0 only).
    public var symmetricSplit: ParitySplit? {
        parity == .none ? affineSplit : ParitySplit(constant: 0, slope: 0, remainder: parity)
    }
}

extension Activation {
    /// This activation's declaration: the table row.
    public var declaration: ActivationDeclaration {
        let r2 = Activation.inverseRoot2, r6 = Activation.inverseRoot6, r24 = Activation.inverseRoot24
        switch self {
        // derivativeTail Λ, P(|a| + |b| > Λ) for a, b ∝ g′ (ActivationTableTests computes it):
        // erf 10.5, tanh 16.5 (5.9e-13; 1.6e-12 at 16), sigmoid 32.5 (9.6e-13; 1.6e-12 at 32).
        case .erf: return .init(tag: 0, formula: "erf(x/√2)", label: "erf", studentAllowed: true, parity: .odd, kink: .none, polynomial: nil,
                                derivativeTail: 10.5)
        case .relu: return .init(tag: 1, formula: "max(0, x)", label: "relu", studentAllowed: true, parity: .none, kink: .slopeStep, polynomial: nil,
                                 affineSplit: .init(constant: 0, slope: 0.5, remainder: .even))
        case .linear: return .init(tag: 2, formula: "x", label: "linear", studentAllowed: true, parity: .odd, kink: .none, polynomial: [0, 1])
        case .tanh: return .init(tag: 3, formula: "tanh(x)", label: "tanh", studentAllowed: true, parity: .odd, kink: .none, polynomial: nil,
                                 derivativeTail: 16.5)
        case .sigmoid: return .init(tag: 4, formula: "1/(1 + e^−x)", label: "sigmoid", studentAllowed: true, parity: .none, kink: .none, polynomial: nil,
                                    affineSplit: .init(constant: 0.5, slope: 0, remainder: .odd), derivativeTail: 32.5)
        case .softplus: return .init(tag: 5, formula: "log(1 + e^x)", label: "softplus", studentAllowed: true, parity: .none, kink: .none, polynomial: nil,
                                     affineSplit: .init(constant: 0, slope: 0.5, remainder: .even))
        case .gelu: return .init(tag: 6, formula: "x·Φ(x)", label: "GELU", studentAllowed: true, parity: .none, kink: .none, polynomial: nil,
                                 affineSplit: .init(constant: 0, slope: 0.5, remainder: .even))
        case .quadratic: return .init(tag: 7, formula: "x²", label: "x²", studentAllowed: true, parity: .even, kink: .none, polynomial: [0, 0, 1])
        case .he2: return .init(tag: 8, formula: "He₂(x)/√2! = (x² − 1)/√2", label: "He₂", studentAllowed: true, parity: .even, kink: .none,
                                polynomial: [-r2, 0, r2])
        case .he3: return .init(tag: 9, formula: "He₃(x)/√3! = (x³ − 3x)/√6", label: "He₃", studentAllowed: true, parity: .odd, kink: .none,
                                polynomial: [0, -3 * r6, 0, r6])
        case .he4: return .init(tag: 10, formula: "He₄(x)/√4! = (x⁴ − 6x² + 3)/√24", label: "He₄", studentAllowed: true, parity: .even, kink: .none,
                                polynomial: [3 * r24, 0, -6 * r24, 0, r24])
        case .sign: return .init(tag: 11, formula: "sign(x) (teacher only)", label: "sign", studentAllowed: false, parity: .odd, kink: .step, polynomial: nil)
        // Tag 12 is followed on disk by the coefficients (`ByteWriter.write(activation:)`).
        case .hermite(let h): return .init(tag: 12, formula: "Σ_k c_k·He_k(x)/√k! (teacher only)", label: h.name, studentAllowed: false,
                                           parity: h.parity, kink: .none, polynomial: h.monomials)
        }
    }

    /// The named activation with this on-disk tag, or nil for an unknown one (or 12, an expansion,
    /// whose coefficients follow the tag: `ByteReader.readActivation`).
    public init?(tag: UInt8) {
        guard let found = Activation.allCases.first(where: { $0.declaration.tag == tag }) else { return nil }
        self = found
    }

    /// The one-line list of activations for docs/job-files.md: name = formula.
    public static var documentation: String {
        allCases.map { "`\($0.rawValue)` = \($0.declaration.formula)" }.joined(separator: "; ")
    }
}
