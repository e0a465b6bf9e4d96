import RealModule

/// The terms for an erf or linear student learning a teacher of any activation (science.md §5;
/// docs/science.md "Any activation"). Both reduce every integral to pair averages
/// (`PairAverage.value`: closed forms where they exist, exact moment sums for polynomials,
/// deterministic quadrature otherwise), so no average has more than two dimensions:
///
/// - erf student: g'(x) = √(2/π)·e^{−x²/2} is a Gaussian, so averaging against g'(λ_i)
///   (and g'(λ_k)) is a Gaussian reweighting. With B the (i) or (i, k) block of C plus the
///   identity, E[g'(λ_i)g'(λ_k)·F(c, d)] = (2/π)/√det B · E'[F(c, d)], where E' has the
///   covariance C' = C − Z B⁻¹ Zᵀ of (c, d) (Z their covariances with λ_i, λ_k). Hence
///   I4(i,k,c,d) = (2/π)/√Λ4 · E'[g_c(c) g_d(d)], J2 = (2/π)/√Λ4 and, since I3 is linear in b,
///   I3(i,b,c) = √(2/π)/√(1+C_ii) · (C_bc − C_ib C_ic/(1+C_ii)) · E'[c g_c(c)]/C'_cc.
///   With an erf teacher these are the closed forms of `erfTerms` (a test checks they agree).
/// - linear student: g' = 1, so I3(i,b,c) = C_bc·E[c g_c(c)]/C_cc and I4 = E[g_c(c) g_d(d)],
///   the same for every student pair.
extension ODERightHandSide {
    /// The activation of field c: the student's for c < K, else the teacher's.
    @inline(__always)
    static func fieldActivation(_ c: Int, K: Int, student: Activation, teacher: Activation) -> Activation {
        c < K ? student : teacher
    }

    /// E[c·g(c)]/Var c for Var c = `variance` (the slope of the regression of g(c) on c); 0 for a
    /// field that is identically 0.
    @inline(__always)
    static func regressionSlope(_ g: Activation, variance: Double) -> Double {
        guard variance > 0 else { return 0 }
        return PairAverage.value(.linear, g, caa: variance, cbb: variance, cab: variance) / variance
    }

    /// A pair average of the erf-student terms: for a teacher analytic in a strip (tanh,
    /// sigmoid, softplus) the trapezoid rules of `StripTrapezoid` (teacher–teacher and
    /// erf–teacher pairs), else `PairAverage.value` (every other teacher keeps its path).
    @inline(__always)
    static func erfStudentPairAverage(_ gc: Activation, _ gd: Activation, strip: Bool,
                                      caa: Double, cbb: Double, cab: Double) -> Double {
        if strip, let value = StripTrapezoid.average(gc, gd, caa: caa, cbb: cbb, cab: cab) { return value }
        return PairAverage.value(gc, gd, caa: caa, cbb: cbb, cab: cab)
    }

    /// `trapezoid: false` keeps `PairAverage.value` for every pair (the path before
    /// `StripTrapezoid`, for the tests' comparison).
    static func erfStudentTerms(_ w: ODEWorkspace.View, teacher: Activation, secondLayer: Bool, trapezoid: Bool = true) {
        let K = w.K, D = w.D, C = w.C, u = w.u, a = w.onePlusDiagonal
        let strip = trapezoid && GaussHermite.stripHalfWidth(teacher) != nil
        let twoOverPi = 2 / Double.pi, rootTwoOverPi = (2 / Double.pi).squareRoot()

        for i in 0..<K {
            var crossSum = 0.0
            for c in 0..<D {
                let cic = C[i * D + c]
                // Y(i,c) = √(2/π)/√(1+C_ii) · E'[c g(c)]/C'_cc with C'_cc = C_cc − C_ic²/(1+C_ii).
                let y: Double
                if c < K {
                    y = twoOverPi / (a[i] * a[c] - cic * cic).squareRoot()
                } else {
                    let variance = C[c * D + c] - cic * cic / a[i]
                    y = rootTwoOverPi / a[i].squareRoot() * regressionSlope(teacher, variance: variance)
                }
                w.weighted[c] = u[c] * y
                crossSum += w.weighted[c] * cic
            }
            contractI3(w, unit: i, x: -crossSum / a[i])
        }

        fillPairWeights(w)
        var pair = 0
        for i in 0..<K {
            let rowI = C + i * D
            for k in i..<K {
                let rowK = C + k * D
                let ai = a[i], ak = a[k], q = rowI[k]
                let lambda4 = ai * ak - q * q
                for c in 0..<D {
                    let zi = rowI[c], zk = rowK[c]
                    let w0 = ak * zi - q * zk, w1 = ai * zk - q * zi
                    w.w0[c] = w0
                    w.w1[c] = w1
                    // C'_cc.
                    w.inverseRoot[c] = (lambda4 * C[c * D + c] - (zi * w0 + zk * w1)) / lambda4
                }
                var sum = 0.0
                var index = 0
                for c in 0..<D {
                    let rowC = C + c * D
                    let zi = rowI[c], zk = rowK[c]
                    let gc = fieldActivation(c, K: K, student: .erf, teacher: teacher)
                    for d in c..<D {
                        let weight = w.pairWeights[index]
                        index += 1
                        if weight == 0 { continue }
                        let covariance = (lambda4 * rowC[d] - (zi * w.w0[d] + zk * w.w1[d])) / lambda4
                        let gd = fieldActivation(d, K: K, student: .erf, teacher: teacher)
                        sum += weight * erfStudentPairAverage(gc, gd, strip: strip, caa: w.inverseRoot[c], cbb: w.inverseRoot[d], cab: covariance)
                    }
                }
                let factor = twoOverPi / lambda4.squareRoot()
                w.s4[pair] = factor * sum
                w.j2[pair] = factor
                pair += 1
            }
        }
        if secondLayer {
            for i in 0..<K {
                var sum = 0.0
                for c in 0..<D {
                    let gc = fieldActivation(c, K: K, student: .erf, teacher: teacher)
                    sum += u[c] * erfStudentPairAverage(.erf, gc, strip: strip, caa: C[i * D + i], cbb: C[c * D + c], cab: C[i * D + c])
                }
                w.s2[i] = sum
            }
        }
    }

    static func linearStudentTerms(_ w: ODEWorkspace.View, teacher: Activation, secondLayer: Bool) {
        let K = w.K, D = w.D, C = w.C, u = w.u
        // u_c·E[c g_c(c)]/C_cc, the same for every student unit.
        for c in 0..<D {
            w.weighted[c] = u[c] * (c < K ? 1 : regressionSlope(teacher, variance: C[c * D + c]))
        }
        for i in 0..<K { contractI3(w, unit: i, x: 0) }
        fillPairWeights(w)
        var sum = 0.0
        var index = 0
        for c in 0..<D {
            let gc = fieldActivation(c, K: K, student: .linear, teacher: teacher)
            for d in c..<D {
                let weight = w.pairWeights[index]
                index += 1
                if weight == 0 { continue }
                let gd = fieldActivation(d, K: K, student: .linear, teacher: teacher)
                sum += weight * PairAverage.value(gc, gd, caa: C[c * D + c], cbb: C[d * D + d], cab: C[c * D + d])
            }
        }
        for p in 0..<w.pairs {
            w.s4[p] = sum
            w.j2[p] = 1
        }
        if secondLayer {
            for i in 0..<K {
                var s = 0.0
                for c in 0..<D {
                    let gc = fieldActivation(c, K: K, student: .linear, teacher: teacher)
                    s += u[c] * PairAverage.value(.linear, gc, caa: C[i * D + i], cbb: C[c * D + c], cab: C[i * D + c])
                }
                w.s2[i] = s
            }
        }
    }
}
