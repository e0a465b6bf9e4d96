import Foundation
import SGDynStore
import Testing

@Suite("JobStore: read-only access for sgdyn status")
struct ReadOnlyAccessTests {
    @Test func seesCommittedWritesWhileTheWriterIsOpen() async throws {
        let temporary = try TemporaryDatabase()
        let writer = try temporary.open()
        let first = try await writer.insertJob(sampleJob("one")).insertedID()

        let reader = try JobStore.openReadOnly(at: temporary.path)
        #expect(reader.isReadOnly)
        #expect(try await reader.listJobs().map(\.name) == ["one"])

        try await writer.startRun(first)
        _ = try await writer.insertJob(sampleJob("two"))
        let listing = try await reader.listJobs()
        #expect(listing.map(\.name) == ["one", "two"])
        #expect(listing.first?.state == .running)
        #expect(try await reader.countsByState()[.queued] == 1)
    }

    @Test func refusesWrites() async throws {
        let temporary = try TemporaryDatabase()
        let writer = try temporary.open()
        let id = try await writer.insertJob(sampleJob("one")).insertedID()
        let reader = try JobStore.openReadOnly(at: temporary.path)
        await #expect(throws: JobStoreError.readOnly) { try await reader.startRun(id) }
        await #expect(throws: JobStoreError.readOnly) { try await reader.insertJob(sampleJob("two")) }
        #expect(try await writer.job(id)?.attempts == 0)
    }
}
