/// The hidden-unit nonlinearities of science.md §1, for teacher and student alike.
///
/// `erf` is scaled as g(x) = erf(x/√2) so that the Gaussian averages have the closed forms of
/// science.md §4–§5. Its g and g' come from `ErfKernel` (within 2 ulp of the C library's erf and
/// exp), which the simulator also evaluates eight at a time, so every path gives the same bits.
public enum Activation: String, Sendable, CaseIterable, Codable {
    case erf
    case relu
    case linear

    /// g(x).
    @inlinable
    public func value(_ x: Double) -> Double {
        switch self {
        case .erf: return ErfKernel.value(x)
        case .relu: return x > 0 ? x : 0
        case .linear: return x
        }
    }

    /// g'(x). For ReLU the derivative at 0 is taken as 0 (a set of measure zero).
    @inlinable
    public func derivative(_ x: Double) -> Double {
        switch self {
        case .erf: return ErfKernel.derivative(x)
        case .relu: return x > 0 ? 1 : 0
        case .linear: return 1
        }
    }
}
