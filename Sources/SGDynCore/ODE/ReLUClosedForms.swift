/// I4(i, k, c, d) = E[Θ(x_i)Θ(x_k)·x_c⁺·x_d⁺] for the right-hand side, written out: the same
/// Gaussian integration by parts as `ReLUMoments` (E[x_v G] = Σ_j C_vj E[∂_j G]), done by hand
/// for each way the four arguments can coincide, so one I4 is a few table look-ups and
/// multiply–adds instead of a recursion over copied covariance matrices. With φ_j = 1/√(2π C_jj),
/// C^(j) the covariance given x_j = 0, and G(j; p, q) = E[Θ_p q⁺ | x_j = 0] =
/// ½(C^(j)_pq φ^(j)_p + √(C^(j)_qq/2π)):
///
///   x²Θ(x)            C_xx/2
///   x⁺y⁺              C_xx φ_x √(C^(x)_yy/2π) + C_xy P2(x, y)
///   Θ_o x²Θ_x         C_xo φ_o √(C^(o)_xx/2π) + C_xx P2(o, x)
///   Θ_o x⁺y⁺          C_xo φ_o G(o; x, y) + C_xx φ_x G(x; o, y) + C_xy P3(o, x, y)
///   Θ_o Θ_p x²Θ_x     C_xo φ_o G(o; p, x) + C_xp φ_p G(p; o, x) + C_xx P3(o, p, x)
///   Θ_a Θ_b c⁺d⁺      C_cd P4 + Σ_{j∈{a,b,c}} C_cj φ_j Σ_{m≠j} C^(j)_dm φ^(j)_m P2(rest | x_j = x_m = 0)
///
/// (P2, P3 closed forms, P4 and the conditional P2 from the per-set table). Cases the general
/// method treats specially — nearly parallel fields, which it merges, zero variances, degenerate
/// conditional variances — go to `ReLUMoments.i4` itself, so both compute the same function;
/// a test compares them on random covariances for every pattern.
extension ReLUTables {
    /// Student fields i ≤ k, fields c ≤ d.
    func i4(_ C: UnsafeMutablePointer<Double>, _ i: Int, _ k: Int, _ c: Int, _ d: Int) -> Double {
        if i == k {
            if c == i || d == i {
                let other = c == i ? d : c
                if other == i { return C[i * D + i] > 0 ? 0.5 * C[i * D + i] : 0 }
                if isSpecial(i, other) { return general(C, i, k, c, d) }
                return bothPositive(C, i, other)
            }
            if c == d {
                if isSpecial(i, c) { return general(C, i, k, c, d) }
                return thetaSquared(C, theta: i, c)
            }
            if isSpecial(i, c) || isSpecial(i, d) || isSpecial(c, d) { return general(C, i, k, c, d) }
            return thetaTwoPositive(C, theta: i, c, d)
        }
        let cShared = c == i || c == k, dShared = d == i || d == k
        if cShared && dShared {
            if isSpecial(i, k) { return general(C, i, k, c, d) }
            if c != d { return bothPositive(C, i, k) }
            return thetaSquared(C, theta: c == i ? k : i, c)
        }
        if cShared || dShared {
            let shared = cShared ? c : d, free = cShared ? d : c
            let other = shared == i ? k : i
            if isSpecial(other, shared) || isSpecial(other, free) || isSpecial(shared, free) {
                return general(C, i, k, c, d)
            }
            return thetaTwoPositive(C, theta: other, shared, free)
        }
        if c == d {
            if isSpecial(i, k) || isSpecial(i, c) || isSpecial(k, c) { return general(C, i, k, c, d) }
            return twoThetaSquared(C, i, k, c)
        }
        if isSpecial(i, k) || isSpecial(i, c) || isSpecial(i, d) || isSpecial(k, c) || isSpecial(k, d) || isSpecial(c, d) {
            return general(C, i, k, c, d)
        }
        return fourFields(C, i, k, c, d)
    }

    @inline(__always)
    private func isSpecial(_ a: Int, _ b: Int) -> Bool { special[a &* D &+ b] != 0 }

    @inline(__always)
    private func p2(_ a: Int, _ b: Int) -> Double { 0.25 + arcsines[a &* D &+ b] / (2 * Double.pi) }

    @inline(__always)
    private func p3(_ a: Int, _ b: Int, _ c: Int) -> Double {
        0.125 + (arcsines[a &* D &+ b] + arcsines[a &* D &+ c] + arcsines[b &* D &+ c]) / (4 * Double.pi)
    }

    /// C^(j)_pq = C_pq − C_pj C_qj / C_jj.
    @inline(__always)
    private func conditional(_ C: UnsafeMutablePointer<Double>, _ j: Int, _ p: Int, _ q: Int) -> Double {
        C[p &* D &+ q] - C[p &* D &+ j] * C[q &* D &+ j] * inverseVariance[j]
    }

    /// G(j; p, q) = E[Θ(x_p)·x_q⁺ | x_j = 0].
    @inline(__always)
    private func g(_ C: UnsafeMutablePointer<Double>, _ j: Int, _ p: Int, _ q: Int) -> Double {
        0.5 * (conditional(C, j, p, q) * conditionalPhi[j &* D &+ p] + conditionalRoot[j &* D &+ q])
    }

    /// E[x⁺y⁺].
    private func bothPositive(_ C: UnsafeMutablePointer<Double>, _ x: Int, _ y: Int) -> Double {
        C[x &* D &+ x] * phi[x] * conditionalRoot[x &* D &+ y] + C[x &* D &+ y] * p2(x, y)
    }

    /// E[Θ(o)·x²Θ(x)].
    private func thetaSquared(_ C: UnsafeMutablePointer<Double>, theta o: Int, _ x: Int) -> Double {
        C[x &* D &+ o] * phi[o] * conditionalRoot[o &* D &+ x] + C[x &* D &+ x] * p2(o, x)
    }

    /// E[Θ(o)·x⁺y⁺].
    private func thetaTwoPositive(_ C: UnsafeMutablePointer<Double>, theta o: Int, _ x: Int, _ y: Int) -> Double {
        C[x &* D &+ o] * phi[o] * g(C, o, x, y) + C[x &* D &+ x] * phi[x] * g(C, x, o, y) + C[x &* D &+ y] * p3(o, x, y)
    }

    /// E[Θ(o)Θ(p)·x²Θ(x)].
    private func twoThetaSquared(_ C: UnsafeMutablePointer<Double>, _ o: Int, _ p: Int, _ x: Int) -> Double {
        C[x &* D &+ o] * phi[o] * g(C, o, p, x) + C[x &* D &+ p] * phi[p] * g(C, p, o, x) + C[x &* D &+ x] * p3(o, p, x)
    }

    /// E[Θ(a)Θ(b)·c⁺d⁺] for four distinct fields, from the set's table row.
    private func fourFields(_ C: UnsafeMutablePointer<Double>, _ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Double {
        guard fourSets != nil else { return ReLUMoments.i4(ODERightHandSide.gather(C, D, a, b, c, d)) }
        let (rank, sorted, position) = FourSubsets.rankAndPositions(a, b, c, d)
        let row = fourSetRow(C, rank: rank, sorted)
        if row[7] != 0 { return ReLUMoments.i4(ODERightHandSide.gather(C, D, a, b, c, d), orthant: row[0]) }
        // Roles 0…3 are a, b, c, d; `position` gives each one's place in the sorted set, and
        // slot(p, q) the table entry of the complement given the pair at places p, q.
        let fields = SIMD4<Int>(a, b, c, d)
        var sum = C[c &* D &+ d] * row[0]
        for jRole in 0..<3 {
            let j = fields[jRole]
            var inner = 0.0
            for mRole in 0..<4 where mRole != jRole {
                let m = fields[mRole]
                let entry = row[1 + FourSubsets.pairSlot(position[jRole], position[mRole])]
                inner += conditional(C, j, d, m) * conditionalPhi[j &* D &+ m] * entry
            }
            sum += C[c &* D &+ j] * phi[j] * inner
        }
        return sum
    }

    /// `ReLUMoments.i4` on the 4×4 covariance of (i, k, c, d): reached for a special pair, which
    /// it merges (or finds a zero variance), so it never needs the four-field P4 (not computed).
    private func general(_ C: UnsafeMutablePointer<Double>, _ i: Int, _ k: Int, _ c: Int, _ d: Int) -> Double {
        ReLUMoments.i4(ODERightHandSide.gather(C, D, i, k, c, d))
    }
}
