import Foundation
import SGDynStore

/// A fresh folder for one test's database (and its identity file), removed when the test is done.
final class TemporaryDatabase {
    let folder: URL
    var path: String { folder.appendingPathComponent("jobs.sqlite").path }
    var identityFile: String { folder.appendingPathComponent("store-id").path }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// The store, opened as the daemon opens it (with its identity file).
    func open() throws -> JobStore { try JobStore.open(at: path, identityFile: identityFile) }

    deinit { try? FileManager.default.removeItem(at: folder) }
}

/// A job with `unitCount` simulation units of 1000 steps, distinguishable by `tag`.
func sampleJob(
    _ tag: String, priority: Int = 0, submittedAt: Date = Date(timeIntervalSince1970: 1_700_000_000), unitCount: Int = 2
) -> NewJob {
    NewJob(
        name: tag, bundleName: tag, priority: priority, submittedAt: submittedAt,
        claimedName: "1.\(tag)-\(tag).json", jobBytes: Array("{\"name\":\"\(tag)\"}".utf8),
        spec: Array("{\"stored\":\"\(tag)\"}".utf8),
        units: (0..<unitCount).map { NewUnit(kind: .simulation, pointIndex: 0, seed: UInt64($0), spec: [UInt8($0)], totalSteps: 1000) })
}

extension InsertOutcome {
    /// The inserted job's id; a duplicate here is a test failure.
    func insertedID() throws -> JobID {
        guard case let .inserted(id) = self else { throw UnexpectedOutcome(description: "expected an insert, got \(self)") }
        return id
    }
}

extension JobStore {
    /// Hands every runnable unit of a job to a submission of one task, as the local executor does.
    @discardableResult
    func startRun(_ job: JobID, executor: String = "local") async throws -> (SubmissionID, RunStart) {
        let units = try await runnableUnits(of: job).map(\.id)
        return try await beginSubmission(job, executor: executor, token: "test-\(UUID().uuidString)", tasks: [units])
    }
}

struct UnexpectedOutcome: Error, CustomStringConvertible {
    var description: String
}
