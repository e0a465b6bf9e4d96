import Foundation
import GRDB
import SGDynStore
import Testing

@Suite("JobStore: a job's life")
struct JobLifecycleTests {
    @Test func insertsAJobWithAllItsUnits() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let id = try await store.insertJob(sampleJob("first", unitCount: 3)).insertedID()
        let job = try #require(try await store.job(id))
        #expect(job.name == "first" && job.state == .queued && job.attempts == 0 && job.outcome == nil)
        #expect(job.spec == Array("{\"stored\":\"first\"}".utf8) && job.claimedName == "1.first-first.json")
        let units = try await store.units(of: id)
        #expect(units.map(\.index) == [0, 1, 2] && units.map(\.seed) == [0, 1, 2] && units.allSatisfy { $0.state == .queued })
        #expect(units.map(\.spec) == [[0], [1], [2]] && units.allSatisfy { $0.kind == .simulation && $0.attempt == 0 })
        #expect(try await store.knownClaimedNames() == ["1.first-first.json"])
    }

    @Test func byteIdenticalResubmissionIsADuplicateOnlyWhileActive() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let id = try await store.insertJob(sampleJob("same")).insertedID()
        #expect(try await store.insertJob(sampleJob("same")) == .duplicate(of: id, name: "same"))
        try await store.settle(id, outcome: .cancelled, reason: "test")
        #expect(try await store.insertJob(sampleJob("same")) != .duplicate(of: id, name: "same"))
    }

    @Test func runsHigherPriorityFirstThenFirstCome() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let late = Date(timeIntervalSince1970: 1_800_000_000)
        let a = try await store.insertJob(sampleJob("a", submittedAt: late)).insertedID()
        let b = try await store.insertJob(sampleJob("b", priority: 5, submittedAt: late)).insertedID()
        let c = try await store.insertJob(sampleJob("c")).insertedID()
        #expect(try await store.nextRunnableJob()?.id == b)
        #expect(try await store.nextRunnableJob(excluding: [b])?.id == c)
        #expect(try await store.nextRunnableJob(excluding: [b, c])?.id == a)
        try await store.startRun(b)
        #expect(try await store.nextRunnableJob()?.id == c)
    }

    @Test func aSubmissionIsRecordedBeforeAnythingStartsAndCountsTheAttempt() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let id = try await store.insertJob(sampleJob("run", unitCount: 3)).insertedID()
        let units = try await store.units(of: id).map(\.id)
        let (submission, start) = try await store.beginSubmission(id, executor: "slurm", token: "tok-1", tasks: [[units[0], units[1]], [units[2]]])
        #expect(start.attempt == 1 && !start.isResume && start.units.map(\.attempt) == [1, 1, 1])
        let open = try await store.openSubmissions()
        #expect(open.map(\.id) == [submission] && open[0].state == .submitting && open[0].token == "tok-1")
        #expect(open[0].tasks == [[units[0], units[1]], [units[2]]] && open[0].executor == "slurm")
        try await store.activateSubmission(submission, externalID: "4242")
        #expect(try await store.submission(submission)?.externalID == "4242")
        #expect(try await store.listJobs().first?.externalID == "4242")
        let job = try #require(try await store.job(id))
        #expect(job.state == .running && job.attempts == 1 && job.executor == "slurm")
        // A unit cannot be handed out twice.
        await #expect(throws: JobStoreError.self) {
            try await store.beginSubmission(id, executor: "slurm", token: "tok-2", tasks: [[units[0]]])
        }
    }

    @Test func unitsEndWithTheirOutcomeAndCrashesAreCountedPerUnit() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let id = try await store.insertJob(sampleJob("crashy", unitCount: 3)).insertedID()
        let (submission, start) = try await store.startRun(id)
        let units = start.units.map(\.id)
        try await store.recordProgress([units[0]: (500, 1.5, 0.25)])
        try await store.completeUnit(units[1], result: [9, 9], divergedAt: nil, stepsDone: 1000, wallSeconds: 3, latestEg: 0.1)
        try await store.interruptUnits([units[0]], crashed: true, reason: "killed by signal 9")
        let (job, active) = try await store.endSubmission(submission, crashed: [], reason: "ended")
        #expect(active == 0 && job.state == .running)
        let after = try await store.units(of: id)
        #expect(after.map(\.state) == [.interrupted, .done, .interrupted])
        #expect(after.map(\.crashes) == [1, 0, 0] && after[0].stepsDone == 500)
        #expect(after.map(\.hasResult) == [false, true, false])
        #expect(try await store.unitResult(units[1]) == [9, 9])
        #expect(try await store.unitResult(units[0]) == nil)
        #expect(try await store.maximumUnitCrashes(of: id) == 1)
        try await store.requeue(id, interrupted: false, reason: "crash")
        #expect(try await store.runnableUnits(of: id).map(\.index) == [0, 2])
        #expect(try await store.job(id)?.state == .queued)
    }

    @Test func aDecidedOutcomeGoesThroughPublishingWithBackoff() async throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path, identityFile: temporary.identityFile, now: { now })
        let id = try await store.insertJob(sampleJob("pub", unitCount: 1)).insertedID()
        let (submission, start) = try await store.startRun(id)
        try await store.saveCheckpoint(start.units[0].id, snapshot: [1, 2, 3], stepsDone: 10)
        try await store.completeUnit(start.units[0].id, result: [1], divergedAt: 2.5, stepsDone: 20, wallSeconds: 1, latestEg: nil)
        _ = try await store.endSubmission(submission, crashed: [], reason: nil)
        try await store.settle(id, outcome: .diverged, reason: nil)
        #expect(try await store.jobsToPublish().map(\.id) == [id])
        #expect(try await store.units(of: id).first?.divergedAt == 2.5)
        let attempts = try await store.postponePublishing(id, error: "EACCES", retryAt: now.addingTimeInterval(60))
        #expect(attempts == 1)
        #expect(try await store.jobsToPublish().isEmpty)
        #expect(try await store.job(id)?.publishAfter == now.addingTimeInterval(60))
        // `sgdyn publish` makes it due at once.
        #expect(try await store.requestPublish(name: "pub") == [id])
        #expect(try await store.jobsToPublish().map(\.id) == [id])
        try await store.markPublished(id, bundlePath: "/outbox/pub")
        let job = try #require(try await store.job(id))
        #expect(job.state == .diverged && job.outcome == .diverged && job.bundlePath == "/outbox/pub")
        // Its checkpoints are dropped once the bundle is written; the results stay.
        #expect(try await store.latestValidCheckpoint(start.units[0].id).checkpoint == nil)
        #expect(try await store.units(of: id).first?.hasResult == true)
        #expect(try await store.unitResult(start.units[0].id) == [1])
    }

    @Test func aBundleThatCannotBeWrittenLeavesTheJobUnpublishedUntilAskedAgain() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let id = try await store.insertJob(sampleJob("stuck", unitCount: 1)).insertedID()
        try await store.settle(id, outcome: .cancelled, reason: "cancelled on request")
        #expect(try await store.units(of: id).first?.state == .cancelled)
        try await store.markUnpublished(id, error: "the stored results cannot be read")
        #expect(try await store.job(id)?.state == .unpublished)
        #expect(try await store.jobsToPublish().isEmpty)
        #expect(try await store.requestPublish(name: "nobody").isEmpty)
        #expect(try await store.requestPublish(name: "stuck") == [id])
        #expect(try await store.job(id)?.state == .publishing)
    }

    @Test func rejectionsAreRecordedAndPublishedLikeAnyJob() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let id = try await store.insertRejection(NewRejection(
            bundleName: "rejected-bad", submittedAt: Date(), claimedName: "2.x-bad.json", jobBytes: Array("{".utf8),
            rejection: Rejection(message: "unexpected end", line: 1, column: 2)))
        let job = try #require(try await store.job(id))
        #expect(job.state == .publishing && job.outcome == .rejected && job.rejection?.line == 1 && job.spec == nil)
        #expect(try await store.jobsToPublish().map(\.id) == [id])
        // A rejection is not a job of that name to run, cancel or convert.
        #expect(try await store.jobsWithoutSpec().isEmpty)
        #expect(try await store.nextRunnableJob() == nil)
        try await store.markPublished(id, bundlePath: "/outbox/rejected-bad")
        #expect(try await store.job(id)?.state == .rejected)
    }

    @Test func cancellationIsAFlagUntilSettled() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let id = try await store.insertJob(sampleJob("cx")).insertedID()
        try await store.startRun(id)
        #expect(try await store.requestCancel(name: "cx") == [id])
        #expect(try await store.pendingCancellations().map(\.id) == [id])
        #expect(try await store.nextRunnableJob() == nil)
        #expect(try await store.requestCancel(name: "other").isEmpty)
    }

    @Test func startUpRepairResumesRunsNoOpenSubmissionAccountsFor() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let kept = try await store.insertJob(sampleJob("kept")).insertedID()
        let orphan = try await store.insertJob(sampleJob("orphan")).insertedID()
        try await store.startRun(kept)
        let (submission, _) = try await store.startRun(orphan)
        // As if the daemon died after ending the submission but before deciding about the job.
        let queue = try DatabaseQueue(path: temporary.path)
        try await queue.write { db in
            try db.execute(sql: "UPDATE submissions SET state = 'ended' WHERE id = ?", arguments: [submission.rawValue])
        }
        try queue.close()
        #expect(try await store.recoverOrphanedRuns(reason: "restart") == [orphan])
        #expect(try await store.job(orphan)?.state == .interrupted)
        #expect(try await store.job(kept)?.state == .running)
        #expect(try await store.runnableUnits(of: orphan).count == 2)
        #expect(try await store.runnableUnits(of: kept).isEmpty)
    }

    @Test func countsAndStatusListing() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let a = try await store.insertJob(sampleJob("a")).insertedID()
        _ = try await store.insertJob(sampleJob("b"))
        let (_, start) = try await store.startRun(a)
        try await store.recordProgress([start.units[0].id: (400, 2, 0.5), start.units[1].id: (600, 2, 0.3)])
        try await store.recordExecutorStates([start.units[0].id: "RUNNING", start.units[1].id: "PENDING"])
        let counts = try await store.countsByState()
        #expect(counts[.running] == 1 && counts[.queued] == 1 && counts[.done] == 0)
        let listing = try await store.listJobs()
        #expect(listing.map(\.name) == ["a", "b"])
        #expect(listing[0].stepsDone == 1000 && listing[0].totalSteps == 2000 && listing[0].progress == 0.5)
        // A unit in Slurm's queue (PENDING) or waiting for a worker's thread (WAITING) is not running.
        #expect(abs((listing[0].latestEg ?? 0) - 0.4) < 1e-12 && listing[0].unitsRunning == 1)
        #expect(try await store.executorStateCounts()[a] == ["RUNNING": 1, "PENDING": 1])
    }
}
