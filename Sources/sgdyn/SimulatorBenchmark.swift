import ArgumentParser
import Foundation
import SGDynJobs
import SGDynCore

/// Measurements behind `sgdyn bench`: simulator steps per CPU second, ours and the C yardstick's.
enum SimulatorBenchmark {
    /// Steps per CPU second of one full simulation (erf, M = 2, η = 0.5, σ = 0.01, order parameters
    /// recorded as a typical job does) on the calling thread, run for about `seconds`.
    static func stepsPerSecond(N: Int, K: Int, seconds: Double, teacher: Activation = .erf, student: Activation = .erf) -> Double {
        var p = parameters(N: N, K: K, seconds: seconds)
        p.teacherActivation = teacher
        p.studentActivation = student
        var simulation = Simulation(parameters: p)
        let cpu = CPUClock.measure { simulation.runToEnd() }.seconds
        return Double(simulation.step) / cpu
    }

    /// Two simulations on two dedicated threads at once: the sum of their steps per CPU second
    /// (each thread's own CPU time), which falls short of twice one thread's rate by what they
    /// take from each other (caches, memory bandwidth).
    static func twoThreadStepsPerSecond(N: Int, K: Int, seconds: Double) -> Double {
        let p = parameters(N: N, K: K, seconds: seconds)
        let group = DispatchGroup()
        let rates = RateBox()
        for seed in 0..<2 {
            group.enter()
            let thread = Thread {
                var q = p
                q.seed = UInt64(seed)
                var simulation = Simulation(parameters: q)
                let cpu = CPUClock.measure { simulation.runToEnd() }.seconds
                rates.add(Double(simulation.step) / cpu)
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return rates.total
    }

    /// The two threads' rates, added under a lock.
    private final class RateBox: @unchecked Sendable {
        private let lock = NSLock()
        private var sum = 0.0
        func add(_ rate: Double) { lock.lock(); sum += rate; lock.unlock() }
        var total: Double { lock.lock(); defer { lock.unlock() }; return sum }
    }

    /// The C yardstick's steps per CPU second: the CPU time of a run of `steps` minus that of a
    /// run of one step (process start, allocation, drawing its weights), so both sides count the
    /// steps alone.
    static func yardstickStepsPerSecond(path: String, N: Int, K: Int, steps: Int) throws -> Double {
        let setup = try yardstickCPUSeconds(path: path, N: N, K: K, steps: 1)
        let total = try yardstickCPUSeconds(path: path, N: N, K: K, steps: steps)
        return Double(steps - 1) / max(total - setup, 1e-9)
    }

    /// Runs the yardstick once and returns its CPU time (it must print its `steps_per_s=` line).
    private static func yardstickCPUSeconds(path: String, N: Int, K: Int, steps: Int) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [String(N), String(K), "2", String(steps)]
        let pipe = Pipe()
        process.standardOutput = pipe
        let before = CPUClock.children()
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let cpu = CPUClock.children() - before
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0, text.contains("steps_per_s=") else {
            throw ValidationError("\(path) did not run as the yardstick (N K M STEPS → steps_per_s=…): \(text)")
        }
        return cpu
    }

    /// A run sized to take about `seconds` at a rough guess of the speed, recording as densely as
    /// a typical job does: 200 output times per 100·N steps (a short run with all 200 points would
    /// spend most of its time recording, which no real job does).
    static func parameters(N: Int, K: Int, seconds: Double) -> SimulationParameters {
        let guessStepsPerSecond = 2.4e8 / Double(N * (K + 2))
        let tMax = max(2000, guessStepsPerSecond * seconds) / Double(N)
        let points = max(2, Int((200 * tMax / 100).rounded()))
        return SimulationParameters(N: N, M: 2, K: K, learningRate: 0.5, noise: 0.01, tMax: tMax, points: points)
    }
}
