import Foundation
import SGDynStore
import Testing

@Suite("JobStore: read-only access for sgdyn status")
struct ReadOnlyAccessTests {
    @Test func seesCommittedWritesWhileTheWriterIsOpen() async throws {
        let temporary = try TemporaryDatabase()
        let writer = try JobStore.open(at: temporary.path)
        let first = try await writer.insertClaimedJob(sampleJob("one")).insertedID()

        let reader = try JobStore.openReadOnly(at: temporary.path)
        #expect(reader.isReadOnly)
        #expect(try await reader.listJobs().map(\.name) == ["one"])

        _ = try await writer.beginAttempt(first)
        _ = try await writer.insertClaimedJob(sampleJob("two"))
        let listing = try await reader.listJobs()
        #expect(listing.map(\.name) == ["one", "two"])
        #expect(listing.first?.state == .running)
        #expect(try await reader.countsByState()[.queued] == 1)
    }

    @Test func refusesWrites() async throws {
        let temporary = try TemporaryDatabase()
        let writer = try JobStore.open(at: temporary.path)
        let id = try await writer.insertClaimedJob(sampleJob("one")).insertedID()
        let reader = try JobStore.openReadOnly(at: temporary.path)
        await #expect(throws: JobStoreError.readOnly) { try await reader.beginAttempt(id) }
        await #expect(throws: JobStoreError.readOnly) { try await reader.insertClaimedJob(sampleJob("two")) }
        #expect(try await writer.job(id)?.attempts == 0)
    }
}
