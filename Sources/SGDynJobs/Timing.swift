import Foundation

/// How long a job took; the only part of a result bundle that differs between two runs of the
/// same job (with the resume count).
public struct Timing: Sendable {
    public var startedAt: Date
    public var finishedAt: Date
    public var steps: Int
    public var resumes: Int

    public init(startedAt: Date, finishedAt: Date, steps: Int, resumes: Int = 0) {
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.steps = steps
        self.resumes = resumes
    }

    public var wallSeconds: Double { finishedAt.timeIntervalSince(startedAt) }

    /// The `timing` member of result.json.
    var document: ResultDocument.Timing {
        let iso = ISO8601DateFormatter()
        return ResultDocument.Timing(startedAt: iso.string(from: startedAt), finishedAt: iso.string(from: finishedAt),
                                     wallSeconds: (wallSeconds * 1000).rounded() / 1000, steps: steps,
                                     stepsPerSecond: wallSeconds > 0 ? (Double(steps) / wallSeconds).rounded() : 0, resumes: resumes)
    }
}
