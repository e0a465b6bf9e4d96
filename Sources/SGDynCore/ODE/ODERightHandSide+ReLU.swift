/// The ReLU terms: exact I2, I3, J2 (science.md §5) and I4 from `ReLUMoments`.
extension ODERightHandSide {
    static func reluTerms(_ w: ODEWorkspace.View, secondLayer: Bool) {
        let K = w.K, D = w.D, C = w.C, u = w.u
        for i in 0..<K {
            let cii = C[i * D + i]
            var x = 0.0
            for c in 0..<D {
                let coefficients = GaussianIntegrals.i3Coefficients(.relu, caa: cii, ccc: C[c * D + c], cac: C[i * D + c])
                x += u[c] * coefficients.x
                w.weighted[c] = u[c] * coefficients.y
            }
            contractI3(w, unit: i, x: x)
            if secondLayer {
                var sum = 0.0
                for c in 0..<D {
                    sum += u[c] * PairAverage.value(.relu, .relu, caa: cii, cbb: C[c * D + c], cab: C[i * D + c])
                }
                w.s2[i] = sum
            }
        }
        fillPairWeights(w)
        // P(x_a, x_b, x_c, x_d > 0) of four distinct fields recurs in every split of {a, b, c, d}
        // into a student pair (i, k) and a pair (c, d): computed once per set (NaN: not yet).
        let orthants = w.orthantCache
        if let orthants { orthants.update(repeating: .nan, count: w.orthantCacheCount) }
        var pair = 0
        for i in 0..<K {
            for k in i..<K {
                var sum = 0.0
                var index = 0
                for c in 0..<D {
                    for d in c..<D {
                        let weight = w.pairWeights[index]
                        index += 1
                        if weight == 0 { continue }
                        let covariance = gather(C, D, i, k, c, d)
                        var orthant = Double.nan
                        if let orthants, i != k, c != d, c != i, c != k, d != i, d != k {
                            let slot = FourSubsets.rank(i, k, c, d)
                            if orthants[slot].isNaN { orthants[slot] = ReLUMoments.fourFieldOrthant(covariance) }
                            orthant = orthants[slot]
                        }
                        sum += weight * ReLUMoments.i4(covariance, orthant: orthant)
                    }
                }
                w.s4[pair] = sum
                w.j2[pair] = GaussianIntegrals.j2(.relu, caa: C[i * D + i], cbb: C[k * D + k], cab: C[i * D + k])
                pair += 1
            }
        }
    }

    /// The 4×4 covariance of fields (a, b, c, d) of the D×D matrix C.
    @inline(__always)
    static func gather(_ C: UnsafeMutablePointer<Double>, _ D: Int, _ a: Int, _ b: Int, _ c: Int, _ d: Int) -> SIMD16<Double> {
        let index = SIMD4<Int>(a, b, c, d)
        var out = SIMD16<Double>()
        for r in 0..<4 {
            for s in 0..<4 { out[r * 4 + s] = C[index[r] * D + index[s]] }
        }
        return out
    }
}

/// The rank of a set of four distinct indices among all such sets (combinatorial number system),
/// for the table of shared orthant probabilities.
enum FourSubsets {
    /// C(n, 4), the number of sets of four of n indices.
    static func count(_ n: Int) -> Int { n < 4 ? 0 : n * (n - 1) * (n - 2) * (n - 3) / 24 }

    @inline(__always)
    static func rank(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Int {
        // Sort the four indices (five compare-exchanges), then Σ C(x_j, j).
        var x = (a, b, c, d)
        if x.0 > x.1 { swap(&x.0, &x.1) }
        if x.2 > x.3 { swap(&x.2, &x.3) }
        if x.0 > x.2 { swap(&x.0, &x.2) }
        if x.1 > x.3 { swap(&x.1, &x.3) }
        if x.1 > x.2 { swap(&x.1, &x.2) }
        return x.0 + x.1 * (x.1 - 1) / 2 + x.2 * (x.2 - 1) * (x.2 - 2) / 6 + count(x.3)
    }
}
