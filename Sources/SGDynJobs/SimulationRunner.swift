import Foundation
import SGDynCore
import Synchronization

/// The outcome of one simulation run of a job.
public struct RunOutcome: Sendable {
    public var pointIndex: Int
    public var seed: UInt64
    public var records: [SimulationRecord]
    public var steps: Int
    public var wallSeconds: Double
}

/// Progress of a set of runs, for progress lines and ETAs.
public struct RunProgress: Sendable {
    public var stepsDone: Int
    public var stepsTotal: Int
    public var runsDone: Int
    public var runsTotal: Int
    public var elapsedSeconds: Double
    /// Latest ε_g seen in any running simulation.
    public var latestError: Double?

    public var fraction: Double { stepsTotal == 0 ? 1 : Double(stepsDone) / Double(stepsTotal) }
    public var stepsPerSecond: Double { elapsedSeconds > 0 ? Double(stepsDone) / elapsedSeconds : 0 }
    public var etaSeconds: Double? { stepsDone > 0 ? elapsedSeconds * Double(stepsTotal - stepsDone) / Double(stepsDone) : nil }
}

/// Runs a job's simulations in the foreground: one simulation per dedicated thread (never on the
/// Swift cooperative pool, which long CPU loops would starve), at most `threads` at a time.
public enum SimulationRunner {
    /// Runs every run of `spec` and returns the outcomes in run order (point-major, then seed).
    /// `progress` is called from a worker thread after every chunk of steps; keep it cheap.
    public static func run(_ spec: JobSpec, threads: Int, progress: (@Sendable (RunProgress) -> Void)? = nil) -> [RunOutcome] {
        let runs = spec.runs
        let pointIndices = runs.map(\.point.index)
        let parameters = runs.map(\.parameters)
        let totalSteps = parameters.reduce(0) { $0 + $1.totalSteps }
        let state = Mutex(SharedState(outcomes: Array(repeating: nil, count: runs.count)))
        let start = ContinuousClock.now
        let group = DispatchGroup()
        for _ in 0..<max(1, min(threads, runs.count)) {
            group.enter()
            let thread = Thread {
                while let index = state.withLock({ $0.claimNext(count: runs.count) }) {
                    let runStart = ContinuousClock.now
                    var simulation = Simulation(parameters: parameters[index])
                    let chunk = chunkSteps(parameters[index])
                    while !simulation.isFinished {
                        let done = simulation.advance(maxSteps: chunk)
                        let report = state.withLock { shared in
                            shared.stepsDone += done
                            shared.latestError = simulation.records.last?.eg
                            return shared.progress(totalSteps: totalSteps, runs: runs.count, since: start)
                        }
                        progress?(report)
                    }
                    let outcome = RunOutcome(pointIndex: pointIndices[index], seed: parameters[index].seed,
                                             records: simulation.records, steps: simulation.step,
                                             wallSeconds: (ContinuousClock.now - runStart).seconds)
                    state.withLock {
                        $0.outcomes[index] = outcome
                        $0.runsDone += 1
                    }
                }
                group.leave()
            }
            thread.stackSize = 1 << 22
            thread.start()
        }
        group.wait()
        return state.withLock { $0.outcomes.map { $0! } }
    }

    /// Steps per call to `advance`: about 20 M multiply–adds, a few milliseconds.
    static func chunkSteps(_ p: SimulationParameters) -> Int {
        max(1, 20_000_000 / (p.N * (p.K + p.M) * p.batchSize))
    }

    private struct SharedState: Sendable {
        var outcomes: [RunOutcome?]
        var next = 0
        var stepsDone = 0
        var runsDone = 0
        var latestError: Double?

        mutating func claimNext(count: Int) -> Int? {
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }

        func progress(totalSteps: Int, runs: Int, since start: ContinuousClock.Instant) -> RunProgress {
            RunProgress(stepsDone: stepsDone, stepsTotal: totalSteps, runsDone: runsDone, runsTotal: runs,
                        elapsedSeconds: (ContinuousClock.now - start).seconds, latestError: latestError)
        }
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
