import Foundation
import SGDynCore
import Testing
@testable import SGDynJobs

/// The inputs the fuzz targets found problems with (Tests/Fixtures/fuzz-findings, its README says
/// what each was): every one is now refused by its decoder with a typed error, and not for its
/// checksum, which is valid, but for what it claims.
@Suite("Fuzz findings stay fixed")
struct FuzzFindingTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/fuzz-findings").standardizedFileURL

    static var findings: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.contains("--") }.sorted()
    }

    @Test("the findings are there")
    func present() {
        #expect(Self.findings.count >= 10)
    }

    @Test("each finding is refused for what it claims", arguments: findings)
    func refused(name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(name)))
        let error: (any Error)?
        switch name.components(separatedBy: "--")[0] {
        case "simulation-snapshot": error = Self.error { () throws(SnapshotError) in _ = try Simulation(snapshot: bytes) }
        case "records-snapshot": error = Self.error { () throws(SnapshotError) in _ = try SimulationRecords(snapshot: bytes) }
        case "ode-snapshot": error = Self.error { () throws(SnapshotError) in _ = try ODEIntegration(snapshot: bytes) }
        case "work-unit": error = Self.error { () throws(WorkUnitDecodingError) in _ = try WorkUnit(encoded: bytes) }
        case "unit-report": error = Self.error { () throws(SpoolDecodingError) in _ = try UnitReport.decode(bytes) }
        case "submission-tasks": error = Self.error { () throws(SpoolDecodingError) in _ = try SubmissionTasks(text: String(decoding: bytes, as: UTF8.self)) }
        case "job-parser": error = Self.error { () throws(JobError) in _ = try JobParser.parse(bytes, defaultName: "finding") }
        default: Issue.record("no decoder for \(name)"); return
        }
        let thrown = try #require(error, "\(name) was accepted")
        let text = "\(thrown)"
        #expect(!text.contains("checksum"), "\(name): \(text)")
        // A finding recorded in an older format would be refused by its version and test nothing.
        #expect(!text.contains("not supported by this build"), "\(name): \(text)")
    }

    static func error<E: Error>(_ body: () throws(E) -> Void) -> E? {
        do { try body() } catch { return error }
        return nil
    }
}
