import Foundation
import SGDynCore

/// Runs a whole job in this process (`sgdyn run`, tests): every unit of `JobPlan` on threads, as
/// the daemon's workers run them, without checkpoints; then `JobResults` as for the daemon's
/// bundles. The two paths share everything from the units to the files.
public enum JobRunner {
    /// Why a job could not be run to the end.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// One line per unit that could not be computed.
        public var units: [String]
        public var description: String { units.joined(separator: "; ") }
    }

    /// Every unit's result, by its index in `JobPlan.units(of: spec)`.
    public static func results(_ spec: JobSpec, threads: Int, progress: (@Sendable (RunProgress) -> Void)? = nil) throws(Failure)
        -> [UnitResultEntry]
    {
        let planned = JobPlan.units(of: spec)
        let totalSteps = planned.reduce(0) { $0 + Int($1.totalSteps) }
        let units = planned.enumerated().map { index, unit in
            ThreadedUnit(id: Int64(index)) { try UnitComputation(unit.work, dataSet: try DataSetCache.dataSet(for: unit.work)) }
        }
        let start = ContinuousClock.now
        let state = Locked((results: [Int: UnitResult](), steps: 0, eg: Double?.none, failures: [String]()))
        UnitThreads(threads: threads).run(units) { event in
            switch event {
            case .progress(_, let steps, _, _, let eg):
                let report = state.withLock { shared -> RunProgress in
                    shared.steps += Int(steps)
                    shared.eg = eg ?? shared.eg
                    return RunProgress(stepsDone: shared.steps, stepsTotal: totalSteps, runsDone: shared.results.count,
                                       runsTotal: planned.count, elapsedSeconds: (ContinuousClock.now - start).seconds, latestError: shared.eg)
                }
                progress?(report)
            case .finished(let id, let computation):
                // Only the records are kept: a finished simulation's weights go now.
                let result = UnitResult(computation)
                state.withLock { $0.results[Int(id)] = result }
            case .failed(let id, let message):
                state.withLock { $0.failures.append("unit \(id): \(message)") }
            case .started, .checkpoint, .stopped:
                break
            }
        }
        let (results, failures) = state.withLock { ($0.results, $0.failures) }
        guard failures.isEmpty else { throw Failure(units: failures) }
        return planned.enumerated().map { index, unit in
            UnitResultEntry(kind: unit.kind, pointIndex: unit.pointIndex, seed: unit.seed, result: results[index])
        }
    }

    /// The job's simulations and ODE integrations, as `JobResults.outcomes` gives them.
    public static func run(_ spec: JobSpec, threads: Int, progress: (@Sendable (RunProgress) -> Void)? = nil) throws(Failure)
        -> (runs: [RunOutcome], odes: [ODEOutcome])
    {
        JobResults.outcomes(spec: spec, units: try results(spec, threads: threads, progress: progress))
    }
}
