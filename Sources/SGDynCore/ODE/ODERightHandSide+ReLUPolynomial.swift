/// The terms for a ReLU student learning a polynomial teacher (He₂, He₃, He₄, x², a Hermite
/// expansion, linear), all exact (docs/numerics.md "General pairs"). A ReLU student's g' = θ and
/// g(y) = y·θ(y), so every integral is a Gaussian average of at most three steps times
/// polynomials, which `StepPolynomialMoments` evaluates in closed form (integration by parts down
/// to orthant probabilities) — no quadrature, ≈ 1000× faster than the nested rule of
/// ODERightHandSide+General that this pair used before:
///
/// - I3(i,b,c) = C_ib·X + C_bc·Y (ODERightHandSide+General's decomposition): for a student
///   field c the ReLU/ReLU closed forms (`GaussianIntegrals.i3Coefficients`); for a teacher
///   field X = (E[λ_i θ(λ_i) p(c)] − C_ic·Y)/C_ii, Y = E[θ(λ_i) p'(c)], two averages.
/// - J2 = E[θ(λ_i)θ(λ_k)] = ¼ + asin ρ/2π (`GaussianIntegrals.j2`).
/// - I4(i,k,c,d) with c, d both student fields: the ReLU/ReLU I4 (`ReLUTables`, as for ReLU/ReLU);
///   with c a student and d a teacher field E[θ(λ_i)θ(λ_k)·λ_c θ(λ_c)·p(d)]; with both teacher
///   fields E[θ(λ_i)θ(λ_k)·p(c)p(d)] (p² as one polynomial when c = d).
/// - I2 (second layer): E[λ_i θ(λ_i) p(c)] from I3 for a teacher field, `PairAverage.value`
///   (closed) for a student field.
extension ODERightHandSide {
    /// Whether the pair's terms come from `reluPolynomialTerms`: a ReLU student and a polynomial
    /// teacher other than ReLU's own closed-form partner.
    static func usesReLUPolynomialPath(student: Activation, teacher: Activation) -> Bool {
        student == .relu && teacher.declaration.polynomial != nil
    }

    static func reluPolynomialTerms(_ w: ODEWorkspace.View, _ t: ReLUPolynomialWorkspace.View, secondLayer: Bool) {
        let K = w.K, D = w.D, C = w.C, u = w.u
        let none = SIMD4<Int>(repeating: 0)
        for i in 0..<K {
            let cii = C[i * D + i]
            var x = 0.0
            var s2 = 0.0
            for c in 0..<D {
                let cic = C[i * D + c], ccc = C[c * D + c]
                if c < K {
                    let coefficients = GaussianIntegrals.i3Coefficients(.relu, caa: cii, ccc: ccc, cac: cic)
                    x += u[c] * coefficients.x
                    w.weighted[c] = u[c] * coefficients.y
                    if secondLayer { s2 += u[c] * PairAverage.value(.relu, .relu, caa: cii, cbb: ccc, cab: cic) }
                    continue
                }
                let steps = SIMD4<Int>(i, 0, 0, 0), fields = SIMD2<Int>(c, 0)
                let y = StepPolynomialMoments(C, D: D, stepFields: steps, stepPowers: none, stepCount: 1,
                                              polynomialFields: fields, polynomialCount: 1,
                                              first: t.derivative, firstCount: t.derivativeCount, second: nil, secondCount: 0)
                    .average(t.scratch)
                let first = StepPolynomialMoments(C, D: D, stepFields: steps, stepPowers: SIMD4(1, 0, 0, 0), stepCount: 1,
                                                  polynomialFields: fields, polynomialCount: 1,
                                                  first: t.value, firstCount: t.valueCount, second: nil, secondCount: 0)
                    .average(t.scratch)
                w.weighted[c] = u[c] * y
                // λ_i ≡ 0 (Q_ii = 0): θ(0) = 0, both averages are 0.
                if cii > 0 { x += u[c] * (first - cic * y) / cii }
                s2 += u[c] * first
            }
            contractI3(w, unit: i, x: x)
            if secondLayer { w.s2[i] = s2 }
        }

        fillPairWeights(w)
        let tables = w.relu.unsafelyUnwrapped
        tables.prepare(C)
        var pair = 0
        for i in 0..<K {
            for k in i..<K {
                w.j2[pair] = GaussianIntegrals.j2(.relu, caa: C[i * D + i], cbb: C[k * D + k], cab: C[i * D + k])
                var sum = 0.0
                var index = 0
                for c in 0..<D {
                    for d in c..<D {
                        let weight = w.pairWeights[index]
                        index += 1
                        if weight == 0 { continue }
                        let term: Double
                        if d < K {
                            term = tables.i4(C, i, k, c, d)
                        } else if c < K {
                            term = StepPolynomialMoments(C, D: D, stepFields: SIMD4(i, k, c, 0), stepPowers: SIMD4(0, 0, 1, 0),
                                                         stepCount: 3, polynomialFields: SIMD2(d, 0), polynomialCount: 1,
                                                         first: t.value, firstCount: t.valueCount, second: nil, secondCount: 0)
                                .average(t.scratch)
                        } else if c == d {
                            term = StepPolynomialMoments(C, D: D, stepFields: SIMD4(i, k, 0, 0), stepPowers: none,
                                                         stepCount: 2, polynomialFields: SIMD2(c, 0), polynomialCount: 1,
                                                         first: t.square, firstCount: t.squareCount, second: nil, secondCount: 0)
                                .average(t.scratch)
                        } else {
                            term = StepPolynomialMoments(C, D: D, stepFields: SIMD4(i, k, 0, 0), stepPowers: none,
                                                         stepCount: 2, polynomialFields: SIMD2(c, d), polynomialCount: 2,
                                                         first: t.value, firstCount: t.valueCount,
                                                         second: t.value, secondCount: t.valueCount)
                                .average(t.scratch)
                        }
                        sum += weight * term
                    }
                }
                w.s4[pair] = sum
                pair += 1
            }
        }
    }
}

/// The memory of `reluPolynomialTerms`, allocated once per right-hand side: the teacher's p, p′
/// and p² as monomial coefficients and the tables of `StepPolynomialMoments` (for a degree-d
/// teacher 8·(2·max(2d + 1, (d + 1)²) + 25) doubles: 3 KB for He₃, 14 KB for degree 8 —
/// independent of K and M).
final class ReLUPolynomialWorkspace {
    /// Pointers into the memory; a plain value, so the hot loops never touch a class.
    struct View {
        let scratch: StepPolynomialScratch
        let value: UnsafeMutablePointer<Double>, valueCount: Int
        let derivative: UnsafeMutablePointer<Double>, derivativeCount: Int
        let square: UnsafeMutablePointer<Double>, squareCount: Int
    }

    let view: View
    private let memory: UnsafeMutablePointer<Double>

    /// nil for a teacher that is not a polynomial.
    init?(teacher: Activation) {
        guard let p = teacher.declaration.polynomial, !p.isEmpty else { return nil }
        let d = p.count - 1
        let derivativeCount = max(1, d), squareCount = 2 * d + 1
        // Exponent vectors per set: step powers multiply to ≤ 2 (one step of power 1 among ≤ 3),
        // polynomial exponents ≤ 2d for p² or ≤ (d, d) for two teacher fields.
        let entries = 2 * max(squareCount, (d + 1) * (d + 1))
        let total = p.count + derivativeCount + squareCount + StepPolynomialScratch.doubles(entriesPerSet: entries)
        memory = .allocate(capacity: total)
        memory.initialize(repeating: 0, count: total)
        let value = memory, derivative = memory + p.count, square = derivative + derivativeCount
        for j in p.indices { value[j] = p[j] }
        for j in 1..<max(1, p.count) { derivative[j - 1] = Double(j) * p[j] }
        for a in p.indices { for b in p.indices { square[a + b] += p[a] * p[b] } }
        view = View(scratch: StepPolynomialScratch(entriesPerSet: entries, memory: square + squareCount),
                    value: value, valueCount: p.count, derivative: derivative, derivativeCount: derivativeCount,
                    square: square, squareCount: squareCount)
    }

    deinit {
        memory.deallocate()
    }
}
