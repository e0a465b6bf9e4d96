/// The ReLU terms: exact I2, I3, J2 (science.md §5) and I4 written out per case (`ReLUClosedForms`),
/// from quantities shared across terms (`ReLUTables`: each four-field orthant probability is
/// computed once per evaluation, not once per split of the four fields into two pairs).
///
/// Error budget (ODEErrorBudgetTests, docs/numerics.md, "ODEs and compare jobs"): the integrals are good to
/// ≈ 1e-15 (P4, well-separated units) … 1e-10 (nearly parallel ones), which moves ε_g by
/// 8.5e-10 (K = 2), 1.5e-10 (K = 3), 2.1e-11 (K = 4) relative at most, against 2.3e-6, 7.0e-7 and
/// 2.7e-8 from the adaptive integrator at its default rtol 1e-8: the integrator's tolerance is
/// ≥ 99.9 % of the ODE's own error, so a cheaper quadrature would do — but the fixed rule is
/// already cheap, and the tests of the integrals themselves stay as tight as before.
extension ODERightHandSide {
    static func reluTerms(_ w: ODEWorkspace.View, secondLayer: Bool, reference: Bool = false) {
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
        let tables = w.relu.unsafelyUnwrapped
        tables.prepare(C)
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
                        sum += weight * (reference ? referenceI4(C, D, i, k, c, d) : tables.i4(C, i, k, c, d))
                    }
                }
                w.s4[pair] = sum
                w.j2[pair] = GaussianIntegrals.j2(.relu, caa: C[i * D + i], cbb: C[k * D + k], cab: C[i * D + k])
                pair += 1
            }
        }
    }

    /// I4 by `ReLUMoments`' general recursion, with P4 from the refined rule (measurement only).
    static func referenceI4(_ C: UnsafeMutablePointer<Double>, _ D: Int, _ i: Int, _ k: Int, _ c: Int, _ d: Int) -> Double {
        let covariance = gather(C, D, i, k, c, d)
        var orthant = Double.nan
        if i != k, c != d, c != i, c != k, d != i, d != k {
            func rho(_ a: Int, _ b: Int) -> Double { covariance[a * 4 + b] / (covariance[a * 5] * covariance[b * 5]).squareRoot() }
            let r = SIMD8<Double>(rho(0, 1), rho(0, 2), rho(0, 3), rho(1, 2), rho(1, 3), rho(2, 3), 0, 0)
            orthant = OrthantProbability.four(r, refinement: 2)
        }
        return ReLUMoments.i4(covariance, orthant: orthant)
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
    /// The rank, the sorted indices, and for each argument its place in the sorted order.
    @inline(__always)
    static func rankAndPositions(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> (rank: Int, sorted: SIMD4<Int>, position: SIMD4<Int>) {
        // Sort (index << 2 | argument) so the argument travels with its index.
        var x = (a << 2, b << 2 | 1, c << 2 | 2, d << 2 | 3)
        if x.0 > x.1 { swap(&x.0, &x.1) }
        if x.2 > x.3 { swap(&x.2, &x.3) }
        if x.0 > x.2 { swap(&x.0, &x.2) }
        if x.1 > x.3 { swap(&x.1, &x.3) }
        if x.1 > x.2 { swap(&x.1, &x.2) }
        let sorted = SIMD4<Int>(x.0 >> 2, x.1 >> 2, x.2 >> 2, x.3 >> 2)
        var position = SIMD4<Int>()
        position[x.0 & 3] = 0
        position[x.1 & 3] = 1
        position[x.2 & 3] = 2
        position[x.3 & 3] = 3
        let rank = sorted[0] + sorted[1] * (sorted[1] - 1) / 2 + sorted[2] * (sorted[2] - 1) * (sorted[2] - 2) / 6
            + count(sorted[3])
        return (rank, sorted, position)
    }

    /// The index 0…5 of the pair of places {p, q} (p ≠ q) in the order 01, 02, 03, 12, 13, 23.
    @inline(__always)
    static func pairSlot(_ p: Int, _ q: Int) -> Int {
        let low = min(p, q), high = max(p, q)
        return low == 0 ? high - 1 : low + high
    }

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
