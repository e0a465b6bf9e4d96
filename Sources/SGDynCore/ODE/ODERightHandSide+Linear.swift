/// The linear-network terms: I2 = C_ab, I3 = C_bc, I4 = C_cd, J2 = 1, so every student unit sees
/// the same sums.
extension ODERightHandSide {
    static func linearTerms(_ w: ODEWorkspace.View, secondLayer: Bool) {
        let K = w.K, D = w.D, C = w.C, u = w.u
        // Σ_c C_bc u_c, the same for every i; S4 = uᵀCu for every pair.
        var quadratic = 0.0
        for b in 0..<D {
            var sum = 0.0
            for c in 0..<D { sum += C[b * D + c] * u[c] }
            w.weighted[b] = sum
            quadratic += u[b] * sum
        }
        for i in 0..<K {
            for b in 0..<D { w.s3[i * D + b] = w.weighted[b] }
            if secondLayer { w.s2[i] = w.weighted[i] }
        }
        for p in 0..<w.pairs {
            w.s4[p] = quadratic
            w.j2[p] = 1
        }
    }
}
