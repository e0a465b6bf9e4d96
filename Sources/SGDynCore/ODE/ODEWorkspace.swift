/// Scratch memory for one right-hand side, allocated once so an evaluation allocates nothing.
/// `ODEWorkspace` owns the memory; `ODEWorkspace.View` is the set of raw pointers the kernels use,
/// a plain value so the hot loops never touch a class property.
///
/// Its size is O(D²) doubles (D = K + M) for every activation, plus for ReLU with D ≤ 40 a table
/// of 8 doubles per set of four fields (C(D, 4), ≤ 5.8 MB): nothing grows like K⁴ beyond that.
/// `ODEResources.workspaceBytes` computes the same size from K, M and the activation.
final class ODEWorkspace {
    struct View {
        let K: Int, M: Int, D: Int
        /// Number of student pairs i ≤ k, and of field pairs c ≤ d.
        let pairs: Int, fieldPairs: Int
        /// Covariance C = [[Q, R], [Rᵀ, T]], D×D; the T block is written once.
        let C: UnsafeMutablePointer<Double>
        /// Signed second layers u = (−v, v*): Σ_m v*_m X(m) − Σ_j v_j X(j) = Σ_c u_c X(c).
        let u: UnsafeMutablePointer<Double>
        /// 1 + C_cc (erf).
        let onePlusDiagonal: UnsafeMutablePointer<Double>
        /// u_c·Y(i, c) for the current student unit i.
        let weighted: UnsafeMutablePointer<Double>
        /// S3(i, b) = Σ_c u_c I3(i, b, c), K×D.
        let s3: UnsafeMutablePointer<Double>
        /// Per student pair: Σ_cd u_c u_d I4(i, k, c, d), and J2(i, k).
        let s4: UnsafeMutablePointer<Double>
        let j2: UnsafeMutablePointer<Double>
        /// Σ_c u_c I2(i, c), K.
        let s2: UnsafeMutablePointer<Double>
        /// Per field c, for the current student pair: adj(C_ab)·(C_ac, C_bc) and 1/√Λ1(c).
        let w0: UnsafeMutablePointer<Double>
        let w1: UnsafeMutablePointer<Double>
        let inverseRoot: UnsafeMutablePointer<Double>
        /// arcsin arguments (erf): the fieldPairs I4 terms of the current student pair, then K×D for I2.
        let arguments: UnsafeMutablePointer<Double>
        /// u_c u_d (doubled off the diagonal) per field pair c ≤ d.
        let pairWeights: UnsafeMutablePointer<Double>
        /// ReLU only: the quantities its I4 terms share (nil for erf and linear).
        let relu: ReLUTables?

        /// Zeroes the terms a quadrature accumulates (S3, S4, J2, S2). Returns false — the terms
        /// then non-finite — when C is not finite (an integration running away): the integrator
        /// reports non-finite terms, where a node count computed from NaN would trap.
        func startTerms() -> Bool {
            for index in 0..<(K * D) { s3[index] = 0 }
            for p in 0..<pairs {
                s4[p] = 0
                j2[p] = 0
            }
            for i in 0..<K { s2[i] = 0 }
            for index in 0..<(D * D) where !C[index].isFinite {
                for index in 0..<(K * D) { s3[index] = .nan }
                for p in 0..<pairs { s4[p] = .nan }
                return false
            }
            return true
        }
    }

    let view: View
    /// What `init` allocated, in bytes (the test of `ODEResources.workspaceBytes` compares the two).
    let allocatedBytes: Int
    private let base: UnsafeMutablePointer<Double>

    /// The buffers in allocation order, in doubles: the common ones, then ReLU's tables.
    static func bufferSizes(K: Int, M: Int, activation: Activation) -> (common: [Int], relu: [Int]) {
        let D = K + M, pairs = K * (K + 1) / 2, fieldPairs = D * (D + 1) / 2
        let common = [D * D, D, D, D, K * D, pairs, pairs, K, D, D, D, fieldPairs + K * D, fieldPairs]
        return (common, activation == .relu ? ReLUTables.bufferSizes(D: D) : [])
    }

    init(K: Int, M: Int, activation: Activation) {
        let D = K + M, pairs = K * (K + 1) / 2, fieldPairs = D * (D + 1) / 2
        let sizes = ODEWorkspace.bufferSizes(K: K, M: M, activation: activation)
        let total = (sizes.common + sizes.relu).reduce(0, +)
        base = .allocate(capacity: total)
        base.initialize(repeating: 0, count: total)
        allocatedBytes = total * MemoryLayout<Double>.stride
        var buffers: [UnsafeMutablePointer<Double>] = []
        var next = base
        for size in sizes.common + sizes.relu {
            buffers.append(next)
            next += size
        }
        let relu = activation == .relu ? ReLUTables(D: D, buffers: Array(buffers[sizes.common.count...])) : nil
        let b = buffers
        view = View(K: K, M: M, D: D, pairs: pairs, fieldPairs: fieldPairs,
                    C: b[0], u: b[1], onePlusDiagonal: b[2], weighted: b[3], s3: b[4], s4: b[5], j2: b[6], s2: b[7],
                    w0: b[8], w1: b[9], inverseRoot: b[10], arguments: b[11], pairWeights: b[12], relu: relu)
    }

    deinit {
        base.deallocate()
    }
}
