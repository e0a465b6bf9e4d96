import ArgumentParser
import Foundation
import SGDynCore

/// `sgdyn bench`: simulator speed against the C yardstick, printed as a table.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure simulator steps per second (single thread and two threads).",
        discussion: """
            Runs the full simulator (order parameters and recording included) for N ∈ {500, 1000, 10000} \
            × K ∈ {2, 8}, M = 2, erf, and two runs on two threads. With --yardstick, runs the C \
            yardstick (../shared/bench/sgd_limit.c) on the same configurations, interleaved, and \
            prints the ratio. Use a release build: `make bench` does all of this.
            """
    )

    @Option(help: "Path of the compiled C yardstick `sgd_limit`, to run beside each configuration.")
    var yardstick: String?

    @Option(help: "Seconds of work per measurement.")
    var seconds: Double = 1.0

    @Option(help: "Repetitions per configuration; the median is reported.")
    var repeats: Int = 3

    @Option(help: "Only these input dimensions (comma-separated).")
    var n: String = "500,1000,10000"

    @Option(help: "Only these student sizes (comma-separated).")
    var k: String = "2,8"

    @Flag(help: "Also measure the ODE integrators (erf, K = M = 2 and K = 8, M = 2, to t = 1000).")
    var ode = false

    func run() throws {
        let dimensions = n.split(separator: ",").compactMap { Int($0) }
        let studentSizes = k.split(separator: ",").compactMap { Int($0) }
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
                } else {
                    let b = median(theirs)
                    print("\(label)\(fmt(a, 13))\(fmt(b, 20))   \(String(format: "%.2f", a / b))x")
                }
            }
        }
        let single = SimulatorBenchmark.stepsPerSecond(N: 1000, K: 2, seconds: seconds)
        let pair = SimulatorBenchmark.twoThreadStepsPerSecond(N: 1000, K: 2, seconds: seconds)
        print("two runs on two threads, N=1000 K=2: \(fmt(pair, 0)) steps/s in all, \(String(format: "%.2f", pair / single))x one thread")
        if ode { ODEBenchmark.run().forEach { print($0) } }
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
