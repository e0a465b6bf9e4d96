import Foundation
import SGDynStore
import Testing

@Suite("JobStore: submitters")
struct SubmitterTests {
    static let alice = Submitter(uid: 1001, name: "alice")
    static let bob = Submitter(uid: 1002, name: "bob")

    static func job(_ tag: String, by submitter: Submitter?, priority: Int = 0) -> NewJob {
        var job = sampleJob(tag, priority: priority)
        job.submitter = submitter
        return job
    }

    @Test("the submitter is stored with the job and listed; jobs without one still read")
    func recorded() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let a = try await store.insertJob(Self.job("a", by: Self.alice)).insertedID()
        let old = try await store.insertJob(Self.job("old", by: nil)).insertedID()
        #expect(try await store.job(a)?.submitter == Self.alice)
        #expect(try await store.job(old)?.submitter == nil)
        let listed = try await store.listJobs()
        #expect(listed.map(\.submitter) == [Self.alice, nil])
        let rejection = try await store.insertRejection(NewRejection(bundleName: "rejected-x", submittedAt: Date(), claimedName: "2.x-x.json",
                                                                     jobBytes: [], rejection: Rejection(message: "bad"), submitter: Self.bob))
        #expect(try await store.job(rejection)?.submitter == Self.bob)
    }

    @Test("a cancel request sees whose jobs carry the name, and flags only the ones it is given")
    func cancelByOwner() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let a = try await store.insertJob(Self.job("shared", by: Self.alice)).insertedID()
        var second = Self.job("shared", by: Self.bob)
        second.jobBytes += [0x20]
        let b = try await store.insertJob(second).insertedID()
        let named = try await store.activeJobs(named: "shared")
        #expect(named.map(\.id) == [a, b] && named.map(\.submitter) == [Self.alice, Self.bob])
        #expect(try await store.requestCancel([b]) == [b])
        let (jobA, jobB) = (try await store.job(a), try await store.job(b))
        #expect(jobA?.cancelRequested == false && jobB?.cancelRequested == true)
        #expect(try await store.otherSubmittersUsing(bundleName: "shared", besides: Self.alice) == ["bob"])
        #expect(try await store.otherSubmittersUsing(bundleName: "other", besides: Self.alice).isEmpty)
    }

    @Test("scheduling candidates carry submitter and priority in first-come order")
    func candidates() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let a = try await store.insertJob(Self.job("a", by: Self.alice)).insertedID()
        let b = try await store.insertJob(Self.job("b", by: Self.bob, priority: 3)).insertedID()
        let c = try await store.insertJob(Self.job("c", by: nil)).insertedID()
        let candidates = try await store.schedulingCandidates()
        #expect(candidates.map(\.job) == [b, a, c])
        #expect(candidates.map(\.submitter) == ["bob", "alice", ""] && candidates.map(\.order) == [0, 1, 2])
    }
}

@Suite("JobStore: a job's units counted")
struct UnitTallyTests {
    @Test("the tally says what reading every unit said: done, diverged, crashes and their last error, the first failure")
    func tally() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let id = try await store.insertJob(sampleJob("t", unitCount: 4)).insertedID()
        let units = try await store.units(of: id).map(\.id)
        var tally = try await store.unitTally(of: id)
        #expect(tally.count == 4 && tally.done == 0 && !tally.allDone && tally.maximumCrashes == 0 && tally.firstFailed == nil)
        _ = try await store.beginSubmission(id, executor: "local", token: "t-1", tasks: [units])
        try await store.completeUnit(units[0], result: [1], divergedAt: nil, stepsDone: 1000, wallSeconds: 1, latestEg: nil)
        try await store.completeUnit(units[1], result: [1], divergedAt: 2.5, stepsDone: 1000, wallSeconds: 1, latestEg: nil)
        try await store.interruptUnits([units[2]], crashed: true, reason: "first")
        try await store.interruptUnits([units[3]], crashed: true, reason: "second")
        try await store.failUnit(units[3], reason: "cannot")
        tally = try await store.unitTally(of: id)
        #expect(tally.done == 2 && tally.diverged == 1 && tally.maximumCrashes == 1 && !tally.allDone)
        #expect(tally.firstFailed?.index == 3 && tally.firstFailed?.error == "cannot")
        #expect(tally.lastCrashError == "cannot")
    }
}
