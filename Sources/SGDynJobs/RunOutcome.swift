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

    public init(pointIndex: Int, seed: UInt64, records: [SimulationRecord], steps: Int, divergence: Divergence? = nil) {
        self.pointIndex = pointIndex
        self.seed = seed
        self.records = records
        self.steps = steps
        self.divergence = divergence
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
