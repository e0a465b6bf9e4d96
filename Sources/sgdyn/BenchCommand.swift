import ArgumentParser
import Foundation
import SGDynCore

/// `sgdyn bench`: simulator (and with --ode, ODE) speed, against the C yardstick when given,
/// ending with the rows of issue 12's table.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure simulator steps per second and, with --ode, ODE integration times.",
        discussion: """
            Runs the full simulator (order parameters and recording included) for N ∈ {500, 1000, 10000} \
            × K ∈ {2, 8}, M = 2, erf, in steps per CPU second of one thread, and two runs on two threads. \
            With --yardstick, runs the compiled C yardstick (sgd_limit.c) on the same configurations, \
            interleaved, and prints the ratio of CPU-time rates. With --ode, also times ODE integrations \
            (ReLU K = 2, 4, 8; erf K = 8, 16, 32). Ends with the rows of issue 12's table. Use a release \
            build: `make bench` does all of this.
            """
    )

    @Option(help: "Path of the compiled C yardstick `sgd_limit`, to run beside each configuration.")
    var yardstick: String?

    @Option(help: "Seconds of work per measurement.")
    var seconds: Double = 1.0

    @Option(help: "Repetitions per configuration; the median is reported.")
    var repeats: Int = 3

    @Option(help: "Only these input dimensions (comma-separated; empty: no simulator rows).")
    var n: String = "500,1000,10000"

    @Option(help: "Only these student sizes (comma-separated).")
    var k: String = "2,8"

    @Flag(help: "Also time the simulator with every activation at N = 1000, K = M = 2, against erf (issue 20: within 1.5×).")
    var activations = false

    @Flag(help: "Also time ODE integrations (ReLU K = 2, 4, 8; erf K = 8, 16, 32) and the integrators' accuracy.")
    var ode = false

    @Flag(name: .customLong("ode-pairs"),
          help: "Also time ODE integrations of the general pairs (issue 20): CPU seconds and per right-hand side.")
    var odePairs = false

    @Option(name: .customLong("ode-pairs-only"),
            help: "With --ode-pairs: only the rows whose label contains this text (e.g. \"tanh student\").")
    var odePairsOnly: String = ""

    func run() throws {
        var summary: [(String, String, String)] = []
        let dimensions = n.split(separator: ",").compactMap { Int($0) }
        let studentSizes = k.split(separator: ",").compactMap { Int($0) }
        if !dimensions.isEmpty {
            print("simulator: erf, M=2, η=0.5, σ=0.01; steps per CPU second of one thread (median of \(repeats))")
            print("config            sgdyn steps/s   yardstick steps/s   ratio")
            for N in dimensions {
                for K in studentSizes {
                    var ours: [Double] = [], theirs: [Double] = []
                    for _ in 0..<repeats {
                        ours.append(SimulatorBenchmark.stepsPerSecond(N: N, K: K, seconds: seconds))
                        if let yardstick {
                            let steps = max(1000, Int(ours.last! * seconds))
                            theirs.append(try SimulatorBenchmark.yardstickStepsPerSecond(path: yardstick, N: N, K: K, steps: steps))
                        }
                    }
                    let a = median(ours)
                    let label = "N=\(N) K=\(K) M=2".padding(toLength: 18, withPad: " ", startingAt: 0)
                    if theirs.isEmpty {
                        print("\(label)\(fmt(a, 13))")
                        summary.append(("simulation N=\(N), K=\(K), M=2, erf", "\(fmt(a, 0)) steps/s", "goal ≥ 1.2× yardstick"))
                    } else {
                        let b = median(theirs), ratio = String(format: "%.2f", a / b) + "x"
                        print("\(label)\(fmt(a, 13))\(fmt(b, 20))   \(ratio)")
                        summary.append(("simulation N=\(N), K=\(K), M=2, erf, vs the yardstick", ratio, "goal ≥ 1.2×"))
                    }
                }
            }
            let single = SimulatorBenchmark.stepsPerSecond(N: 1000, K: 2, seconds: seconds)
            let pair = SimulatorBenchmark.twoThreadStepsPerSecond(N: 1000, K: 2, seconds: seconds)
            print("two runs on two threads at once, N=1000 K=2: \(fmt(pair, 0)) steps per CPU second in all, "
                  + "\(String(format: "%.2f", pair / single))x one thread alone")
        }
        if activations {
            print("")
            print("simulator, N=1000 K=M=2, each activation for teacher and student (sign and hermite6, a degree-6 Hermite expansion: teacher, erf student); steps per CPU second, median of \(repeats)")
            let erf = median((0..<repeats).map { _ in SimulatorBenchmark.stepsPerSecond(N: 1000, K: 2, seconds: seconds) })
            var worst = 1.0
            // The named activations, then a degree-6 Hermite expansion as teacher (Horner's rule).
            let expansion = Activation.hermite(HermiteExpansion(coefficients: [0.1, 0.5, -0.3, 0.7, 0, 0, 0.1]))
            for g in Activation.allCases + [expansion] {
                let student = g.declaration.studentAllowed ? g : .erf
                let rate = median((0..<repeats).map { _ in
                    SimulatorBenchmark.stepsPerSecond(N: 1000, K: 2, seconds: seconds, teacher: g, student: student)
                })
                worst = max(worst, erf / rate)
                print("\((g.isHermiteExpansion ? "hermite6" : g.rawValue).padding(toLength: 12, withPad: " ", startingAt: 0))\(fmt(rate, 13))   erf/this \(String(format: "%.2f", erf / rate))")
            }
            summary.append(("simulation N=1000, K=M=2, slowest activation vs erf", String(format: "%.2f×", worst), "goal ≤ 1.5× (issue 20)"))
        }
        if ode {
            print("")
            print("ODE: adaptive (rtol 1e-8), η as given, σ=0.01, start drawn with N=500 seed 0; CPU seconds, best of 3")
            for row in ODEBenchmark.rows {
                let m = ODEBenchmark.measure(row, repeats: 3)
                print(ODEBenchmark.describe(m))
                if let goal = issueGoal(row) {
                    let measured = m.result == nil ? "failed" : String(format: "%.3f s", m.seconds)
                    summary.insert(("ODE, \(row.label), η=\(ODEBenchmark.format(row.learningRate)), t_max=\(String(format: "%g", row.tMax))",
                                    measured, "goal \(goal)"), at: summary.firstIndex { $0.0.hasPrefix("simulation") } ?? summary.count)
                }
            }
            print("")
            ODEBenchmark.accuracy().forEach { print($0) }
        }
        if odePairs {
            print("")
            print("ODE, general pairs (ODERightHandSide+General; ReLU student with a polynomial teacher: +ReLUPolynomial; smooth students: JointGaussianQuadrature, KinkedTeacherQuadrature, beyond the joint rule's sizes ConditionalPairQuadrature): adaptive (rtol 1e-8), σ=0.01, start drawn with N=500 seed 0; CPU seconds, best of 3")
            for row in ODEBenchmark.pairRows where odePairsOnly.isEmpty || ODEBenchmark.describe(ODEBenchmark.Measurement(row: row, seconds: 0, result: nil, error: nil)).contains(odePairsOnly) {
                let m = ODEBenchmark.measure(row, repeats: 3)
                print(ODEBenchmark.describe(m))
                let measured = m.result == nil ? "failed" : String(format: "%.3f s", m.seconds)
                summary.append(("ODE, \(row.label), η=\(ODEBenchmark.format(row.learningRate)), t_max=\(String(format: "%g", row.tMax))",
                                measured, row.note.isEmpty ? "issue 20" : row.note))
            }
        }
        if !summary.isEmpty {
            print("")
            print("issue 12 (the inbox pickup row: make bench-daemon)")
            for (workload, measured, goal) in summary {
                print("  \(workload.padding(toLength: 66, withPad: " ", startingAt: 0)) \(measured.padding(toLength: 18, withPad: " ", startingAt: 0)) \(goal)")
            }
        }
    }

    /// The goal issue 12 sets for an ODE row, if it is one of its rows.
    private func issueGoal(_ row: ODEBenchmark.Row) -> String? {
        if row.teacher == .relu, row.activation == .erf, row.K == 2 { return "≤ 0.3 s (issue 20)" }
        if row.teacher != nil { return "issue 20: ≤ 20 s for any smooth pair at K = M = 4" }
        switch (row.activation, row.K, row.learningRate) {
        case (.relu, 2, 0.5): return "keep (0.39 s before)"
        case (.relu, 4, 0.5): return "≤ 0.5 s"
        case (.relu, 8, 0.5): return "≤ 10 s, aim ≤ 2 s (t_max=1000 in the issue; it diverges)"
        case (.erf, 8, 0.5): return "keep (0.22 s before)"
        default: return nil
        }
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    private func fmt(_ value: Double, _ width: Int) -> String {
        String(format: "%.0f", value).leftPadded(to: width)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
