import Foundation
import SGDynCore

/// Speed and accuracy of the ODE integrators, behind `sgdyn bench --ode`: erf, η = 0.5,
/// σ = 0.01, K = M = 2 and K = 8, M = 2, from the initial conditions a simulation with N = 1000
/// and seed 0 draws, to t = 1000 at 200 log-spaced output times; `adaptive` (rtol 1e-8) and
/// `euler` (dt = 0.01), on the calling thread. The error reached is measured against
/// `adaptive` at rtol 1e-12, whose own ε_g error is ≈ 1e-9 relative.
enum ODEBenchmark {
    /// Targets of issue 3: adaptive wall time, and Euler at least 3× faster per step than the
    /// reference code (≈ 3.8 µs per step for K = M = 2, ≈ 130 µs for K = 8, M = 2).
    static let adaptiveTargetSeconds = [2: 0.02, 8: 0.3]
    static let eulerTargetMicroseconds = [2: 3.8 / 3, 8: 130.0 / 3]

    static func run() -> [String] {
        var lines: [String] = []
        for K in [2, 8] {
            let simulation = SimulationParameters(N: 1000, M: 2, K: K, learningRate: 0.5, noise: 0.01, tMax: 1000, seed: 0)
            let initial = ODEInitialConditions.drawn(for: simulation)
            guard let parameters = try? ODEParameters(simulation: simulation),
                  let reference = try? ODE.integrate(parameters, from: initial, tMax: 1000, points: 200,
                                                     method: .adaptive(rtol: 1e-12, atol: 1e-16)) else {
                return lines + ["ODE benchmark: could not set up K = \(K)"]
            }
            lines.append("ODE erf K=\(K) M=2 to t=1000 (η=0.5, σ=0.01, start drawn with N=1000, seed 0; final ε_g \(format(reference.finalRecord!.eg)))")
            for method in [ODEMethod.standard, .euler(dt: 0.01)] {
                // Best of three (Euler K = 8 takes seconds: once).
                let repeats = method == .standard || K == 2 ? 3 : 1
                var best = Double.infinity
                var result: ODEResult?
                for _ in 0..<repeats {
                    let start = ContinuousClock.now
                    result = try? ODE.integrate(parameters, from: initial, tMax: 1000, points: 200, method: method)
                    best = min(best, inSeconds(ContinuousClock.now - start))
                }
                guard let result else { lines.append("  \(method.name): failed"); continue }
                lines.append(describe(result, seconds: best, reference: reference, K: K))
            }
        }
        return lines
    }

    private static func describe(_ result: ODEResult, seconds: Double, reference: ODEResult, K: Int) -> String {
        let s = result.statistics
        var worst = (relative: 0.0, t: 0.0)
        for (a, b) in zip(result.records, reference.records) {
            let relative = abs(a.eg - b.eg) / b.eg
            if relative > worst.relative { worst = (relative, a.t) }
        }
        let final = abs(result.finalRecord!.eg - reference.finalRecord!.eg) / reference.finalRecord!.eg
        let perEvaluation = seconds / Double(s.rhsEvaluations) * 1e6
        let work: String, target: String
        switch s.method {
        case .adaptive(let rtol, _):
            work = "rtol \(format(rtol)): \(format(seconds)) s, \(s.steps) steps (\(s.rejectedSteps) rejected), "
                + "\(s.rhsEvaluations) rhs evaluations (\(format(perEvaluation)) µs each)"
            let limit = adaptiveTargetSeconds[K]!
            target = "target ≤ \(format(limit)) s: \(seconds <= limit ? "met" : "NOT MET")"
        case .euler(let dt), .rk4(let dt):
            let perStep = seconds / Double(s.steps) * 1e6
            work = "dt \(format(dt)): \(format(seconds)) s, \(s.steps) steps, \(format(perStep)) µs per step, "
                + "\(s.rhsEvaluations) rhs evaluations"
            let limit = eulerTargetMicroseconds[K]!
            target = "target ≤ \(format(limit)) µs per step: \(perStep <= limit ? "met" : "NOT MET")"
        }
        return "  \(s.method.name) \(work); ε_g error vs rtol 1e-12: largest \(format(worst.relative)) relative at "
            + "t = \(format(worst.t)), final \(format(final)); own estimate \(format(s.errorEstimate)); \(target)"
    }

    private static func format(_ x: Double) -> String { String(format: "%.3g", x) }

    private static func inSeconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
