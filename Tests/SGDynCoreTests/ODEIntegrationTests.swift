import Testing
@testable import SGDynCore

/// `ODEIntegration`: chunks, snapshots and restores change no bit of the records or statistics.
@Suite("Resumable ODE integrations")
struct ODEIntegrationTests {
    static let methods: [ODEMethod] = [.adaptive(rtol: 1e-10, atol: 1e-14), .rk4(dt: 0.05), .euler(dt: 0.02)]
    /// Every activation, with and without a trained second layer.
    static let problems: [(Activation, Bool)] = [(.erf, false), (.erf, true), (.linear, false), (.linear, true),
                                                 (.relu, false), (.relu, true)]

    static func problem(_ index: Int) -> (ODEParameters, OrderParameters, [Double]) {
        let (activation, train) = problems[index]
        let simulation = SimulationParameters(N: 100, M: 2, K: 3, teacherActivation: activation, studentActivation: activation,
                                              learningRate: 0.3, noise: 0.1, trainSecondLayer: train,
                                              teacherSecondLayer: train ? .random : .ones, seed: UInt64(index))
        let parameters = try! ODEParameters(simulation: simulation)
        // The job schedule (off the fixed grids) plus a repeated time and one on the grid.
        var times = OutputSchedule.times(tMax: 20, points: 12) + [6.5, 20]
        times.sort()
        return (parameters, ODEInitialConditions.drawn(for: simulation), times)
    }

    @Test("restoring at random chunk boundaries and continuing is bit-identical to one go",
          arguments: methods, problems.indices)
    func chunkedRestoreIsBitIdentical(method: ODEMethod, index: Int) throws {
        let (parameters, initial, times) = Self.problem(index)
        let reference = try ODE.integrate(parameters, from: initial, times: times, method: method)
        var oneGo = try ODEIntegration(parameters: parameters, initial: initial, times: times, method: method)
        oneGo.advance(maxSteps: .max)
        #expect(oneGo.result == reference)
        #expect(reference.divergence == nil)
        #expect(reference.records.count == times.count)

        var g = Xoshiro256StarStar(seed: 5, stream: .testSample, counter: UInt64(index))
        var interrupted = try ODEIntegration(parameters: parameters, initial: initial, times: times, method: method)
        var stops = 0, progress = 0.0
        while !interrupted.isFinished {
            // 1…7 steps: stops land between output times, on them, and inside rejected steps.
            let taken = interrupted.advance(maxSteps: Int(g.below(7)) + 1)
            #expect(taken >= 1 || interrupted.isFinished)
            #expect(interrupted.progress >= progress)
            progress = interrupted.progress
            interrupted = try ODEIntegration(snapshot: interrupted.snapshot())
            stops += 1
        }
        #expect(stops > 10)
        #expect(interrupted.progress == 1)
        #expect(interrupted.records == reference.records)
        #expect(interrupted.statistics == reference.statistics)
        #expect(interrupted.snapshot() == oneGo.snapshot())
    }

    /// Linear, ηK = 3 > 2: the solution passes the bound of `ODEStateBounds` near t ≈ 8 (it
    /// would overflow near t ≈ 240); chunks and restores do not move the divergence.
    @Test("a diverging integration restored at random chunk boundaries diverges exactly as in one go",
          arguments: [ODEMethod.standard, .rk4(dt: 0.01), .euler(dt: 0.01)])
    func chunkedDivergence(method: ODEMethod) throws {
        let simulation = SimulationParameters(N: 200, M: 2, K: 3, teacherActivation: .linear, studentActivation: .linear,
                                              learningRate: 1, noise: 0.1, seed: 4)
        let parameters = try ODEParameters(simulation: simulation)
        let initial = ODEInitialConditions.drawn(for: simulation)
        let times = OutputSchedule.times(tMax: 1000, points: 40)
        let reference = try ODE.integrate(parameters, from: initial, times: times, method: method)
        #expect(reference.divergence != nil)
        var g = Xoshiro256StarStar(seed: 6, stream: .testSample, counter: 0)
        var interrupted = try ODEIntegration(parameters: parameters, initial: initial, times: times, method: method)
        while !interrupted.isFinished {
            interrupted.advance(maxSteps: Int(g.below(3000)) + 1)
            interrupted = try ODEIntegration(snapshot: interrupted.snapshot())
        }
        #expect(interrupted.result == reference)
        #expect(interrupted.progress == 1)
    }

    @Test("copies of an integration advance independently")
    func copiesAreValues() throws {
        let (parameters, initial, times) = Self.problem(4)
        var a = try ODEIntegration(parameters: parameters, initial: initial, times: times, method: .standard)
        a.advance(maxSteps: 20)
        var b = a  // shares a's scratch memory until one of them advances
        a.advance(maxSteps: 30)
        b.advance(maxSteps: 10)
        b.advance(maxSteps: 20)
        #expect(a.snapshot() == b.snapshot())
        let c = b
        b.advance(maxSteps: .max)
        #expect(c.snapshot() == a.snapshot())
        #expect(b.result == (try ODE.integrate(parameters, from: initial, times: times, method: .standard)))
    }

    /// A long integration advanced in small chunks: progress rises at every chunk, so a caller
    /// polling between chunks sees it move, and ends at 1.
    @Test(arguments: [ODEMethod.standard, .rk4(dt: 0.01)])
    func progressMovesAtEveryChunk(method: ODEMethod) throws {
        let (parameters, initial, _) = Self.problem(0)
        var integration = try ODEIntegration(parameters: parameters, initial: initial,
                                             times: OutputSchedule.times(tMax: 300, points: 50), method: method)
        var previous = integration.progress, chunks = 0
        #expect(previous == 0)
        while !integration.isFinished {
            integration.advance(maxSteps: 5)
            #expect(integration.progress > previous)
            previous = integration.progress
            chunks += 1
        }
        #expect(chunks > 20)
        #expect(integration.progress == 1)
        #expect(integration.statistics.rhsEvaluations > 0)
    }

    @Test("a corrupted, truncated or foreign snapshot is refused with a reason")
    func badSnapshots() throws {
        let (parameters, initial, times) = Self.problem(1)
        var integration = try ODEIntegration(parameters: parameters, initial: initial, times: times, method: .rk4(dt: 0.05))
        integration.advance(maxSteps: 10)
        var bytes = integration.snapshot()
        #expect(throws: SnapshotError.checksumMismatch) { _ = try ODEIntegration(snapshot: Array(bytes.dropLast(3))) }
        bytes[60] ^= 4
        #expect(throws: SnapshotError.checksumMismatch) { _ = try ODEIntegration(snapshot: bytes) }
        let simulation = Simulation(parameters: SimulationParameters(N: 20, tMax: 1, points: 3))
        #expect(throws: SnapshotError.notASnapshot) { _ = try ODEIntegration(snapshot: simulation.snapshot()) }
        #expect(throws: SnapshotError.notASnapshot) { _ = try Simulation(snapshot: integration.snapshot()) }
    }

    @Test("invalid input is refused as by ODE.integrate, naming the key")
    func invalidInput() {
        let (parameters, initial, _) = Self.problem(0)
        #expect(throws: ODEError(key: nil, "output times must be non-decreasing (2.0 then 1.0)")) {
            _ = try ODEIntegration(parameters: parameters, initial: initial, times: [0, 2, 1], method: .standard)
        }
        #expect(throws: ODEError(key: "ode", "dt must be a finite number > 0 (got 0.0)")) {
            _ = try ODEIntegration(parameters: parameters, initial: initial, times: [0, 1], method: .euler(dt: 0))
        }
    }
}
