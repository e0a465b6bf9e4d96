/// Where a run left the finite numbers: a simulation whose error Δ, a local field or a record
/// became inf or NaN, or an ODE integration whose state did. The run stops there and keeps the
/// finite records before it; divergence is an outcome of the dynamics (e.g. ηK beyond the
/// stability limit of linear networks), not a failure of the program.
public struct Divergence: Sendable, Equatable {
    /// Simulations: step/N of the step at which a non-finite value appeared (the weights are
    /// those of that step). ODEs: the last time the state was finite.
    public var t: Double
    /// Simulations: the SGD step count at which the run stopped. Nil for ODEs.
    public var step: Int?

    public init(t: Double, step: Int? = nil) {
        self.t = t
        self.step = step
    }
}

extension Divergence {
    /// Whether all `count` values at `values` are finite.
    @inline(__always)
    static func allFinite(_ values: UnsafePointer<Double>, count: Int) -> Bool {
        for i in 0..<count where !values[i].isFinite { return false }
        return true
    }

    static func allFinite(_ values: [Double]) -> Bool {
        values.allSatisfy(\.isFinite)
    }
}

extension ByteWriter {
    /// Present flag, t, optional step.
    mutating func write(divergence: Divergence?) {
        write(divergence != nil)
        write(divergence?.t ?? 0)
        write(optional: divergence?.step)
    }
}

extension ByteReader {
    mutating func readDivergence() throws(SnapshotError) -> Divergence? {
        let present = try readBool()
        let t = try readDouble()
        let step = try readOptionalInt()
        return present ? Divergence(t: t, step: step) : nil
    }
}
