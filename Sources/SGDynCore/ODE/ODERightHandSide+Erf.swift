import RealModule

/// The erf terms of the right-hand side, from the closed forms of science.md §5.
extension ODERightHandSide {
    static func erfTerms(_ w: ODEWorkspace.View, secondLayer: Bool) {
        let K = w.K, D = w.D, C = w.C, u = w.u, a = w.onePlusDiagonal
        let twoOverPi = 2 / Double.pi, fourOverPiSquared = 4 / (Double.pi * Double.pi)

        // I3(i,b,c) = Y·[C_bc − C_ib C_ic/(1 + C_ii)], Y = (2/π)/√((1+C_ii)(1+C_cc) − C_ic²).
        for i in 0..<K {
            var crossSum = 0.0
            for c in 0..<D {
                let cic = C[i * D + c]
                let y = twoOverPi / (a[i] * a[c] - cic * cic).squareRoot()
                w.weighted[c] = u[c] * y
                crossSum += w.weighted[c] * cic
            }
            contractI3(w, unit: i, x: -crossSum / a[i])
        }

        // I4(i,k,c,d) = (4/π²)·asin(Λ0 /√(Λ1(c)Λ1(d)))/√Λ4, with
        // Λ0 = Λ4 C_cd − z_cᵀ adj z_d, Λ1(c) = Λ4(1 + C_cc) − z_cᵀ adj z_c, z_c = (C_ic, C_kc),
        // adj = [[1+C_kk, −C_ik], [−C_ik, 1+C_ii]] the adjugate of the (i,k) block (+1 on the diagonal).
        // One student pair at a time: its fieldPairs arcsines, then their weighted sum (the same
        // arithmetic, in the same order, as holding all pairs' arguments at once, in O(D²) memory).
        fillPairWeights(w)
        let fieldPairs = w.fieldPairs
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
                    w.inverseRoot[c] = 1 / (lambda4 * a[c] - (zi * w0 + zk * w1)).squareRoot()
                }
                var argument = w.arguments
                for c in 0..<D {
                    let rowC = C + c * D
                    let zi = rowI[c], zk = rowK[c], rc = w.inverseRoot[c]
                    for d in c..<D {
                        let lambda0 = lambda4 * rowC[d] - (zi * w.w0[d] + zk * w.w1[d])
                        argument.pointee = lambda0 * rc * w.inverseRoot[d]
                        argument += 1
                    }
                }
                FastArcsine.apply(w.arguments, count: fieldPairs)
                var sum = 0.0
                for index in 0..<fieldPairs { sum += w.pairWeights[index] * w.arguments[index] }
                let root = lambda4.squareRoot()
                w.s4[pair] = fourOverPiSquared / root * sum
                w.j2[pair] = twoOverPi / root
                pair += 1
            }
        }
        // I2(i,c) = (2/π)·asin(C_ic/√((1+C_ii)(1+C_cc))).
        let i2Arguments = w.arguments + fieldPairs
        if secondLayer {
            for i in 0..<K {
                for c in 0..<D { i2Arguments[i * D + c] = C[i * D + c] / (a[i] * a[c]).squareRoot() }
            }
            FastArcsine.apply(i2Arguments, count: K * D)
        }
        if secondLayer {
            for i in 0..<K {
                var sum = 0.0
                for c in 0..<D { sum += u[c] * i2Arguments[i * D + c] }
                w.s2[i] = twoOverPi * sum
            }
        }
    }
}
