/// E[ga(a)·gb(b)] given (ga, gb, C_aa, C_bb, C_ab): `PairAverage.value` or another method.
typealias PairAverageFunction = (Activation, Activation, Double, Double, Double) -> Double

/// The generalisation error ε_g = ½·E_x[(φ − φ*)²] against the noiseless teacher (science.md §4).
public enum GeneralisationError {
    /// The ε_g of the order parameters for any pair of activations: exact for the closed-form and
    /// polynomial pairs, deterministic quadrature otherwise (`PairAverage`).
    ///
    /// `teacherTerm`, when given, is Σ_nm v*_n v*_m G(ρ_n, ρ_m) as `teacherTerm(op, teacher:)`
    /// computes it: a simulation's T and v* never change, so it computes that sum once.
    public static func analytic(_ op: OrderParameters, teacher: Activation, student: Activation,
                                teacherTerm: Double? = nil) -> Double {
        analytic(op, teacher: teacher, student: student, teacherTerm: teacherTerm, average: PairAverage.value)
    }

    /// The same sums with another method for E[ga(a)·gb(b)] (an ODE record of a smooth student
    /// takes `TrapezoidPairAverage.value`).
    static func analytic(_ op: OrderParameters, teacher: Activation, student: Activation, teacherTerm: Double? = nil,
                         average: PairAverageFunction) -> Double {
        let K = op.K, M = op.M
        var studentStudent = 0.0
        if PairAverage.isClosed(student, student) {
            for i in 0..<K {
                for k in 0..<K {
                    studentStudent += op.v[i] * op.v[k]
                        * average(student, student, op.q(i, i), op.q(k, k), op.q(i, k))
                }
            }
        } else {
            // G(λ_i, λ_k) = G(λ_k, λ_i): each off-diagonal average once (these take quadrature).
            studentStudent = symmetricSum(count: op.K, weights: op.v, covariance: op.q, student, average: average)
        }
        let teacherTeacher = teacherTerm ?? self.teacherTerm(op, teacher: teacher, average: average)
        var cross = 0.0
        for i in 0..<K {
            for n in 0..<M {
                cross += op.v[i] * op.vstar[n]
                    * average(student, teacher, op.q(i, i), op.t(n, n), op.r(i, n))
            }
        }
        return 0.5 * (studentStudent + teacherTeacher - 2 * cross)
    }

    /// Σ_ik v_i v_k G(λ_i, λ_k) with each off-diagonal average computed once.
    static func symmetricSum(_ op: OrderParameters, _ g: Activation) -> Double {
        symmetricSum(count: op.K, weights: op.v, covariance: op.q, g)
    }

    /// Σ_ab w_a w_b G(a, b) over fields with covariance `c`, each off-diagonal average once.
    static func symmetricSum(count: Int, weights w: [Double], covariance c: (Int, Int) -> Double, _ g: Activation,
                             average: PairAverageFunction = PairAverage.value) -> Double {
        var sum = 0.0
        for a in 0..<count {
            sum += w[a] * w[a] * average(g, g, c(a, a), c(a, a), c(a, a))
            for b in (a + 1)..<count {
                sum += 2 * w[a] * w[b] * average(g, g, c(a, a), c(b, b), c(a, b))
            }
        }
        return sum
    }

    /// Σ_nm v*_n v*_m G(ρ_n, ρ_m), the part of ε_g that depends on the teacher alone.
    public static func teacherTerm(_ op: OrderParameters, teacher: Activation) -> Double {
        teacherTerm(op, teacher: teacher, average: PairAverage.value)
    }

    static func teacherTerm(_ op: OrderParameters, teacher: Activation, average: PairAverageFunction) -> Double {
        if !PairAverage.isClosed(teacher, teacher) {
            return symmetricSum(count: op.M, weights: op.vstar, covariance: op.t, teacher, average: average)
        }
        let M = op.M
        var teacherTeacher = 0.0
        for n in 0..<M {
            for m in 0..<M {
                teacherTeacher += op.vstar[n] * op.vstar[m]
                    * average(teacher, teacher, op.t(n, n), op.t(m, m), op.t(n, m))
            }
        }
        return teacherTeacher
    }
}
