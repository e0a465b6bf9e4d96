import RealModule
import Testing
@testable import SGDynCore

/// A teacher given by its Hermite coefficients (`HermiteExpansion`, `Activation.hermite`):
/// its canonical form, g against the table's he_k, ε_g exact and against Monte Carlo, the
/// simulation and the erf-student ODE against the named `he3`, and its on-disk form.
@Suite struct HermiteTeacherTests {
    static func hermite(_ c: [Double]) -> Activation { .hermite(HermiteExpansion(coefficients: c)) }

    /// A single c_k = 1 gives the table's he_k monomials to the bit, and g within 1e-12 of the
    /// table's formula (Horner's rule against the factored form: a few roundings of terms ≲ |x|^k).
    @Test func singleCoefficientsAreTheTablesPolynomials() {
        for (k, named) in [(2, Activation.he2), (3, .he3), (4, .he4)] {
            var c = [Double](repeating: 0, count: k + 1)
            c[k] = 1
            let h = Self.hermite(c)
            #expect(h.declaration.polynomial == named.declaration.polynomial, "He\(k)")
            #expect(h.declaration.parity == named.declaration.parity)
            for x in stride(from: -6.0, through: 6.0, by: 0.01) {
                let scale = max(1, Double.pow(abs(x), k))
                #expect(abs(h.value(x) - named.value(x)) <= 1e-12 * scale, "He\(k) at \(x)")
                #expect(abs(h.derivative(x) - named.derivative(x)) <= 1e-12 * scale, "He\(k)' at \(x)")
            }
        }
    }

    @Test func canonicalFormNameAndParity() {
        let a = HermiteExpansion(coefficients: [0, 0, 0, 1, 0, 0])
        #expect(a.coefficients == [0, 0, 0, 1])
        #expect(a == HermiteExpansion(coefficients: [0, 0, 0, 1]))
        #expect(a.name == "Hermite(0, 0, 0, 1)")
        #expect(Activation.hermite(a).rawValue == "Hermite(0, 0, 0, 1)")
        #expect(Activation.hermite(a).declaration.label == "Hermite(0, 0, 0, 1)")
        #expect(a.parity == .odd)
        #expect(HermiteExpansion(coefficients: [0.5, 0, -0.25]).parity == .even)
        #expect(HermiteExpansion(coefficients: [0, 0.3, 1]).parity == .none)
        #expect(HermiteExpansion(coefficients: [0, 0.1, 0, 1e-5]).name == "Hermite(0, 0.1, 0, 1e-05)")
        #expect(!Activation.hermite(a).declaration.studentAllowed)
        #expect(HermiteExpansion.problem([]) != nil)
        #expect(HermiteExpansion.problem([0, 0]) != nil)
        #expect(HermiteExpansion.problem([0, .infinity]) != nil)
        #expect(HermiteExpansion.problem([0, .nan]) != nil)
        #expect(HermiteExpansion.problem([Double](repeating: 1, count: 10)) != nil)
        #expect(HermiteExpansion.problem([Double](repeating: 1, count: 9) + [0, 0]) == nil)
    }

    /// Degree 0…8 against the three-term recurrence evaluated independently:
    /// He_{k+1} = x·He_k − k·He_{k−1}, to 1e-12 relative to Σ|c_k|·|He_k(x)|/√k!.
    @Test func valueMatchesTheRecurrence() {
        let c = [0.3, -0.2, 0.5, 1, -0.7, 0.25, 0.1, -0.05, 0.02]
        let h = HermiteExpansion(coefficients: c)
        for x in stride(from: -7.0, through: 7.0, by: 0.037) {
            var previous = 1.0, current = x, sum = c[0] + c[1] * x, scale = abs(c[0]) + abs(c[1] * x)
            var factorial = 1.0
            for k in 1..<8 {
                let next = x * current - Double(k) * previous
                previous = current
                current = next
                factorial *= Double(k + 1)
                sum += c[k + 1] * current / factorial.squareRoot()
                scale += abs(c[k + 1] * current / factorial.squareRoot())
            }
            #expect(abs(h.value(x) - sum) <= 1e-12 * max(1, scale), "at \(x): \(h.value(x)) vs \(sum)")
        }
    }

    /// At unit variances E[He_m(a)He_n(b)]/√(m!n!) = δ_mn·ρⁿ, so E[g(a)h(b)] = Σ_k c_k d_k ρ^k:
    /// the exact moment sums of `PairAverage` reproduce it to rounding (1e-13).
    @Test func pairAverageIsTheHermiteSum() {
        let c = [0.1, 0.4, -0.3, 1, 0, 0.2, 0, 0, -0.1], d = [0, -0.5, 0.25, 0.75, 0.1, 0, 0.3]
        let g = Self.hermite(c), h = Self.hermite(d)
        for rho in stride(from: -1.0, through: 1.0, by: 0.125) {
            var exact = 0.0
            for k in 0..<min(c.count, d.count) { exact += c[k] * d[k] * Double.pow(rho, k) }
            let average = PairAverage.value(g, h, caa: 1, cbb: 1, cab: rho)
            #expect(abs(average - exact) < 1e-13, "ρ = \(rho): \(average) vs \(exact)")
        }
        // E[g(z)²] = Σ c_k².
        #expect(abs(PairAverage.value(g, g, caa: 1, cbb: 1, cab: 1) - c.map { $0 * $0 }.reduce(0, +)) < 1e-13)
    }

    /// He₃ by its coefficients has the ε_g of `he3` to the bit: the same monomials go through the
    /// same moment sums (polynomial students) or the same quadrature (the others).
    @Test(arguments: [Activation.erf, .relu, .tanh, .linear, .he3, .softplus])
    func epsilonGEqualsHe3(_ student: Activation) {
        let (op, _) = GeneralisationErrorTests.randomOrderParameters(K: 3, M: 2, seed: 41)
        let byCoefficients = GeneralisationError.analytic(op, teacher: Self.hermite([0, 0, 0, 1]), student: student)
        let named = GeneralisationError.analytic(op, teacher: .he3, student: student)
        #expect(byCoefficients == named, "\(student): \(byCoefficients) vs \(named)")
    }

    /// ε_g for an expansion of degree 6 with every parity against the Monte-Carlo average over
    /// the fields' Gaussian (as GeneralisationErrorTests does for the named pairs), 200 000
    /// samples, five standard errors (a false alarm ~6e-7 per student).
    @Test(arguments: [Activation.erf, .relu, .tanh, .he2])
    func epsilonGMatchesMonteCarlo(_ student: Activation) {
        let teacher = Self.hermite([0.2, 0.5, -0.3, 0.7, 0, 0, 0.1])
        let K = 2, M = 2, D = K + M
        let (op, a) = GeneralisationErrorTests.randomOrderParameters(K: K, M: M, seed: 57)
        let analytic = GeneralisationError.analytic(op, teacher: teacher, student: student)
        var g = NormalStream(seed: 12, stream: .testSample, counter: 3)
        let samples = 200_000
        var z = [Double](repeating: 0, count: D), fields = [Double](repeating: 0, count: D)
        var sum = 0.0, sumSquares = 0.0
        for _ in 0..<samples {
            for i in 0..<D { z[i] = g.next() }
            for i in 0..<D { var s = 0.0; for j in 0...i { s += a[i * D + j] * z[j] }; fields[i] = s }
            var phi = 0.0, phiStar = 0.0
            for k in 0..<K { phi += op.v[k] * student.value(fields[k]) }
            for m in 0..<M { phiStar += op.vstar[m] * teacher.value(fields[K + m]) }
            let e = 0.5 * (phi - phiStar) * (phi - phiStar)
            sum += e
            sumSquares += e * e
        }
        let mean = sum / Double(samples)
        let standardError = ((sumSquares / Double(samples) - mean * mean) / Double(samples)).squareRoot()
        #expect(abs(analytic - mean) < 5 * standardError, "\(student): analytic \(analytic), MC \(mean) ± \(standardError)")
    }

    /// A simulation with He₃ given by coefficients follows the one with `he3`: the labels differ
    /// by rounding (≲ 1e-15 relative), which SGD carries along without amplifying much over a
    /// short run, so every recorded ε_g and order parameter agrees to 1e-10.
    @Test func simulationFollowsHe3() {
        var p = SimulationParameters(N: 200, M: 1, K: 2, teacherActivation: .he3, studentActivation: .erf, learningRate: 0.3,
                                     noise: 0.01, tMax: 5, points: 12)
        var named = Simulation(parameters: p)
        named.runToEnd()
        p.teacherActivation = Self.hermite([0, 0, 0, 1])
        var coefficients = Simulation(parameters: p)
        coefficients.runToEnd()
        #expect(named.records.count == coefficients.records.count && named.records.count > 5)
        for (a, b) in zip(named.records, coefficients.records) {
            #expect(abs(a.eg - b.eg) <= 1e-10 * max(1, a.eg), "t = \(a.t): \(a.eg) vs \(b.eg)")
            let x = a.orderParameters.Q + a.orderParameters.R, y = b.orderParameters.Q + b.orderParameters.R
            for (u, w) in zip(x, y) { #expect(abs(u - w) <= 1e-10) }
        }
        // And the expansion really is the teacher: a different one gives different labels.
        p.teacherActivation = Self.hermite([0, 0.3, 0, 1])
        var other = Simulation(parameters: p)
        other.runToEnd()
        #expect(abs(other.records.last!.eg - named.records.last!.eg) > 1e-6)
    }

    /// The erf-student ODE with He₃ by coefficients equals the one with `he3` (same monomials,
    /// same pair averages): to 1e-12 at every output time.
    @Test func erfStudentODEFollowsHe3() throws {
        let (op, _) = GeneralisationErrorTests.randomOrderParameters(K: 2, M: 1, seed: 5)
        let times = [0, 0.5, 1, 2, 4.0]
        func run(_ teacher: Activation) throws -> [ODERecord] {
            let p = try ODEParameters(teacherActivation: teacher, studentActivation: .erf, learningRate: 0.4, noise: 0.01)
            var i = try ODEIntegration(parameters: p, initial: op, times: times, method: .standard)
            i.advance(maxSteps: 100_000)
            return i.records
        }
        let a = try run(.he3), b = try run(Self.hermite([0, 0, 0, 1]))
        #expect(a.count == times.count && b.count == times.count)
        for (x, y) in zip(a, b) {
            #expect(abs(x.eg - y.eg) <= 1e-12 * max(1, x.eg), "t = \(x.t)")
            for (u, w) in zip(x.orderParameters.R, y.orderParameters.R) { #expect(abs(u - w) <= 1e-12) }
        }
        #expect(ODEParameters.supports(teacher: Self.hermite([0, 1]), student: .erf))
        #expect(!ODEParameters.supports(teacher: .erf, student: Self.hermite([0, 1])))
    }

    /// On disk: tag 12, a count, the coefficients; simulation and ODE snapshots round-trip, and
    /// the named activations keep their one byte.
    @Test func storedForm() throws {
        let h = Self.hermite([0, 0.5, 0, 1])
        var w = ByteWriter()
        w.write(activation: h)
        #expect(w.bytes.count == 2 + 8 * 4 && w.bytes[0] == 12 && w.bytes[1] == 4)
        var r = ByteReader(w.bytes)
        #expect(try r.readActivation() == h)
        var named = ByteWriter()
        named.write(activation: .he3)
        #expect(named.bytes == [9])

        var p = SimulationParameters(N: 100, M: 1, K: 2, teacherActivation: h, studentActivation: .erf, tMax: 2, points: 5)
        p.seed = 3
        var sim = Simulation(parameters: p)
        sim.advance(maxSteps: 37)
        var restored = try Simulation(snapshot: sim.snapshot())
        #expect(restored.parameters.teacherActivation == h)
        sim.runToEnd()
        restored.runToEnd()
        #expect(sim.records == restored.records)

        let (op, _) = GeneralisationErrorTests.randomOrderParameters(K: 2, M: 1, seed: 8)
        let q = try ODEParameters(teacherActivation: h, studentActivation: .erf, learningRate: 0.5)
        var a = try ODEIntegration(parameters: q, initial: op, times: [0, 1, 2], method: .standard)
        a.advance(maxSteps: 3)
        var b = try ODEIntegration(snapshot: a.snapshot())
        a.advance(maxSteps: 10_000)
        b.advance(maxSteps: 10_000)
        #expect(a.snapshot() == b.snapshot())

        // Work units (what the daemon stores and Slurm tasks read) carry it too.
        for unit in [WorkUnit(.simulation(p)),
                     WorkUnit(.ode(ODEWork(parameters: p, method: .standard, start: .drawn, times: .simulationRecords)))] {
            let decoded = try WorkUnit(encoded: unit.encoded())
            #expect(decoded == unit && decoded.parameters.teacherActivation == h)
        }

        // A stored expansion with trailing zeros or bad coefficients is refused, not trusted.
        var bad = ByteWriter()
        bad.write(UInt8(12)); bad.write(UInt8(2)); bad.write(1.0); bad.write(0.0)
        var reader = ByteReader(bad.bytes)
        #expect(throws: SnapshotError.self) { try reader.readActivation() }
    }
}
