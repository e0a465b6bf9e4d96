/// Scratch memory for one right-hand side, allocated once so an evaluation allocates nothing.
/// `ODEWorkspace` owns the memory; `ODEWorkspace.View` is the set of raw pointers the kernels use,
/// a plain value so the hot loops never touch a class property.
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
        /// arcsin arguments (erf): pairs × fieldPairs for I4, then K×D for I2.
        let arguments: UnsafeMutablePointer<Double>
        /// u_c u_d (doubled off the diagonal) per field pair c ≤ d.
        let pairWeights: UnsafeMutablePointer<Double>
        /// (4/π²)/√Λ4 per student pair.
        let prefactor: UnsafeMutablePointer<Double>
        /// ReLU: orthant probabilities of sets of four fields, by `FourSubsets.rank` (nil when
        /// not ReLU or when D > 40, where the table would outgrow its use).
        let orthantCache: UnsafeMutablePointer<Double>?
        let orthantCacheCount: Int
    }

    let view: View
    private let base: UnsafeMutablePointer<Double>
    private let cache: UnsafeMutablePointer<Double>?

    init(K: Int, M: Int, activation: Activation) {
        let D = K + M, pairs = K * (K + 1) / 2, fieldPairs = D * (D + 1) / 2
        let sizes = [D * D, D, D, D, K * D, pairs, pairs, K, D, D, D, pairs * fieldPairs + K * D, fieldPairs, pairs]
        let total = sizes.reduce(0, +)
        base = .allocate(capacity: total)
        base.initialize(repeating: 0, count: total)
        var offsets: [Int] = []
        var offset = 0
        for size in sizes { offsets.append(offset); offset += size }
        let b = base
        let cacheCount = activation == .relu && D <= 40 ? FourSubsets.count(D) : 0
        cache = cacheCount > 0 ? .allocate(capacity: cacheCount) : nil
        cache?.initialize(repeating: .nan, count: cacheCount)
        view = View(K: K, M: M, D: D, pairs: pairs, fieldPairs: fieldPairs,
                    C: b + offsets[0], u: b + offsets[1], onePlusDiagonal: b + offsets[2], weighted: b + offsets[3],
                    s3: b + offsets[4], s4: b + offsets[5], j2: b + offsets[6], s2: b + offsets[7],
                    w0: b + offsets[8], w1: b + offsets[9], inverseRoot: b + offsets[10], arguments: b + offsets[11],
                    pairWeights: b + offsets[12], prefactor: b + offsets[13],
                    orthantCache: cache, orthantCacheCount: cacheCount)
    }

    deinit {
        base.deallocate()
        cache?.deallocate()
    }
}
