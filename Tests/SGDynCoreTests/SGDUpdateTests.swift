import Testing
@testable import SGDynCore

/// The update rule is the specification (science.md §2): w_k += (η/√N)·v_k g'(λ_k) Δ x, which is
/// −η·∂L/∂w_k because ∂λ_k/∂w_k = x/√N (the "(η/√N)·∂L/∂w_k" counts that 1/√N in the rate);
/// and v_k += (η_v/N)·g(λ_k) Δ = −(η_v/N)·∂L/∂v_k. Plus weight decay; L is the mini-batch loss.
@Suite("SGD update")
struct SGDUpdateTests {
    /// The samples and labels of `step`, regenerated from the documented draw order.
    static func batch(_ p: SimulationParameters, step: Int, teacher: [Double], vstar: [Double]) -> [(x: [Double], y: Double)] {
        var normals = NormalStream(seed: p.seed, stream: .step, counter: UInt64(step))
        return (0..<p.batchSize).map { _ in
            var x = [Double](repeating: 0, count: p.N)
            x.withUnsafeMutableBufferPointer { normals.fill($0.baseAddress!, count: p.N) }
            let zeta = normals.next()
            let y = output(teacher, vstar, x, p.teacherActivation, rows: p.M) + p.noise * zeta
            return (x, y)
        }
    }

    static func output(_ w: [Double], _ v: [Double], _ x: [Double], _ g: Activation, rows: Int) -> Double {
        let n = x.count
        var phi = 0.0
        for k in 0..<rows {
            var s = 0.0
            for i in 0..<n { s += w[k * n + i] * x[i] }
            phi += v[k] * g.value(s / Double(n).squareRoot())
        }
        return phi
    }

    /// L(W, v) = (1/B) Σ_b ½ (y_b − φ(x_b))².
    static func loss(_ w: [Double], _ v: [Double], _ samples: [(x: [Double], y: Double)], _ p: SimulationParameters) -> Double {
        samples.reduce(0) { sum, s in
            let d = s.y - output(w, v, s.x, p.studentActivation, rows: p.K)
            return sum + 0.5 * d * d
        } / Double(samples.count)
    }

    @Test("a step moves W and v by −rate × gradient of the mini-batch loss (central differences)",
          arguments: [
              (Activation.erf, Activation.erf, 1, false, 0.0),
              (.linear, .erf, 1, true, 0.0),
              (.relu, .relu, 3, true, 0.0),
              (.erf, .linear, 2, false, 0.3),
              (.relu, .erf, 1, true, 0.7),
              // Polynomial students (docs/measurements.md, the He₃ comparison): g' = (3x² − 3)/√6
              // is checked here through the loss alone.
              (.he3, .he3, 1, true, 0.0),
              (.he2, .he3, 2, false, 0.3),
          ])
    func updateIsGradientStep(teacher: Activation, student: Activation, batch: Int, trainV: Bool, decay: Double) {
        let p = SimulationParameters(N: 40, M: 2, K: 3, teacherActivation: teacher, studentActivation: student,
                                     learningRate: 0.7, secondLayerLearningRate: 0.3, noise: 0.2, weightDecay: decay,
                                     batchSize: batch, trainSecondLayer: trainV, tMax: 1, points: 2, seed: 5)
        var sim = Simulation(parameters: p)
        sim.advance(maxSteps: 3)  // start from a generic point, not the initial draw
        sim.applyPendingUpdate()
        let w0 = sim.studentWeights, v0 = sim.studentSecondLayer
        let samples = Self.batch(p, step: sim.step, teacher: sim.teacherWeights, vstar: sim.teacherSecondLayer)
        sim.advance(maxSteps: 1)
        sim.applyPendingUpdate()
        let N = Double(p.N), h = 1e-5
        // Central differences are exact to O(h²·L''') ≈ 1e-10 here; 1e-7 relative leaves room for rounding.
        for j in w0.indices {
            var plus = w0, minus = w0
            plus[j] += h
            minus[j] -= h
            let gradient = (Self.loss(plus, v0, samples, p) - Self.loss(minus, v0, samples, p)) / (2 * h)
            let expected = w0[j] * (1 - decay / N) - p.learningRate * gradient
            #expect(abs(sim.studentWeights[j] - expected) <= 1e-7 * max(1e-3, abs(expected - w0[j])), "W[\(j)]")
        }
        for k in v0.indices {
            var plus = v0, minus = v0
            plus[k] += h
            minus[k] -= h
            let gradient = (Self.loss(w0, plus, samples, p) - Self.loss(w0, minus, samples, p)) / (2 * h)
            let expected = trainV ? v0[k] - p.secondLayerLearningRate / N * gradient - decay / N * v0[k] : v0[k]
            #expect(abs(sim.studentSecondLayer[k] - expected) <= 1e-9 * max(1e-3, abs(v0[k])), "v[\(k)]")
        }
    }
}
