import RealModule

/// The terms for any student and teacher activation the closed-form kernels do not cover
/// (science.md §5; docs/numerics.md "General pairs"): every integral reduced analytically to
/// as few dimensions as possible, the rest by the deterministic nested quadrature of
/// `NestedGaussian`.
///
/// - I3 is linear in its middle argument b. With c = βa + s·z (a = λ_i, z ⟂ a), b's projection
///   on (a, z) and Stein's lemma in z give
///   I3(i,b,c) = C_ib·(E[a g'(a) g_c(c)] − C_ic·Y)/C_ii + C_bc·Y,  Y = E[g'(a) g_c'(c)],
///   two two-dimensional averages per (i, c) and no division by s (exact for c = i). A `sign`
///   teacher's g_c' = 2δ gives Y = 2·p_c(0)·E[g'(a) | c = 0], one dimension.
/// - I4(i,k,c,d) = E[g'(λ_i) g'(λ_k) g_c(c) g_d(d)] and J2 = E[g'(λ_i) g'(λ_k)]: `NestedGaussian`
///   over the distinct directions of the fields (a repeated field, as in i = k or c = i, adds no
///   dimension); for a ReLU student with c, d both student fields, the ReLU/ReLU I4 of
///   `ReLUMoments` (exact; four kinked quadrature levels otherwise, the costliest case).
/// - I2 by `PairAverage.value`.
extension ODERightHandSide {
    /// The quadrature path, for any pair (tests run it on the closed-form pairs too).
    static func generalTerms(_ w: ODEWorkspace.View, student: Activation, teacher: Activation, secondLayer: Bool,
                             refine: Int = 1) {
        let K = w.K, D = w.D, C = w.C, u = w.u
        let derivative = GaussianFactor(student, .derivative)
        for i in 0..<K {
            let cii = C[i * D + i]
            var x = 0.0
            for c in 0..<D {
                let gc = c < K ? student : teacher
                let cic = C[i * D + c], ccc = C[c * D + c]
                let pair = [cii, cic, cic, ccc]
                // λ_i ≡ 0 (an explicit Q_ii = 0): C_ib = 0 and I3 = C_bc·Y, Y = g'(0)·E[g_c'(c)].
                let first = cii > 0
                    ? NestedGaussian([GaussianFactor(student, .fieldTimesDerivative), GaussianFactor(gc, .value)],
                                     covariance: pair, refine: refine).expectation()
                    : 0
                let y: Double
                if gc == .sign {
                    if ccc > 0 {
                        let conditional = max(0, cii - cic * cic / ccc)
                        let density = 1 / (2 * Double.pi * ccc).squareRoot()
                        y = 2 * density * (conditional > 0
                            ? derivative.smoothed(mean: 0, deviation: conditional.squareRoot(), refine: refine)
                            : student.derivative(0))
                    } else {
                        y = 0
                    }
                } else {
                    y = NestedGaussian([derivative, GaussianFactor(gc, .derivative)], covariance: pair, refine: refine).expectation()
                }
                w.weighted[c] = u[c] * y
                if cii > 0 { x += u[c] * (first - cic * y) / cii }
            }
            contractI3(w, unit: i, x: x)
        }

        fillPairWeights(w)
        var pair = 0
        for i in 0..<K {
            for k in i..<K {
                let fields2 = [i, k]
                w.j2[pair] = NestedGaussian([derivative, derivative], covariance: covariance(C, D: D, fields2),
                                             refine: refine).expectation()
                var sum = 0.0
                var index = 0
                for c in 0..<D {
                    for d in c..<D {
                        let weight = w.pairWeights[index]
                        index += 1
                        if weight == 0 { continue }
                        if student == .relu, c < K, d < K {
                            // Two student fields: the ReLU/ReLU I4 (exact, ReLUMoments).
                            var q = SIMD16<Double>()
                            let fields = [i, k, c, d]
                            for x in 0..<4 { for y in 0..<4 { q[x * 4 + y] = C[fields[x] * D + fields[y]] } }
                            sum += weight * ReLUMoments.i4(q)
                            continue
                        }
                        let factors = [derivative, derivative,
                                       GaussianFactor(c < K ? student : teacher, .value),
                                       GaussianFactor(d < K ? student : teacher, .value)]
                        sum += weight * NestedGaussian(factors, covariance: covariance(C, D: D, [i, k, c, d]),
                                                        refine: refine).expectation()
                    }
                }
                w.s4[pair] = sum
                pair += 1
            }
        }
        if secondLayer {
            for i in 0..<K {
                var sum = 0.0
                for c in 0..<D {
                    let gc = c < K ? student : teacher
                    sum += u[c] * PairAverage.value(student, gc, caa: C[i * D + i], cbb: C[c * D + c], cab: C[i * D + c])
                }
                w.s2[i] = sum
            }
        }
    }

    /// The covariance of the listed fields, row-major.
    static func covariance(_ C: UnsafeMutablePointer<Double>, D: Int, _ fields: [Int]) -> [Double] {
        var result: [Double] = []
        result.reserveCapacity(fields.count * fields.count)
        for a in fields { for b in fields { result.append(C[a * D + b]) } }
        return result
    }
}
