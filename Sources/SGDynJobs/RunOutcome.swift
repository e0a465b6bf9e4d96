import Foundation
import SGDynCore

/// The outcome of one simulation run of a job.
public struct RunOutcome: Sendable {
    public var pointIndex: Int
    public var seed: UInt64
    /// The finite records (all of them up to t_max unless the run diverged or was stopped).
    public var records: [SimulationRecord]
    public var steps: Int
    /// Set when the run diverged: it stopped at `divergence.step`, and `records` end before it.
    public var divergence: Divergence?
    /// Set when the run ended early below `stop_below`: its last record is its final value.
    public var earlyStop: EarlyStop?
    /// With `store_weights`: the student's W (K×N) and v where the run ended.
    public var finalWeights: [Double]?
    public var finalSecondLayer: [Double]?

    public init(pointIndex: Int, seed: UInt64, records: [SimulationRecord], steps: Int, divergence: Divergence? = nil,
                earlyStop: EarlyStop? = nil) {
        self.pointIndex = pointIndex
        self.seed = seed
        self.records = records
        self.steps = steps
        self.divergence = divergence
        self.earlyStop = earlyStop
    }

    /// Whether the run ended normally (at t_max, or early below `stop_below`) rather than by
    /// divergence or cancellation: its last record is then its final value, and it counts in
    /// the means. Runs that stopped early count with the value they stopped at.
    public func isFinished(totalSteps: Int) -> Bool {
        divergence == nil && (steps >= totalSteps || earlyStop != nil)
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
