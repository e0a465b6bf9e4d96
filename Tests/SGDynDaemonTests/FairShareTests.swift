import Testing
@testable import SGDynDaemon
import SGDynStore

@Suite("Fair share between submitters")
struct FairShareTests {
    static func job(_ id: Int64, _ submitter: String, priority: Int = 0, order: Int? = nil) -> SchedulingCandidate {
        SchedulingCandidate(job: JobID(id), submitter: submitter, priority: priority, order: order ?? Int(id))
    }

    static func run(_ submission: Int64, job: Int64, _ submitter: String, threads: Int, priority: Int = 0,
                    stopping: Bool = false) -> FairShare.Running {
        FairShare.Running(submission: SubmissionID(submission), job: JobID(job), submitter: submitter, priority: priority,
                          threads: threads, stopping: stopping)
    }

    @Test("at equal priority the submitter with fewer threads in use goes first, whatever the arrival order")
    func roundRobin() {
        // alice's burst came first (jobs 1–20), bob's tiny job last.
        var share = FairShare(workers: 4, waiting: (1...20).map { Self.job($0, "alice") } + [Self.job(21, "bob")], running: [])
        var started: [Int64] = []
        var submission: Int64 = 100
        while let next = share.next(), started.count < 4 {
            let threads = share.threads(for: next, free: 4 - share.running.reduce(0) { $0 + $1.threads }, units: 10_000)
            started.append(next.job.rawValue)
            submission += 1
            share.started(next, as: SubmissionID(submission), threads: threads)
            if share.running.reduce(0, { $0 + $1.threads }) >= 4 { break }
        }
        // alice's first job gets her share (2 of 4 while bob waits), bob's job the next turn and
        // his share: the other 2.
        #expect(started == [1, 21])
        #expect(share.threads(of: "alice") == 2 && share.threads(of: "bob") == 2)
    }

    @Test("priority comes before fair share")
    func priorityFirst() {
        let share = FairShare(workers: 2, waiting: [Self.job(1, "alice", priority: 5), Self.job(2, "bob")],
                              running: [Self.run(10, job: 3, "alice", threads: 1)])
        #expect(share.next()?.job == JobID(1))
    }

    @Test("within one submitter, first come first served")
    func fifoWithinSubmitter() {
        let share = FairShare(workers: 2, waiting: [Self.job(7, "alice", order: 1), Self.job(3, "alice", order: 0)], running: [])
        #expect(share.next()?.job == JobID(3))
    }

    @Test("alone, a submitter gets every free thread; with others waiting, at most its share")
    func threadsPerJob() {
        let alone = FairShare(workers: 8, waiting: [Self.job(1, "alice"), Self.job(2, "alice")], running: [])
        #expect(alone.threads(for: Self.job(1, "alice"), free: 8, units: 100) == 8)
        #expect(alone.threads(for: Self.job(1, "alice"), free: 8, units: 3) == 3)
        let shared = FairShare(workers: 8, waiting: [Self.job(1, "alice"), Self.job(2, "bob"), Self.job(3, "carol")], running: [])
        #expect(shared.share == 2)
        #expect(shared.threads(for: Self.job(1, "alice"), free: 8, units: 100) == 2)
    }

    @Test("a waiting submitter with nothing running pauses the run of the one holding more than its share")
    func pausesTheGreediest() {
        let share = FairShare(workers: 4, waiting: [Self.job(5, "bob")],
                              running: [Self.run(10, job: 1, "alice", threads: 3), Self.run(11, job: 2, "carol", threads: 1)])
        #expect(share.runToPause()?.submission == SubmissionID(10))
    }

    @Test("no pause while one is under way, when the waiting submitter already runs something, or for a higher-priority run")
    func noNeedlessPause() {
        let stopping = FairShare(workers: 2, waiting: [Self.job(5, "bob")],
                                 running: [Self.run(10, job: 1, "alice", threads: 1, stopping: true), Self.run(11, job: 2, "alice", threads: 1)])
        #expect(stopping.runToPause() == nil)
        let busy = FairShare(workers: 3, waiting: [Self.job(5, "bob")],
                             running: [Self.run(10, job: 1, "alice", threads: 2), Self.run(11, job: 2, "bob", threads: 1)])
        #expect(busy.runToPause() == nil)
        let urgent = FairShare(workers: 2, waiting: [Self.job(5, "bob")], running: [Self.run(10, job: 1, "alice", threads: 2, priority: 9)])
        #expect(urgent.runToPause() == nil)
        let fair = FairShare(workers: 2, waiting: [Self.job(5, "bob")],
                             running: [Self.run(10, job: 1, "alice", threads: 1), Self.run(11, job: 2, "carol", threads: 1)])
        #expect(fair.runToPause() == nil)
    }

    @Test("a burst of one submitter delays another's job by one pause, not by the burst")
    func burstThenTinyJob() {
        // alice's burst holds both threads; bob's job arrives.
        var share = FairShare(workers: 2, waiting: (2...20).map { Self.job($0, "alice") } + [Self.job(21, "bob")],
                              running: [Self.run(10, job: 1, "alice", threads: 2)])
        let pause = share.runToPause()
        #expect(pause?.job == JobID(1))
        // The paused run ends: its job waits again (first in arrival order), but bob, who has not
        // had a turn, goes first; then alice's job, with the other thread.
        share.running.removeAll()
        share.waiting.insert(Self.job(1, "alice", order: 0), at: 0)
        share.turns = FairShare.Turns(last: ["alice": 7], clock: 7)
        let first = share.next()
        let firstThreads = first.map { share.threads(for: $0, free: 2, units: 1) }
        #expect(first?.job == JobID(21) && firstThreads == 1)
        share.started(first!, as: SubmissionID(12), threads: firstThreads!)
        let second = share.next()
        #expect(second?.job == JobID(1) && second.map { share.threads(for: $0, free: 1, units: 10_000) } == 1)
    }

    @Test("at equal threads in use, the submitter whose last start is longest ago goes first")
    func roundRobinTurns() {
        var share = FairShare(workers: 1, waiting: [Self.job(1, "alice"), Self.job(2, "alice"), Self.job(3, "bob"), Self.job(4, "bob")],
                              running: [])
        var order: [Int64] = []
        while let next = share.next() {
            order.append(next.job.rawValue)
            share.started(next, as: SubmissionID(next.job.rawValue), threads: 1)
            share.running.removeAll()  // each run ends before the next choice
        }
        #expect(order == [1, 3, 2, 4])
    }
}

@Suite("What submitters may do")
struct SubmitterRightsTests {
    static let alice = Submitter(uid: 1001, name: "alice")
    static let bob = Submitter(uid: 1002, name: "bob")

    @Test("a cancel request cancels only the requester's own jobs, unless an administrator asks")
    func cancel() {
        let jobs: [(id: JobID, submitter: Submitter?)] = [(JobID(1), Self.alice), (JobID(2), Self.bob), (JobID(3), nil)]
        let byBob = SubmitterRights.cancellable(jobs, by: Self.bob, isAdmin: false)
        #expect(byBob.allowed == [JobID(2)] && byBob.refused.map(\.id) == [JobID(1), JobID(3)])
        let byAdmin = SubmitterRights.cancellable(jobs, by: Self.bob, isAdmin: true)
        #expect(byAdmin.allowed == [JobID(1), JobID(2), JobID(3)] && byAdmin.refused.isEmpty)
        // Same name, another uid: a user name alone gives no right.
        let impostor = Submitter(uid: 1003, name: "alice")
        #expect(SubmitterRights.cancellable(jobs, by: impostor, isAdmin: false).allowed.isEmpty)
    }

    @Test("priorities above the cap are lowered for everyone but administrators", arguments: [
        (5, 0, false, 5 > 0 ? 0 : 5, true), (-3, 0, false, -3, false), (1_000_000, 10, true, 1_000_000, false), (10, 10, false, 10, false),
    ])
    func priorityCap(requested: Int, cap: Int, isAdmin: Bool, expected: Int, warns: Bool) {
        let (priority, warning) = SubmitterRights.priority(requested: requested, cap: cap, isAdmin: isAdmin)
        #expect(priority == expected)
        #expect((warning != nil) == warns)
    }

    @Test("root and the daemon's own user administer it; others only through the admin group")
    func admins() {
        var users = UserDirectory()
        let root = users.isAdmin(0, adminGroup: nil)
        let daemon = users.isAdmin(users.daemonUID, adminGroup: nil)
        let stranger = users.isAdmin(4_000_000_000, adminGroup: nil)
        let strangerInRootGroup = users.isAdmin(4_000_000_000, adminGroup: "root")
        #expect(root && daemon && !stranger && !strangerInRootGroup)
        let rootName = users.submitter(uid: 0).name
        let unnamed = users.submitter(uid: 4_000_000_000).name
        #expect(rootName == "root" && unnamed == "uid4000000000")
    }
}
