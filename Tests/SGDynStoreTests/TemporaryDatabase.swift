import Foundation
import SGDynStore

/// A fresh folder for one test's database, removed when the test is done with it.
final class TemporaryDatabase {
    let folder: URL
    var path: String { folder.appendingPathComponent("jobs.sqlite").path }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }
}

/// A job with `unitCount` units of 1000 steps, distinguishable by `tag`.
func sampleJob(
    _ tag: String, priority: Int = 0, submittedAt: Date = Date(timeIntervalSince1970: 1_700_000_000), unitCount: Int = 2
) -> NewJob {
    NewJob(
        name: tag, bundleName: tag, priority: priority, submittedAt: submittedAt,
        claimedPath: "/state/claimed/1-\(tag).json", jobBytes: Array("{\"name\":\"\(tag)\"}".utf8),
        normalisedJobJSON: "{\"name\":\"\(tag)\",\"kind\":\"simulate\"}",
        units: (0..<unitCount).map { NewUnit(parametersJSON: "{\"seed\":\($0)}", totalSteps: 1000) })
}

extension InsertOutcome {
    /// The inserted job's id; a duplicate here is a test failure.
    func insertedID() throws -> JobID {
        guard case let .inserted(id) = self else { throw UnexpectedOutcome(description: "expected an insert, got \(self)") }
        return id
    }
}

struct UnexpectedOutcome: Error, CustomStringConvertible {
    var description: String
}
