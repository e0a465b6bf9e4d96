import Testing
@testable import SGDynCore

@Suite("Finite training sets and Monte-Carlo test sets")
struct TrainingSetTests {
    @Test("each epoch is a permutation of the whole training set, and epochs differ")
    func epochsArePermutations() {
        let a = Simulation.shuffledIndices(count: 1000, seed: 3, epoch: 0)
        let b = Simulation.shuffledIndices(count: 1000, seed: 3, epoch: 1)
        #expect(a.sorted() == Array(0..<1000) && b.sorted() == Array(0..<1000))
        #expect(a != b && a != Array(0..<1000))
    }

    @Test("the recorded training error is ½·mean (y − φ)² over the set's regenerated samples")
    func trainingErrorIsTheSetAverage() {
        let p = SimulationParameters(N: 30, M: 2, K: 2, noise: 0.3, trainingSetRatio: 2, tMax: 3, points: 4, seed: 8)
        var sim = Simulation(parameters: p)
        sim.runToEnd()
        let samples = (0..<60).map { index -> (x: [Double], y: Double) in
            var normals = NormalStream(seed: 8, stream: .trainingSample, counter: UInt64(index))
            var x = [Double](repeating: 0, count: 30)
            x.withUnsafeMutableBufferPointer { normals.fill($0.baseAddress!, count: 30) }
            let zeta = normals.next()
            return (x, SGDUpdateTests.output(sim.teacherWeights, sim.teacherSecondLayer, x, .erf, rows: 2) + 0.3 * zeta)
        }
        let direct = SGDUpdateTests.loss(sim.studentWeights, sim.studentSecondLayer, samples, p)
        // Same sums in a different order: agreement to rounding.
        #expect(abs(sim.records.last!.trainingError! - direct) < 1e-12 * direct)
    }

    @Test("a small training set is overfitted: training error well below the generalisation error")
    func overfitting() {
        let p = SimulationParameters(N: 100, M: 1, K: 4, studentActivation: .erf, learningRate: 0.5, noise: 0.5,
                                     trainSecondLayer: true, teacherSecondLayer: .ones, trainingSetRatio: 0.5, tMax: 200,
                                     points: 10, seed: 1)
        var sim = Simulation(parameters: p)
        sim.runToEnd()
        let last = sim.records.last!
        // 50 samples, 404 parameters: the student can fit the noisy labels; ε_t ≪ ε_g.
        #expect(last.trainingError! < 0.5 * last.eg, "ε_t = \(last.trainingError!), ε_g = \(last.eg)")
    }

    @Test("the Monte-Carlo ε_g on a fixed test set agrees with the analytic ε_g")
    func monteCarloAgrees() {
        for (teacher, student) in [(Activation.erf, Activation.relu), (.linear, .erf)] {
            let p = SimulationParameters(N: 50, M: 2, K: 3, teacherActivation: teacher, studentActivation: student,
                                         tMax: 1, points: 3, seed: 2, monteCarloTestSize: 40_000)
            var sim = Simulation(parameters: p)
            sim.runToEnd()
            let r = sim.records.last!
            // For ε = ½(φ − φ*)², the relative standard error of a 40 000-sample mean is about
            // √(Var ε)/ε/200 ≲ 1.5 %; a 7 % band is > 4.5 standard errors.
            #expect(abs(r.monteCarloError! / r.eg - 1) < 0.07, "\(teacher)–\(student): MC \(r.monteCarloError!), analytic \(r.eg)")
        }
    }
}
