import Foundation
import SGDynCore
import Synchronization

/// The outcome of one simulation run of a job.
public struct RunOutcome: Sendable {
    public var pointIndex: Int
    public var seed: UInt64
    public var records: [SimulationRecord]
    public var steps: Int

    public init(pointIndex: Int, seed: UInt64, records: [SimulationRecord], steps: Int) {
        self.pointIndex = pointIndex
        self.seed = seed
        self.records = records
        self.steps = steps
    }
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

/// Runs all of a job's simulations in the foreground (`sgdyn run`), without checkpoints.
public enum SimulationRunner {
    /// Runs every run of `spec` and returns the outcomes in run order (point-major, then seed).
    /// `progress` is called from worker threads; keep it cheap.
    public static func run(_ spec: JobSpec, threads: Int, progress: (@Sendable (RunProgress) -> Void)? = nil) -> [RunOutcome] {
        let runs = spec.runs
        let totalSteps = runs.reduce(0) { $0 + $1.parameters.totalSteps }
        let units = runs.enumerated().map { index, run in
            UnitWork(id: Int64(index)) { Simulation(parameters: run.parameters) }
        }
        let start = ContinuousClock.now
        // A finished run keeps only its records and step count: its weights and the teacher's go
        // at once, so the job holds what validation counted (`JobLimits.maxJobRecordBytes`).
        let state = Mutex((finished: [Int64: (records: [SimulationRecord], steps: Int)](), steps: 0, eg: Double?.none))
        UnitExecutor(threads: threads).run(units) { event in
            switch event {
            case .progress(_, let steps, let eg):
                let report = state.withLock { shared -> RunProgress in
                    shared.steps += steps
                    shared.eg = eg ?? shared.eg
                    return RunProgress(stepsDone: shared.steps, stepsTotal: totalSteps, runsDone: shared.finished.count,
                                       runsTotal: runs.count, elapsedSeconds: (ContinuousClock.now - start).seconds,
                                       latestError: shared.eg)
                }
                progress?(report)
            case .finished(let id, let simulation):
                state.withLock { $0.finished[id] = (simulation.records, simulation.step) }
            case .started, .checkpoint, .stopped:
                break
            }
        }
        let finished = state.withLock { $0.finished }
        return runs.enumerated().map { index, run in
            let done = finished[Int64(index)] ?? ([], 0)
            return RunOutcome(pointIndex: run.point.index, seed: run.seed, records: done.records, steps: done.steps)
        }
    }
}
