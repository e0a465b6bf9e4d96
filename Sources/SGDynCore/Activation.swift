import RealModule

/// The hidden-unit nonlinearities of science.md §1, for teacher and student alike.
///
/// `erf` is scaled as g(x) = erf(x/√2) so that the Gaussian averages have the closed forms of
/// science.md §4–§5.
public enum Activation: String, Sendable, CaseIterable, Codable {
    case erf
    case relu
    case linear

    /// g(x).
    @inlinable
    public func value(_ x: Double) -> Double {
        switch self {
        case .erf: return Double.erf(x * 0.7071067811865476)
        case .relu: return x > 0 ? x : 0
        case .linear: return x
        }
    }

    /// g'(x). For ReLU the derivative at 0 is taken as 0 (a set of measure zero).
    @inlinable
    public func derivative(_ x: Double) -> Double {
        switch self {
        case .erf: return 0.7978845608028654 * Double.exp(-0.5 * x * x)
        case .relu: return x > 0 ? 1 : 0
        case .linear: return 1
        }
    }
}
