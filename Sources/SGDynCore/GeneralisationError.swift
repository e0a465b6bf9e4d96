/// The generalisation error ε_g = ½·E_x[(φ − φ*)²] against the noiseless teacher (science.md §4).
public enum GeneralisationError {
    /// The ε_g of the order parameters for any pair of activations: exact for the closed-form and
    /// polynomial pairs, deterministic quadrature otherwise (`PairAverage`).
    public static func analytic(_ op: OrderParameters, teacher: Activation, student: Activation) -> Double {
        let K = op.K, M = op.M
        var studentStudent = 0.0
        for i in 0..<K {
            for k in 0..<K {
                studentStudent += op.v[i] * op.v[k]
                    * PairAverage.value(student, student, caa: op.q(i, i), cbb: op.q(k, k), cab: op.q(i, k))
            }
        }
        var teacherTeacher = 0.0
        for n in 0..<M {
            for m in 0..<M {
                teacherTeacher += op.vstar[n] * op.vstar[m]
                    * PairAverage.value(teacher, teacher, caa: op.t(n, n), cbb: op.t(m, m), cab: op.t(n, m))
            }
        }
        var cross = 0.0
        for i in 0..<K {
            for n in 0..<M {
                cross += op.v[i] * op.vstar[n]
                    * PairAverage.value(student, teacher, caa: op.q(i, i), cbb: op.t(n, n), cab: op.r(i, n))
            }
        }
        return 0.5 * (studentStudent + teacherTeacher - 2 * cross)
    }
}
