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

    var json: JSONValue {
        let iso = ISO8601DateFormatter()
        return .object([
            ("started_at", .string(iso.string(from: startedAt))),
            ("finished_at", .string(iso.string(from: finishedAt))),
            ("wall_seconds", .double((wallSeconds * 1000).rounded() / 1000)),
            ("steps", .int(steps)),
            ("steps_per_second", .double(wallSeconds > 0 ? (Double(steps) / wallSeconds).rounded() : 0)),
            ("resumes", .int(resumes)),
        ])
    }
}
