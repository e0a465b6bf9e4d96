import ArgumentParser
import Foundation
import SGDynJobs
import SGDynCore

/// Measurements behind `sgdyn bench`.
enum SimulatorBenchmark {
    /// Steps per second of one full simulation (erf, M = 2, η = 0.5, 200 output points) on the
    /// calling thread, run for about `seconds`.
    static func stepsPerSecond(N: Int, K: Int, seconds: Double) -> Double {
        var simulation = Simulation(parameters: parameters(N: N, K: K, seconds: seconds))
        let clock = ContinuousClock()
        let start = clock.now
        simulation.runToEnd()
        let elapsed = clock.now - start
        return Double(simulation.step) / elapsed.seconds
    }

    /// Total steps per second of two simulations on two dedicated threads.
    static func twoThreadStepsPerSecond(N: Int, K: Int, seconds: Double) -> Double {
        let p = parameters(N: N, K: K, seconds: seconds)
        let group = DispatchGroup()
        let clock = ContinuousClock()
        let start = clock.now
        for seed in 0..<2 {
            group.enter()
            let thread = Thread {
                var q = p
                q.seed = UInt64(seed)
                var simulation = Simulation(parameters: q)
                simulation.runToEnd()
                group.leave()
            }
            thread.start()
        }
        group.wait()
        let elapsed = clock.now - start
        return Double(2 * p.totalSteps) / elapsed.seconds
    }

    /// Runs the C yardstick and parses its `steps_per_s=` line.
    static func yardstickStepsPerSecond(path: String, N: Int, K: Int, steps: Int) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [String(N), String(K), "2", String(steps)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("steps_per_s=") }),
              let value = Double(line.dropFirst("steps_per_s=".count)) else {
            throw ValidationError("could not read steps_per_s from \(path): \(text)")
        }
        return value
    }

    /// A run sized to take about `seconds` at a rough guess of the speed, recording as densely as
    /// a typical job does: 200 output times per 100·N steps (a short run with all 200 points would
    /// spend most of its time recording, which no real job does).
    private static func parameters(N: Int, K: Int, seconds: Double) -> SimulationParameters {
        let guessStepsPerSecond = 2.4e8 / Double(N * (K + 2))
        let tMax = max(2000, guessStepsPerSecond * seconds) / Double(N)
        let points = max(2, Int((200 * tMax / 100).rounded()))
        return SimulationParameters(N: N, M: 2, K: K, learningRate: 0.5, noise: 0.01, tMax: tMax, points: points)
    }
}
