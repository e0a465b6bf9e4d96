import Testing
import SGDynCore

/// Initial conditions (drawn from a seed or given explicitly), parameter validation, and the
/// errors users see: each must name the job key at fault.
@Suite struct ODEInitialConditionTests {
    static let identity = [[1.0, 0], [0, 1]]

    func rejection(_ body: () throws -> Void) -> ODEError? {
        do {
            try body()
            return nil
        } catch let error as ODEError {
            return error
        } catch {
            return nil
        }
    }

    /// The covariance [[Q, R], [Rᵀ, T]] must be positive semi-definite; the key says which block
    /// breaks it.
    @Test func nonSemidefiniteCovarianceIsRejected() {
        let cases: [(Q: [[Double]], R: [[Double]], T: [[Double]], key: String)] = [
            ([[1, 2], [2, 1]], [[0, 0], [0, 0]], Self.identity, "Q"),            // eigenvalue −1
            (Self.identity, [[0, 0], [0, 0]], [[1, 0], [0, -0.1]], "T"),         // negative variance
            (Self.identity, [[0.8, 0.8], [0, 0]], Self.identity, "R"),           // |R row|² = 1.28 > Q_11
            ([[1, 0.99], [0.99, 1]], [[0.9, 0], [-0.9, 0]], Self.identity, "R"),  // jointly impossible
        ]
        for c in cases {
            let error = rejection {
                _ = try ODEInitialConditions.explicit(Q: c.Q, R: c.R, T: c.T, v: [1, 1], vstar: [1, 1])
            }
            #expect(error?.key == c.key, "\(c): \(String(describing: error))")
            #expect(error?.message.contains("positive semi-definite") == true)
        }
        // The same through ODE.integrate with OrderParameters built directly.
        let bad = OrderParameters(K: 2, M: 2, Q: [1, 0, 0, 1], R: [0.8, 0.8, 0, 0], T: [1, 0, 0, 1], v: [1, 1], vstar: [1, 1])
        let error = rejection { _ = try ODE.integrate(ODEParameters(), from: bad, times: [0, 1]) }
        #expect(error?.key == "R")
    }

    @Test func malformedInputNamesTheKey() {
        let cases: [(ODEError?, String)] = [
            (rejection { _ = try ODEInitialConditions.explicit(Q: [[1, 0]], R: Self.identity, T: Self.identity, v: [1, 1], vstar: [1, 1], K: 2, M: 2) }, "Q"),
            (rejection { _ = try ODEInitialConditions.explicit(Q: Self.identity, R: [[0, 0], [0]], T: Self.identity, v: [1, 1], vstar: [1, 1]) }, "R"),
            (rejection { _ = try ODEInitialConditions.explicit(Q: Self.identity, R: [[0, 0]], T: Self.identity, v: [1, 1], vstar: [1, 1]) }, "R"),
            (rejection { _ = try ODEInitialConditions.explicit(Q: Self.identity, R: Self.identity, T: [[1, 0.5], [0.4, 1]], v: [1, 1], vstar: [1, 1]) }, "T"),
            (rejection { _ = try ODEInitialConditions.explicit(Q: Self.identity, R: [[.nan, 0], [0, 0]], T: Self.identity, v: [1, 1], vstar: [1, 1]) }, "R"),
            (rejection { _ = try ODEInitialConditions.explicit(Q: Self.identity, R: Self.identity, T: Self.identity, v: [1], vstar: [1, 1]) }, "v"),
            (rejection { _ = try ODEInitialConditions.explicit(Q: Self.identity, R: Self.identity, T: Self.identity, v: [1, 1], vstar: [1, 1, 1]) }, "vstar"),
            (rejection { _ = try ODEParameters(teacherActivation: .erf, studentActivation: .sign) }, "student_activation"),
            (rejection { _ = try ODEParameters(simulation: SimulationParameters(teacherActivation: .relu, studentActivation: .sign)) }, "student_activation"),
            (rejection { try ODEParameters(activation: .erf, learningRate: -1).validate() }, "lr"),
            (rejection { try ODEParameters(batchSize: 0).validate() }, "batch_size"),
            (rejection { try ODEMethod.euler(dt: 0).validate() }, "ode"),
            (rejection { try ODEMethod.adaptive(rtol: 0, atol: 0).validate() }, "ode"),
        ]
        for (index, (error, key)) in cases.enumerated() {
            #expect(error?.key == key, "case \(index): \(String(describing: error))")
        }
        let teacherOnly = rejection { _ = try ODEParameters(teacherActivation: .erf, studentActivation: .sign) }
        #expect(teacherOnly?.message.contains("erf") == true && teacherOnly?.message.contains("sign") == true)
        let backwards = rejection { _ = try ODE.integrate(ODEParameters(), from: ODEInitialConditions.drawn(for: SimulationParameters(N: 50)), times: [0, 2, 1]) }
        #expect(backwards != nil)
    }

    /// Valid inputs pass: the reference's initial.json, and a covariance that is singular up to
    /// rounding (a student unit that copies a teacher unit, as `denoise` makes), whose smallest
    /// eigenvalue comes out ≈ −1e-16.
    @Test func validInputIsAccepted() throws {
        let reference = try ODEReference.load()
        let op = try reference.orderParameters()
        #expect(op.Q == reference.initial.Q.flatMap { $0 })
        let t = 1.0 / 3
        let copy = try ODEInitialConditions.explicit(Q: [[t]], R: [[t]], T: [[t]], v: [1], vstar: [1])
        #expect(copy.K == 1 && copy.M == 1)
    }

    /// Drawn initial conditions are exactly a simulation's first record, so `ode` and `simulate`
    /// jobs with the same seed start from the same point (to the last bit).
    @Test func drawnConditionsAreTheSimulationsStart() throws {
        let p = SimulationParameters(N: 300, M: 2, K: 3, learningRate: 0.4, noise: 0.1, trainSecondLayer: true,
                                     studentInit: .large, teacherSecondLayer: .random, tMax: 10, seed: 17)
        let simulation = Simulation(parameters: p)
        let drawn = ODEInitialConditions.drawn(for: p)
        #expect(drawn == simulation.records[0].orderParameters)
        let ode = try ODE.integrate(ODEParameters(simulation: p), from: drawn, times: [0, 1])
        #expect(ode.records[0].eg == simulation.records[0].eg)
        #expect(ode.records[0].orderParameters == drawn)
        var other = p
        other.seed = 18
        #expect(ODEInitialConditions.drawn(for: other) != drawn)
    }
}
