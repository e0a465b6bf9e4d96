/// Where each order parameter sits in the flat state vector the integrators advance:
/// the upper triangle of Q (i ≤ k, row-major), then R (K×M, row-major), then v when it is
/// trained. T, v* (and v when fixed) do not change and stay out of the state, so error control
/// sees only what moves.
struct ODEStateLayout: Sendable, Equatable {
    let K: Int
    let M: Int
    let trainSecondLayer: Bool

    var qCount: Int { K * (K + 1) / 2 }
    var rOffset: Int { qCount }
    var vOffset: Int { qCount + K * M }
    var count: Int { vOffset + (trainSecondLayer ? K : 0) }

    /// Index of Q_ik, i ≤ k, in the state (also the index of the pair (i, k) in pair arrays).
    @inline(__always)
    func qIndex(_ i: Int, _ k: Int) -> Int { i * K - i * (i - 1) / 2 + (k - i) }

    func pack(_ op: OrderParameters) -> [Double] {
        var y = [Double](repeating: 0, count: count)
        for i in 0..<K { for k in i..<K { y[qIndex(i, k)] = op.q(i, k) } }
        for i in 0..<K { for n in 0..<M { y[rOffset + i * M + n] = op.r(i, n) } }
        if trainSecondLayer { for i in 0..<K { y[vOffset + i] = op.v[i] } }
        return y
    }

    /// The order parameters of state `y`, with T, v* (and a fixed v) taken from `fixed`.
    func unpack(_ y: UnsafePointer<Double>, fixed: OrderParameters) -> OrderParameters {
        var op = fixed
        for i in 0..<K {
            for k in i..<K {
                op.Q[i * K + k] = y[qIndex(i, k)]
                op.Q[k * K + i] = y[qIndex(i, k)]
            }
            for n in 0..<M { op.R[i * M + n] = y[rOffset + i * M + n] }
            if trainSecondLayer { op.v[i] = y[vOffset + i] }
        }
        return op
    }
}
