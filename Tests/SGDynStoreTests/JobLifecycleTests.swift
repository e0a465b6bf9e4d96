import Foundation
import GRDB
import SGDynStore
import Testing

@Suite("JobStore: jobs, ordering, transitions")
struct JobLifecycleTests {
    @Test func insertsAJobWithAllItsUnits() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        let job = sampleJob("alpha", priority: 3, unitCount: 3)
        let id = try await store.insertClaimedJob(job).insertedID()
        let stored = try #require(try await store.job(id))
        #expect(stored.state == .queued)
        #expect(stored.jobBytes == job.jobBytes)
        #expect(stored.jobSHA256.count == 64)
        #expect(stored.attempts == 0)
        #expect(stored.claimedPath == job.claimedPath)
        let units = try await store.units(of: id)
        #expect(units.map(\.index) == [0, 1, 2])
        #expect(units.allSatisfy { $0.state == .queued && $0.totalSteps == 1000 && $0.stepsDone == 0 })
        #expect(units.map(\.parametersJSON) == job.units.map(\.parametersJSON))
    }

    @Test func aFailingUnitInsertLeavesNoJobBehind() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        var job = sampleJob("half", unitCount: 3)
        job.units[2].totalSteps = -1  // violates the schema's CHECK, after the job row was inserted
        await #expect(throws: DatabaseError.self) { try await store.insertClaimedJob(job) }
        #expect(try await store.listJobs().isEmpty)
        #expect(try await store.countsByState().values.reduce(0, +) == 0)
    }

    @Test func byteIdenticalResubmissionIsADuplicateOnlyWhileActive() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        let first = try await store.insertClaimedJob(sampleJob("same")).insertedID()
        let again = try await store.insertClaimedJob(sampleJob("same"))
        #expect(again == .duplicate(of: first, name: "same"))
        #expect(try await store.activeJob(withSHA256: try #require(await store.job(first)).jobSHA256)?.id == first)

        _ = try await store.beginAttempt(first)
        for unit in try await store.units(of: first) {
            try await store.markUnitRunning(unit.id)
            try await store.completeUnit(unit.id, resultJSON: "{}", wallSeconds: 1)
        }
        try await store.markDone(first, bundlePath: "/outbox/same")
        let later = try await store.insertClaimedJob(sampleJob("same"))
        #expect(try later.insertedID() != first)
    }

    @Test func runsHigherPriorityFirstThenFirstCome() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        // Inserted in an order that differs from the expected running order.
        _ = try await store.insertClaimedJob(sampleJob("low-early", priority: 0, submittedAt: base))
        _ = try await store.insertClaimedJob(sampleJob("high-late", priority: 5, submittedAt: base + 30))
        _ = try await store.insertClaimedJob(sampleJob("low-earliest", priority: 0, submittedAt: base - 10))
        _ = try await store.insertClaimedJob(sampleJob("high-early", priority: 5, submittedAt: base + 10))
        _ = try await store.insertClaimedJob(sampleJob("negative", priority: -1, submittedAt: base - 100))
        var order: [String] = []
        while let next = try await store.nextRunnableJob() {
            order.append(next.name)
            _ = try await store.beginAttempt(next.id)
        }
        #expect(order == ["high-early", "high-late", "low-earliest", "low-early", "negative"])
    }

    @Test func countsTheAttemptBeforeTheRunStarts() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        let id = try await store.insertClaimedJob(sampleJob("crashy")).insertedID()

        let first = try await store.beginAttempt(id)
        #expect(first == AttemptStart(jobID: id, attempt: 1, isResume: false))
        // What another process (e.g. after a kill -9 right now) would find on disk.
        let reader = try JobStore.openReadOnly(at: temporary.path)
        #expect(try await reader.job(id)?.attempts == 1)
        #expect(try await reader.job(id)?.state == .running)

        try await store.requeue(id, reason: "worker killed by signal 9")
        let second = try await store.beginAttempt(id)
        #expect(second.attempt == 2)
        #expect(try await store.job(id)?.error == "worker killed by signal 9")

        await #expect(throws: JobStoreError.invalidTransition(job: id, from: .running, to: .running)) {
            try await store.beginAttempt(id)
        }
        try await store.markQuarantined(id, reason: "crashed its worker 3 times")
        let quarantined = try #require(try await store.job(id))
        #expect(quarantined.state == .quarantined)
        #expect(quarantined.attempts == 2)
        #expect(try await store.nextRunnableJob() == nil)
    }

    @Test func recoveryTurnsRunningJobsAndUnitsIntoInterruptedOnes() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        let running = try await store.insertClaimedJob(sampleJob("running", unitCount: 3)).insertedID()
        let waiting = try await store.insertClaimedJob(sampleJob("waiting", unitCount: 1)).insertedID()
        _ = try await store.beginAttempt(running)
        let units = try await store.units(of: running)
        try await store.markUnitRunning(units[0].id)
        try await store.completeUnit(units[0].id, resultJSON: "{\"eg\":0.1}", wallSeconds: 2)
        try await store.markUnitRunning(units[1].id)
        try await store.recordUnitProgress(units[1].id, stepsDone: 400, wallSeconds: 1)

        // A new daemon process after a crash.
        let restarted = try JobStore.open(at: temporary.path)
        #expect(try await restarted.recoverInterrupted() == [running])
        #expect(try await restarted.job(running)?.state == .interrupted)
        #expect(try await restarted.job(waiting)?.state == .queued)
        let after = try await restarted.units(of: running).map(\.state)
        #expect(after == [.done, .interrupted, .queued])
        #expect(try await restarted.runnableUnits(of: running).map(\.index) == [1, 2])
        #expect(try await restarted.units(of: running)[1].stepsDone == 400)
        #expect(try await restarted.countsByState()[.running] == 0)
        // Interrupted jobs are runnable again, first-come with the queued one.
        #expect(try await restarted.nextRunnableJob()?.id == running)
    }

    @Test func shutdownInterruptionAndCancellation() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        let id = try await store.insertClaimedJob(sampleJob("sweep", unitCount: 2)).insertedID()
        _ = try await store.beginAttempt(id)
        let units = try await store.units(of: id)
        try await store.markUnitRunning(units[0].id)
        try await store.markInterrupted(id, reason: "SIGTERM")
        #expect(try await store.units(of: id).map(\.state) == [.interrupted, .queued])

        #expect(try await store.requestCancel(name: "sweep") == [id])
        #expect(try await store.requestCancel(name: "nobody") == [])
        #expect(try await store.nextRunnableJob() == nil)  // flagged jobs are not started
        #expect(try await store.pendingCancellations().map(\.id) == [id])
        try await store.markCancelled(id, reason: "cancelled by user", bundlePath: "/outbox/sweep")
        let cancelled = try #require(try await store.job(id))
        #expect(cancelled.state == .cancelled)
        #expect(cancelled.bundlePath == "/outbox/sweep")
        #expect(try await store.units(of: id).map(\.state) == [.cancelled, .cancelled])
        #expect(try await store.pendingCancellations().isEmpty)
        await #expect(throws: JobStoreError.invalidTransition(job: id, from: .cancelled, to: .failed)) {
            try await store.markFailed(id, reason: "late", bundlePath: nil)
        }
    }

    @Test func doneRequiresEveryUnitDone() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        let id = try await store.insertClaimedJob(sampleJob("partial", unitCount: 2)).insertedID()
        _ = try await store.beginAttempt(id)
        let units = try await store.units(of: id)
        try await store.markUnitRunning(units[0].id)
        try await store.completeUnit(units[0].id, resultJSON: "{}", wallSeconds: 1)
        await #expect(throws: JobStoreError.unitsUnfinished(job: id, count: 1)) {
            try await store.markDone(id, bundlePath: "/outbox/partial")
        }
        #expect(try await store.job(id)?.state == .running)
    }

    @Test func requeueAfterACrashCountsTheCrashButAShutdownDoesNot() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        let id = try await store.insertClaimedJob(sampleJob("c", unitCount: 1)).insertedID()
        _ = try await store.beginAttempt(id)
        try await store.markInterrupted(id, reason: "shutdown")
        _ = try await store.beginAttempt(id)
        try await store.requeue(id, reason: "worker crashed")
        let job = try #require(try await store.job(id))
        #expect(job.attempts == 2 && job.crashes == 1 && job.state == .queued)
    }

    @Test func countsAndStatusListing() async throws {
        let temporary = try TemporaryDatabase()
        let store = try JobStore.open(at: temporary.path)
        let a = try await store.insertClaimedJob(sampleJob("a", unitCount: 2)).insertedID()
        _ = try await store.insertClaimedJob(sampleJob("b", unitCount: 1)).insertedID()
        let c = try await store.insertClaimedJob(sampleJob("c", unitCount: 1)).insertedID()
        _ = try await store.beginAttempt(a)
        let unit = try await store.units(of: a)[0]
        try await store.markUnitRunning(unit.id)
        try await store.recordUnitProgress(unit.id, stepsDone: 500, wallSeconds: 3)
        try await store.markFailed(c, reason: "diverged", bundlePath: "/outbox/c")

        let counts = try await store.countsByState()
        #expect(counts == [.queued: 1, .running: 1, .failed: 1, .done: 0, .cancelled: 0, .quarantined: 0, .interrupted: 0])
        let listing = try await store.listJobs()
        #expect(listing.map(\.name) == ["a", "b", "c"])
        let first = listing[0]
        #expect(first.unitCount == 2 && first.unitsRunning == 1 && first.unitsDone == 0)
        #expect(first.stepsDone == 500 && first.totalSteps == 2000)
        #expect(first.progress == 0.25)
        #expect(first.attempts == 1)
        #expect(listing[2].error == "diverged")
        #expect(first.latestEg == nil, "no unit has reported an error yet")
        // The latest ε_g is averaged over the units that reported one, and kept when a later
        // report has none.
        let second = try await store.units(of: a)[1]
        try await store.markUnitRunning(second.id)
        try await store.recordUnitProgress(unit.id, stepsDone: 600, wallSeconds: 4, latestEg: 0.25)
        try await store.recordUnitProgress(second.id, stepsDone: 100, wallSeconds: 1, latestEg: 0.75)
        try await store.recordUnitProgress(second.id, stepsDone: 200, wallSeconds: 2)
        #expect(try await store.listJobs()[0].latestEg == 0.5)
    }
}
