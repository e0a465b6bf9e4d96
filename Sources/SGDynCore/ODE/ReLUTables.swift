/// What the ReLU I4 terms of one right-hand side share, computed once per evaluation from the
/// covariance C of the D = K + M fields: correlations' arcsines, conditional variances given one
/// field, and per set of four distinct fields its orthant probability and the six bivariate
/// orthant probabilities given a pair of them (`ReLUClosedForms` combines them into each I4).
/// Pointers into `ODEWorkspace`'s memory; a plain value, so the hot loops never touch a class.
struct ReLUTables {
    /// The per-set table is kept for D ≤ 40 (C(40, 4)·8 doubles = 5.8 MB); beyond that, I4 of
    /// four distinct fields goes the general way (`ReLUMoments`), computing P4 each time.
    static let maximumTableFields = 40

    let D: Int
    /// asin ρ_ab, D×D (diagonal unused).
    let arcsines: UnsafeMutablePointer<Double>
    /// 1/C_aa and φ_a = 1/√(2π C_aa) (0 for a field of variance 0).
    let inverseVariance: UnsafeMutablePointer<Double>
    let phi: UnsafeMutablePointer<Double>
    /// Given x_j = 0, row j: 1/√(2π C^(j)_xx) and √(C^(j)_xx/(2π)), C^(j) = C − C_·j C_j·/C_jj.
    let conditionalPhi: UnsafeMutablePointer<Double>
    let conditionalRoot: UnsafeMutablePointer<Double>
    /// 1 where the pair (a, b) needs `ReLUMoments`' general method: fields nearly parallel
    /// (merged there) or of variance 0. D×D.
    let special: UnsafeMutablePointer<Double>
    /// Per set of four fields, by `FourSubsets.rank`: P(all four > 0); for the pairs of its sorted
    /// positions (01, 02, 03, 12, 13, 23) P(the other two > 0 | the pair = 0); 1 when a doubly
    /// conditional variance is degenerate (then the general method). NaN first: not yet computed
    /// in this evaluation. nil when D > `maximumTableFields`.
    let fourSets: UnsafeMutablePointer<Double>?
    let fourSetCount: Int

    static func bufferSizes(D: Int) -> [Int] {
        [D * D, D, D, D * D, D * D, D * D, D <= maximumTableFields ? 8 * FourSubsets.count(D) : 0]
    }

    init(D: Int, buffers: [UnsafeMutablePointer<Double>]) {
        self.D = D
        arcsines = buffers[0]
        inverseVariance = buffers[1]
        phi = buffers[2]
        conditionalPhi = buffers[3]
        conditionalRoot = buffers[4]
        special = buffers[5]
        fourSetCount = D <= ReLUTables.maximumTableFields ? FourSubsets.count(D) : 0
        fourSets = fourSetCount > 0 ? buffers[6] : nil
    }

    /// Fills the per-field and per-pair tables for covariance C and marks every set as not computed.
    func prepare(_ C: UnsafeMutablePointer<Double>) {
        let twoPi = 2 * Double.pi
        for a in 0..<D {
            let v = C[a * D + a]
            inverseVariance[a] = v > 0 ? 1 / v : 0
            phi[a] = v > 0 ? 1 / (twoPi * v).squareRoot() : 0
        }
        for a in 0..<D {
            let caa = C[a * D + a]
            for b in 0..<D {
                let cbb = C[b * D + b], cab = C[a * D + b]
                let product = caa * cbb
                let positive = caa > 0 && cbb > 0
                // The same test as ReLUMoments.i4's merge (so the two methods split cases alike).
                special[a * D + b] = !positive || product - cab * cab <= ReLUMoments.mergeThreshold * product ? 1 : 0
                arcsines[a * D + b] = positive && a != b ? cab / product.squareRoot() : 0
                let conditional = caa > 0 ? cbb - cab * cab * inverseVariance[a] : cbb
                conditionalPhi[a * D + b] = conditional > 0 ? 1 / (twoPi * conditional).squareRoot() : 0
                conditionalRoot[a * D + b] = conditional > 0 ? (conditional / twoPi).squareRoot() : 0
            }
        }
        FastArcsine.apply(arcsines, count: D * D)
        if let fourSets {
            for set in 0..<fourSetCount { fourSets[8 * set] = .nan }
        }
    }

    /// The table row of the set {s0 < s1 < s2 < s3} (rank `rank`), computed on first use.
    @inline(__always)
    func fourSetRow(_ C: UnsafeMutablePointer<Double>, rank: Int, _ s: SIMD4<Int>) -> UnsafeMutablePointer<Double> {
        let row = fourSets.unsafelyUnwrapped + 8 * rank
        if row[0].isNaN { fillFourSet(C, row, s) }
        return row
    }

    private func fillFourSet(_ C: UnsafeMutablePointer<Double>, _ row: UnsafeMutablePointer<Double>, _ s: SIMD4<Int>) {
        let D = self.D
        @inline(__always) func c(_ a: Int, _ b: Int) -> Double { C[s[a] * D + s[b]] }
        @inline(__always) func rho(_ a: Int, _ b: Int) -> Double { c(a, b) / (c(a, a) * c(b, b)).squareRoot() }
        row[0] = OrthantProbability.four(SIMD8(rho(0, 1), rho(0, 2), rho(0, 3), rho(1, 2), rho(1, 3), rho(2, 3), 0, 0))
        // Partial correlation of the complement (x, y) of the pair (p, q): condition on p, then q.
        var degenerate = false
        @inline(__always) func partial(_ p: Int, _ q: Int, _ x: Int, _ y: Int) -> Double {
            let ip = 1 / c(p, p)
            let qq = c(q, q) - c(q, p) * c(q, p) * ip
            let xq = c(x, q) - c(x, p) * c(q, p) * ip, yq = c(y, q) - c(y, p) * c(q, p) * ip
            let xx = c(x, x) - c(x, p) * c(x, p) * ip, yy = c(y, y) - c(y, p) * c(y, p) * ip
            let xy = c(x, y) - c(x, p) * c(y, p) * ip
            let iq = 1 / qq
            let dxx = xx - xq * xq * iq, dyy = yy - yq * yq * iq, dxy = xy - xq * yq * iq
            guard dxx > ReLUMoments.degenerateVariance * c(x, x), dyy > ReLUMoments.degenerateVariance * c(y, y) else {
                degenerate = true
                return 0
            }
            return dxy / (dxx * dyy).squareRoot()
        }
        let partials = SIMD8<Double>(partial(0, 1, 2, 3), partial(0, 2, 1, 3), partial(0, 3, 1, 2),
                                     partial(1, 2, 0, 3), partial(1, 3, 0, 2), partial(2, 3, 0, 1), 0, 0)
        let arcs = FastArcsine.arcsine(partials)
        for slot in 0..<6 { row[1 + slot] = 0.25 + arcs[slot] / (2 * Double.pi) }
        row[7] = degenerate ? 1 : 0
    }
}
