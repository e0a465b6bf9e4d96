/// A right-hand side y' = f(y) on a flat state, for the integrators. Autonomous: the ODEs of
/// science.md §5 do not depend on t.
protocol ODEVectorField {
    var dimension: Int { get }
    /// dy = f(y); must not allocate (it runs millions of times).
    func evaluate(_ y: UnsafePointer<Double>, _ dy: UnsafeMutablePointer<Double>)
    /// Whether the last `evaluate` took a quadrature at its cap on the work (then resolved less
    /// finely than the error budget); clears that mark. The integrators ask after every
    /// evaluation, so nothing carries over a chunk boundary (a resumed run counts the same).
    func takeUnderResolved() -> Bool
}

extension ODEVectorField {
    func takeUnderResolved() -> Bool { false }
}

extension ODERightHandSide: ODEVectorField {
    var dimension: Int { layout.count }
}

/// Fixed-size scratch vectors for the integrators, allocated once per integration.
final class ODEVectors {
    private let base: UnsafeMutablePointer<Double>
    let dimension: Int

    init(count: Int, dimension: Int) {
        self.dimension = dimension
        base = .allocate(capacity: max(1, count * dimension))
        base.initialize(repeating: 0, count: max(1, count * dimension))
    }

    deinit { base.deallocate() }

    subscript(index: Int) -> UnsafeMutablePointer<Double> { base + index * dimension }
}
