import Testing
@testable import SGDynCore

/// The options of the authors' simulator (issue 21): classification, sparse teachers, early stop.
@Suite("Classification, sparse teachers, early stop")
struct SimulatorOptionTests {
    static func classification(N: Int = 80, flip: Double = 0, trainingSet: Double? = nil, testSet: Int = 300,
                               tMax: Double = 3, seed: UInt64 = 1) -> SimulationParameters {
        var p = SimulationParameters(N: N, M: 2, K: 2, trainingSetRatio: trainingSet, tMax: tMax, points: 10, seed: seed,
                                     monteCarloTestSize: testSet)
        p.task = .classify
        p.labelFlip = flip
        return p
    }

    /// φ of a two-layer network with weights `w` (rows×N) and second layer `v` at input x.
    static func output(_ w: [Double], _ v: [Double], _ g: Activation, _ x: [Double]) -> Double {
        let N = x.count
        var phi = 0.0
        for k in v.indices {
            var dot = 0.0
            for i in 0..<N { dot += w[k * N + i] * x[i] }
            phi += v[k] * g.value(dot / Double(N).squareRoot())
        }
        return phi
    }

    @Test("the recorded classification error and eg are the direct count and mean on the fixed test set")
    func classificationErrorIsTheDirectCount() {
        let p = Self.classification(flip: 0.1, trainingSet: 2)
        var sim = Simulation(parameters: p)
        sim.runToEnd()
        let last = sim.records.last!
        var wrong = 0, squared = 0.0, trainWrong = 0
        for index in 0..<p.monteCarloTestSize! {
            var normals = NormalStream(seed: p.seed, stream: .testSample, counter: UInt64(index))
            var x = [Double](repeating: 0, count: p.N)
            x.withUnsafeMutableBufferPointer { normals.fill($0.baseAddress!, count: p.N) }
            let y: Double = Self.output(sim.teacherWeights, sim.teacherSecondLayer, .erf, x) >= 0 ? 1 : -1
            let phi = Self.output(sim.studentWeights, sim.studentSecondLayer, .erf, x)
            if (phi >= 0 ? 1.0 : -1.0) != y { wrong += 1 }
            squared += 0.5 * (y - phi) * (y - phi)
        }
        for index in 0..<p.trainingSetSize! {
            var normals = NormalStream(seed: p.seed, stream: .trainingSample, counter: UInt64(index))
            var x = [Double](repeating: 0, count: p.N)
            x.withUnsafeMutableBufferPointer { normals.fill($0.baseAddress!, count: p.N) }
            let y = Simulation.classLabel(Self.output(sim.teacherWeights, sim.teacherSecondLayer, .erf, x), zeta: normals.next(), flip: 0.1)
            if (Self.output(sim.studentWeights, sim.studentSecondLayer, .erf, x) >= 0 ? 1.0 : -1.0) != y { trainWrong += 1 }
        }
        // The counts are integers divided by the set size: exact. The squared error sums the same
        // terms in another order of dot products, so agrees to rounding (1e-12 relative).
        #expect(last.classificationError == Double(wrong) / Double(p.monteCarloTestSize!))
        #expect(last.trainingClassificationError == Double(trainWrong) / Double(p.trainingSetSize!))
        #expect(abs(last.eg - squared / Double(p.monteCarloTestSize!)) <= 1e-12 * squared)
        #expect(last.monteCarloError == nil && last.trainingError != nil)
        #expect(sim.records.allSatisfy { $0.classificationError != nil })
    }

    @Test("labels are sign(φ*) with 0 as +1; a replaced label is ±1 with equal odds, replaced with probability label_flip")
    func labelFlips() {
        #expect(Simulation.classLabel(0, zeta: 0.3, flip: 0) == 1)
        #expect(Simulation.classLabel(-1e-300, zeta: 0.3, flip: 0) == -1)
        // 200 000 ζ from one stream; with flip = 0.3, a positive teacher output gets −1 with
        // probability 0.15: the count's standard deviation is √(n·0.15·0.85) ≈ 160, so 5σ = 800.
        var normals = NormalStream(seed: 9, stream: .testSample, counter: 0)
        let n = 200_000
        var minus = 0
        for _ in 0..<n where Simulation.classLabel(2, zeta: normals.next(), flip: 0.3) == -1 { minus += 1 }
        #expect(abs(Double(minus) - 0.15 * Double(n)) < 800)
        // flip = 1: every label random, half of them −1 (σ ≈ 224, 5σ ≈ 1120).
        var all = 0
        for _ in 0..<n where Simulation.classLabel(2, zeta: normals.next(), flip: 1) == -1 { all += 1 }
        #expect(abs(Double(all) - 0.5 * Double(n)) < 1120)
    }

    @Test("a classification run learns the signs: its classification error falls well below the start")
    func classificationLearns() {
        let p = Self.classification(N: 100, testSet: 2000, tMax: 40)
        var sim = Simulation(parameters: p)
        sim.runToEnd()
        let first = sim.records.first!.classificationError!, last = sim.records.last!.classificationError!
        // A student started at random agrees with the teacher's sign about as often as chance
        // (K = M = 2 erf units: well above 10 % wrong); after t = 40 the sign is learnt to a few
        // per cent. Both margins are wide against the 2000-sample test set's ±1 % noise.
        #expect(first > 0.1)
        #expect(last < 0.5 * first)
        #expect(sim.divergence == nil && sim.earlyStop == nil)
    }

    @Test("a sparse teacher has round(s·N) zeros per row, keeps the dense teacher's other entries, and T measures it")
    func sparseTeacher() {
        var p = SimulationParameters(N: 400, M: 3, K: 2, tMax: 1, points: 5, seed: 7)
        let dense = Simulation.drawTeacher(p).weights
        p.teacherSparsity = 0.75
        let sim = Simulation(parameters: p)
        let sparse = sim.teacherWeights
        for m in 0..<3 {
            let row = sparse[(m * 400)..<((m + 1) * 400)]
            #expect(row.filter { $0 == 0 }.count == 300)
        }
        #expect(zip(dense, sparse).allSatisfy { $1 == 0 || $0 == $1 })
        // T = BBᵀ/N: each diagonal entry is a mean of 100 squared normals over 400 inputs, so
        // 0.25 ± 0.25·√(2/100) ≈ ±0.035; 5σ = 0.18 of its value.
        let T = sim.records[0].orderParameters.T
        for m in 0..<3 { #expect(abs(T[m * 3 + m] - 0.25) < 0.18 * 0.25) }
        #expect(T == Simulation.symmetricGram(sparse, rows: 3, n: 400))
        // The ODE starts from the teacher drawn (its T).
        #expect(ODEInitialConditions.drawn(for: p).T == T)
    }

    @Test("stop_below ends a run at the first record below it, with every record before it as the full run has them")
    func earlyStop() throws {
        var p = SimulationParameters(N: 60, M: 2, K: 2, noise: 0.01, tMax: 60, points: 50, seed: 2)
        var full = Simulation(parameters: p)
        full.runToEnd()
        let threshold = 0.5 * full.records[0].eg
        let firstBelow = try #require(full.records.firstIndex { $0.eg < threshold })
        p.stopBelow = threshold
        var stopped = Simulation(parameters: p)
        stopped.runToEnd()
        #expect(stopped.isFinished && stopped.divergence == nil)
        #expect(stopped.records == Array(full.records[...firstBelow]))
        let stop = try #require(stopped.earlyStop)
        #expect(stop.step == full.records[firstBelow].step && stop.eg == full.records[firstBelow].eg && stop.threshold == threshold)
        #expect(stopped.step == stop.step && stopped.step < stopped.totalSteps && stopped.progress == 1)
        // What the worker keeps carries the stop, and counts as complete.
        let kept = try SimulationRecords(snapshot: stopped.recordsSnapshot())
        #expect(kept.earlyStop == stop && kept.isComplete && kept.records == stopped.records)
        // A unit that stopped counts every step as done.
        #expect(UnitComputation(simulation: stopped).stepsDone == Int64(stopped.totalSteps))
    }

    /// A record as it was laid out before the classification errors (two `Double?`).
    struct RecordBefore {
        var step: Int, t: Double, eg: Double, orderParameters: OrderParameters, trainingError: Double?, monteCarloError: Double?
    }

    @Test("a record with the classification errors takes no more memory than one before them (the job limits count it)")
    func recordSize() {
        #expect(MemoryLayout<SimulationRecord>.stride == MemoryLayout<RecordBefore>.stride)
        var r = SimulationRecord(step: 1, t: 0.1, eg: 0.2, orderParameters: OrderParameters(K: 1, M: 1, Q: [1], R: [0], T: [1], v: [1], vstar: [1]))
        #expect(r.trainingError == nil && r.classificationError == nil && r == r)
        r.classificationError = 0.25
        #expect(r.classificationError == 0.25 && r != SimulationRecord(step: 1, t: 0.1, eg: 0.2, orderParameters: r.orderParameters))
    }

    @Test("store_weights: the result carries the final W and v, and the initial weights regenerate as the run drew them")
    func storedWeights() throws {
        var p = SimulationParameters(N: 70, M: 2, K: 3, trainSecondLayer: true, teacherSecondLayer: .random, tMax: 2, points: 5, seed: 3)
        p.storeWeights = true
        var sim = Simulation(parameters: p)
        let initial = InitialWeights(p)
        #expect(initial.studentWeights == sim.studentWeights && initial.teacherWeights == sim.teacherWeights
                && initial.studentSecondLayer == sim.studentSecondLayer && initial.teacherSecondLayer == sim.teacherSecondLayer)
        sim.runToEnd()
        let kept = try SimulationRecords(snapshot: sim.withoutWeights.recordsSnapshot())
        var flushed = sim
        flushed.applyPendingUpdate()
        #expect(kept.finalWeights == flushed.studentWeights && kept.finalSecondLayer == flushed.studentSecondLayer)
        // Q of the last record is W Wᵀ/N of those weights, computed by the same kernel: equal.
        #expect(Simulation.symmetricGram(kept.finalWeights!, rows: 3, n: 70) == kept.records.last!.orderParameters.Q)
        #expect(kept == SimulationRecords(sim))
    }

    @Test("full-batch descent: one step is the gradient over the whole training set, computed here by hand")
    func fullBatchStep() {
        let N = 5, K = 2
        var p = SimulationParameters(N: N, M: 1, K: K, learningRate: 0.5, secondLayerLearningRate: 0.3, noise: 0.1, weightDecay: 0.2,
                                     trainSecondLayer: true, teacherSecondLayer: .random, trainingSetRatio: 0.6, tMax: 2, points: 4, seed: 11)
        p.fullBatch = true
        p.batchSize = 3
        #expect(p.trainingSetSize == 3 && p.decodingProblem == nil)
        let start = InitialWeights(p)
        var sim = Simulation(parameters: p)
        for steps in 1...2 {
            var w: [Double] = { var c = sim; c.applyPendingUpdate(); return c.studentWeights }()
            var v = sim.studentSecondLayer
            if steps == 1 { #expect(w == start.studentWeights && v == start.studentSecondLayer) }
            sim.advance(maxSteps: 1)
            // By hand: every sample of the set, gradients at the weights before the step.
            var dw = [Double](repeating: 0, count: K * N), dv = [Double](repeating: 0, count: K)
            for b in 0..<3 {
                var normals = NormalStream(seed: 11, stream: .trainingSample, counter: UInt64(b))
                var x = [Double](repeating: 0, count: N)
                x.withUnsafeMutableBufferPointer { normals.fill($0.baseAddress!, count: N) }
                let y = Self.output(start.teacherWeights, start.teacherSecondLayer, .erf, x) + 0.1 * normals.next()
                let delta = y - Self.output(w, v, .erf, x)
                for k in 0..<K {
                    let lambda = (0..<N).reduce(0.0) { $0 + w[k * N + $1] * x[$1] } / Double(N).squareRoot()
                    for i in 0..<N { dw[k * N + i] += v[k] * Activation.erf.derivative(lambda) * delta * x[i] }
                    dv[k] += Activation.erf.value(lambda) * delta
                }
            }
            for i in 0..<(K * N) { w[i] = w[i] * (1 - 0.2 / Double(N)) + 0.5 / Double(N).squareRoot() / 3 * dw[i] }
            for k in 0..<K { v[k] = v[k] + 0.3 / Double(N) / 3 * dv[k] - 0.2 / Double(N) * v[k] }
            var flushed = sim
            flushed.applyPendingUpdate()
            // Same terms, summed in another order: 1e-13 absolute on entries of order 1.
            #expect(zip(w, flushed.studentWeights).allSatisfy { abs($0 - $1) < 1e-13 }, "step \(steps)")
            #expect(zip(v, flushed.studentSecondLayer).allSatisfy { abs($0 - $1) < 1e-13 }, "step \(steps)")
        }
        #expect(sim.step == 2)
    }

    @Test("runs with the new keys round-trip through work units; runs without keep the old format's bytes")
    func workUnitFormats() throws {
        var p = Self.classification(flip: 0.05)
        p.teacherSparsity = 0.1
        p.stopBelow = 0.01
        let unit = WorkUnit(.simulation(p))
        #expect(try WorkUnit(encoded: unit.encoded()) == unit)
        let old = WorkUnit(.simulation(SimulationParameters(N: 10, tMax: 1, points: 3)))
        let bytes = old.encoded()
        #expect(bytes[8] == 1)  // format version 1, as before the new keys
        var sim = Simulation(parameters: SimulationParameters(N: 10, tMax: 1, points: 3))
        sim.runToEnd()
        #expect(sim.snapshot()[8] == 2 && sim.recordsSnapshot()[8] == 1)
    }
}
