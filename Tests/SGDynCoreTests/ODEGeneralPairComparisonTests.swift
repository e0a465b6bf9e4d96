import Testing
@testable import SGDynCore

/// Simulations at N = 10⁴ against the ODEs of the quadrature path (ODERightHandSide+General), from
/// the simulations' own initial weights, three seeds each. The deviation is O(N^{-1/2}) with a
/// prefactor of order 1 (ODEComparisonTests measures 1.35 % RMS for erf at N = 10⁴): each seed
/// within 3 %, the bound, is ≈ 2 standard deviations of that noise on the worst of ≈ 20
/// output times — tight, and a wrong integral (a factor, a sign, a missing term) shifts ε_g by far
/// more. Times are short (t ≤ 3) so the ReLU-student integration runs in seconds in a debug build.
@Suite struct ODEGeneralPairComparisonTests {
    static func deviations(_ student: Activation, _ teacher: Activation, K: Int, M: Int, lr: Double, tMax: Double) throws -> [Double] {
        var result: [Double] = []
        for seed in UInt64(0)..<3 {
            let p = SimulationParameters(N: 10_000, M: M, K: K, teacherActivation: teacher, studentActivation: student,
                                         learningRate: lr, noise: 0.01, tMax: tMax, points: 15, seed: seed)
            var simulation = Simulation(parameters: p)
            simulation.runToEnd()
            let ode = try ODE.companion(of: simulation)
            let deviation = try ODEComparison.largestRelativeDeviation(simulation: simulation.records, ode: ode.records)
            print("\(student) student, \(teacher) teacher, N = 10⁴ seed \(seed): largest relative ε_g deviation \(deviation.relative) at t = \(deviation.t); ε_g \(ode.records[0].eg) → \(ode.finalRecord!.eg)")
            result.append(deviation.relative)
        }
        return result
    }

    /// A polynomial pair (exact Gauss–Hermite on every level): He₂ student, He₂ teacher, K = M = 2.
    /// Measured 0.25–0.41 %.
    @Test func hermiteStudentFollowsTheODE() throws {
        let d = try Self.deviations(.he2, .he2, K: 2, M: 2, lr: 0.05, tMax: 3)
        #expect(d.allSatisfy { $0 < 0.03 }, "\(d)")
    }

    /// A He₃ student of a He₃ teacher, K = M = 2, at η = 0.02. At η = 0.05 its single runs
    /// scatter by several per cent at N = 10⁴ (one step's N·ΔQ has a standard deviation 135 times
    /// its mean, from the η² term's degree-10 tails; docs/measurements.md "General pairs"), so
    /// three seeds cannot be held to 3 % there; the η² part falls as η², and at 0.02 the
    /// ODE's predictions hold within the bound. Measured 0.33–1.08 %.
    @Test func cubicHermiteStudentFollowsTheODE() throws {
        let d = try Self.deviations(.he3, .he3, K: 2, M: 2, lr: 0.02, tMax: 3)
        #expect(d.allSatisfy { $0 < 0.03 }, "\(d)")
    }

    /// A ReLU student learning a He₃ teacher (kinks split, polynomial levels exact), K = M = 2
    /// (four distinct fields in I4). Measured 0.16–0.48 %.
    @Test func reluStudentOfHermiteTeacherFollowsTheODE() throws {
        let d = try Self.deviations(.relu, .he3, K: 2, M: 2, lr: 0.2, tMax: 1)
        #expect(d.allSatisfy { $0 < 0.03 }, "\(d)")
    }

    /// The classic sigmoidal committee machine, tanh student and tanh teacher, K = M = 2, on the
    /// joint quadrature (JointGaussianQuadrature), η = 0.5, t ≤ 1 (ε_g 0.79 → 0.49). Measured
    /// 0.40–0.61 %; ≈ 4 s in a debug build.
    @Test func tanhStudentFollowsTheODE() throws {
        let d = try Self.deviations(.tanh, .tanh, K: 2, M: 2, lr: 0.5, tMax: 1)
        #expect(d.allSatisfy { $0 < 0.03 }, "\(d)")
    }

    /// A tanh student learning a ReLU teacher (mismatch), K = 2, M = 1, on the joint quadrature
    /// with the teacher's level in closed form, η = 0.5, t ≤ 1 (ε_g 0.64 → 0.47). Measured
    /// 0.32–0.37 %; under 1 s in a debug build.
    @Test func tanhStudentOfReLUTeacherFollowsTheODE() throws {
        let d = try Self.deviations(.tanh, .relu, K: 2, M: 1, lr: 0.5, tMax: 1)
        #expect(d.allSatisfy { $0 < 0.03 }, "\(d)")
    }

    /// A tanh student learning two ReLU teachers, K = M = 2, on the teachers-first rule
    /// (KinkedTeacherQuadrature), η = 0.5, t ≤ 1. Measured 0.26–0.36 % (7–32 s in a debug build on the shared machine).
    @Test func tanhStudentOfTwoReLUTeachersFollowsTheODE() throws {
        let d = try Self.deviations(.tanh, .relu, K: 2, M: 2, lr: 0.5, tMax: 1)
        #expect(d.allSatisfy { $0 < 0.03 }, "\(d)")
    }

    /// A tanh student learning a sign teacher, K = 2, M = 1 (KinkedTeacherQuadrature), η = 0.5,
    /// t ≤ 1. Measured 0.26–0.60 % (≈ 4 s in a debug build).
    @Test func tanhStudentOfSignTeacherFollowsTheODE() throws {
        let d = try Self.deviations(.tanh, .sign, K: 2, M: 1, lr: 0.5, tMax: 1)
        #expect(d.allSatisfy { $0 < 0.03 }, "\(d)")
    }

    /// Issue 20's workload, a ReLU student (K = 4) learning a single-index He₃ teacher (M = 1),
    /// now that its integrals are exact and fast (ODERightHandSide+ReLUPolynomial), to t = 3.
    /// Measured 0.52–1.18 % (3.6 s in a debug build).
    @Test func reluStudentOfSingleIndexHermiteTeacherFollowsTheODE() throws {
        let d = try Self.deviations(.relu, .he3, K: 4, M: 1, lr: 0.2, tMax: 3)
        #expect(d.allSatisfy { $0 < 0.03 }, "\(d)")
    }

    /// Beyond the joint rule's sizes: tanh student and tanh teacher, K = M = 4, on the
    /// conditional pair quadrature (ConditionalPairQuadrature), η = 0.5, t ≤ 1.
    @Test func tanhStudentFollowsTheODEAtFourUnits() throws {
        let d = try Self.deviations(.tanh, .tanh, K: 4, M: 4, lr: 0.5, tMax: 1)
        print("compare tanh/tanh K=M=4 deviations \(d)")
        #expect(d.allSatisfy { $0 < 0.03 }, "\(d)")
    }
}
