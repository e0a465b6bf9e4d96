import RealModule
import Testing
@testable import SGDynCore

/// The teachers-first rule of smooth students with kinked teachers (`KinkedTeacherQuadrature`)
/// against the nested quadrature path (`ODERightHandSide.generalTerms` with its Gauss–Legendre
/// panels halved, `refine: 2`): a different method — per-term averages of two to four fields,
/// I3 through Stein's lemma (for `sign` the delta in closed form), the students' Cholesky order,
/// no trapezoid — on random covariances and where learning goes (a student aligned with a
/// teacher, nearly parallel and parallel teachers, a student of zero norm). D = 3 keeps the
/// nested averages to three levels (seconds in a debug build).
///
/// Tolerance 1e-10 of the largest term, the ODE integrals' budget (1 % of rtol 1e-8), tighter
/// than the 1e-7 for kinked pairs: every kink is split exactly here, so what is left to
/// the rules is smooth and the method is as accurate as for smooth pairs (measured ≤ 4.6e-12,
/// docs/numerics.md "Smooth students with kinked teachers"); the nested reference at
/// `refine: 2` agrees with `refine: 3` to ≤ 3e-15 on the aligned states.
@Suite struct KinkedTeacherQuadratureTests {
    typealias Joint = JointGaussianQuadratureTests

    static func compare(_ op: OrderParameters, student: Activation, teacher: Activation) -> Double {
        let (new, rhs) = Joint.joint(op, student: student, teacher: teacher)
        #expect(rhs.kinked != nil && rhs.joint == nil)
        ODERightHandSide.generalTerms(rhs.w, student: student, teacher: teacher, secondLayer: true, refine: 2)
        return Joint.largestRelative(new, Joint.terms(rhs.w))
    }

    @Test("routing: smooth students with ReLU at M ≥ 2 and with sign at any M; ReLU at M = 1 keeps the closed last level")
    func routing() {
        for student in [Activation.tanh, .sigmoid, .softplus, .gelu] {
            #expect(ODERightHandSide.usesKinkedTeacherQuadrature(student: student, teacher: .relu, M: 2))
            #expect(ODERightHandSide.usesKinkedTeacherQuadrature(student: student, teacher: .sign, M: 1))
            #expect(ODERightHandSide.usesKinkedTeacherQuadrature(student: student, teacher: .sign, M: 3))
            #expect(!ODERightHandSide.usesKinkedTeacherQuadrature(student: student, teacher: .relu, M: 1))
            #expect(ODERightHandSide.usesJointQuadrature(student: student, teacher: .relu, M: 1))
            #expect(!ODERightHandSide.usesKinkedTeacherQuadrature(student: student, teacher: .tanh, M: 2))
        }
        for student in [Activation.erf, .relu, .linear, .he2] {
            #expect(!ODERightHandSide.usesKinkedTeacherQuadrature(student: student, teacher: .sign, M: 1))
            #expect(!ODERightHandSide.usesKinkedTeacherQuadrature(student: student, teacher: .relu, M: 2))
        }
    }

    /// Random covariances (variances up to 2), two seeds, and for K = 2 a nearly singular student
    /// pair.
    @Test(arguments: [(Activation.tanh, Activation.sign, 2, 1), (.sigmoid, .sign, 2, 1), (.tanh, .relu, 1, 2),
                      (.softplus, .relu, 1, 2), (.gelu, .sign, 1, 2)])
    func random(_ pair: (Activation, Activation, Int, Int)) {
        let (student, teacher, K, M) = pair
        for nearlySingular in K == 2 ? [false, true] : [false] {
            for seed in [UInt64(23), 41] {
                let op = Joint.state(K: K, M: M, seed: seed, largest: 2, nearlySingular: nearlySingular)
                let error = Self.compare(op, student: student, teacher: teacher)
                #expect(error <= 1e-10, "\(student)/\(teacher) K=\(K) M=\(M) seed \(seed) nearly singular \(nearlySingular): \(error)")
            }
        }
    }

    /// Student 0 aligned with the (first) teacher: correlation 1 − ε for ε = 1e-4, 1e-8 and 0
    /// (where the closed last level of `JointGaussianQuadrature` was 3.4e-4 and 1.8e-2 off for
    /// sign), student 1 at random; and with M = 2 the second teacher at random.
    @Test(arguments: [(Activation.tanh, Activation.sign, 2, 1), (.tanh, .relu, 1, 2), (.tanh, .sign, 1, 2),
                      (.sigmoid, .sign, 2, 1), (.softplus, .relu, 1, 2)], [1e-4, 1e-8, 0.0])
    func alignedStudent(_ shape: (Activation, Activation, Int, Int), epsilon: Double) {
        let (student, teacher, K, M) = shape
        // Teacher 0 of variance 1.2; student 0 = a·(ρ·teacher + √(1 − ρ²)·independent), ρ = 1 − ε.
        let t00 = 1.2, a = 1.3, rho = 1 - epsilon
        let q00 = a * a * t00
        let r00 = a * rho * t00
        var Q = [q00], R = [r00], T = [t00], v = [0.8], vstar = [1.0]
        if K == 2 {
            // Student 1: correlated with the teacher (and so with student 0: C_01 = a·ρ·R_10).
            Q = [q00, a * rho * 0.4, a * rho * 0.4, 0.9]
            R = [r00, 0.4]
            v = [0.8, -0.5]
        }
        if M == 2 {
            T = [t00, 0.2, 0.2, 0.7]
            R = [r00, a * rho * 0.2]
            vstar = [1, -0.6]
        }
        let op = OrderParameters(K: K, M: M, Q: Q, R: R, T: T, v: v, vstar: vstar)
        let error = Self.compare(op, student: student, teacher: teacher)
        #expect(error <= 1e-10, "\(student)/\(teacher) K=\(K) M=\(M) 1 − ρ = \(epsilon): \(error)")
    }

    /// Two teachers at correlation 1 − ε (ε = 1e-6: a near-step across the first level, graded
    /// panels; 0: the second teacher has no level and its kink is split on the first).
    @Test(arguments: [Activation.relu, .sign], [1e-6, 0.0])
    func parallelTeachers(_ teacher: Activation, epsilon: Double) {
        let rho = 1 - epsilon
        // Teacher 1 = 0.8·(ρ·teacher 0 + √(1 − ρ²)·independent); the student's R follows.
        let op = OrderParameters(K: 1, M: 2, Q: [0.9], R: [0.5, rho * 0.4], T: [1, rho * 0.8, rho * 0.8, 0.64],
                                 v: [0.7], vstar: [1, 0.5])
        let error = Self.compare(op, student: .tanh, teacher: teacher)
        #expect(error <= 1e-10, "tanh/\(teacher) 1 − ρ = \(epsilon): \(error)")
    }

    /// A student of zero norm (its field the constant 0) beside a random one (M = 2 for ReLU:
    /// at M = 1 it takes `JointGaussianQuadrature`; the zero field adds no dimension to the
    /// nested averages).
    @Test(arguments: [Activation.relu, .sign])
    func zeroNormStudent(_ teacher: Activation) {
        let op = teacher == .relu
            ? OrderParameters(K: 2, M: 2, Q: [0, 0, 0, 0.8], R: [0, 0, 0.4, -0.2], T: [1, 0.3, 0.3, 0.9], v: [0.7, -0.3], vstar: [1, 0.6])
            : OrderParameters(K: 2, M: 1, Q: [0, 0, 0, 0.8], R: [0, 0.4], T: [1], v: [0.7, -0.3], vstar: [1])
        let error = Self.compare(op, student: .sigmoid, teacher: teacher)
        #expect(error <= 1e-10, "sigmoid/\(teacher) zero-norm student: \(error)")
    }

    /// K = M = 2 (four levels): against the same method with every panel and step halved
    /// (`refine: 2`) and the trapezoid aiming at e^−40, on a random state and on a student aligned
    /// with a teacher — a check of the rule's convergence (the nested comparisons are the
    /// independent ones); ≤ 1e-10 of the largest term (measured ≤ 1.7e-12).
    @Test(arguments: [Activation.relu, .sign], [false, true])
    func fourFieldsConverged(_ teacher: Activation, aligned: Bool) {
        let op = Self.fourFieldState(aligned: aligned)
        let (new, rhs) = Joint.joint(op, student: .tanh, teacher: teacher)
        let fine = KinkedTeacherQuadrature(K: 2, M: 2, student: .tanh, teacher: teacher, refine: 2, exponent: 40)
        fine.evaluate(rhs.w, secondLayer: true)
        let error = Joint.largestRelative(new, Joint.terms(rhs.w))
        #expect(error <= 1e-10, "tanh/\(teacher) K=M=2 aligned \(aligned): \(error)")
    }

    /// K = M = 2 against the nested path too (4–11 s each in a debug build: two cases), ≤ 1e-10.
    @Test(arguments: [(Activation.relu, false), (.sign, true)])
    func fourFieldsNested(_ teacher: Activation, aligned: Bool) {
        let op = Self.fourFieldState(aligned: aligned)
        let error = Self.compare(op, student: .tanh, teacher: teacher)
        #expect(error <= 1e-10, "tanh/\(teacher) K=M=2 aligned \(aligned): \(error)")
    }

    /// A random K = M = 2 state, or one with student 0 = 1.3·(ρ·teacher 0 + √(1 − ρ²)·independent),
    /// ρ = 1 − 1e-6.
    static func fourFieldState(aligned: Bool) -> OrderParameters {
        let op = Joint.state(K: 2, M: 2, seed: 5, largest: 1.5, nearlySingular: false)
        guard aligned else { return op }
        let a = 1.3 * (1 - 1e-6)
        return OrderParameters(K: 2, M: 2, Q: [1.2 * 1.69, a * 0.4, a * 0.4, 0.9], R: [a * 1.2, a * 0.1, 0.4, 0.1],
                               T: [1.2, 0.1, 0.1, 0.8], v: op.v, vstar: op.vstar)
    }

    /// Non-finite states give non-finite terms (the integrator rejects the step), not a trap; a
    /// huge one (variance 1e6: every level at its node or panel cap) finite ones, quickly.
    @Test func nonFiniteAndHugeStates() {
        for value in [Double.nan, .infinity, 1e6] {
            let op = OrderParameters(K: 2, M: 2, Q: [value, 0.1, 0.1, 1], R: [0.2, 0.1, 0.1, 0.3], T: [1, 0.2, 0.2, 1],
                                     v: [0.7, -0.4], vstar: [1, 0.5])
            let (terms, _) = Joint.joint(op, student: .tanh, teacher: .sign)
            #expect(terms.allSatisfy { $0.isFinite } == value.isFinite, "Q00 = \(value): \(terms)")
        }
    }
}
