import Foundation
@testable import SGDynDaemon
import SGDynJobs
import SGDynStore
import Testing

/// The daemon's run paths through an executor it knows nothing about (`FakeExecutor`, kind
/// `fake`): a job runs to its bundle; a task that crashes resumes its units and counts the crash;
/// three crashes quarantine; a task preempted or cancelled by an administrator is resubmitted
/// without a crash; a daemon that stops leaves the tasks that outlive it running, and the next
/// daemon adopts them — while tasks that do not outlive it are stopped first. Real `Daemon`,
/// real store, real spool and real unit computation, in-process; seconds in all.
@Suite("daemon with an in-process fake executor", .serialized)
struct DaemonWithFakeExecutorTests {
    @Test func aJobRunsToItsBundle() async throws {
        let d = try FakeExecutorDaemon()
        // Identified later, as Slurm's sbatch answers after `submit` returned.
        let fake = FakeExecutor(spoolRoot: d.spool, identifiesLater: true)
        let (daemon, run) = try d.start(fake)
        try d.drop("tiny", tinyJob(seeds: 2))
        let job = try #require(try await d.job("tiny", of: daemon) { $0.state == .publishing },
                               "not settled; log:\n\(d.logs.all.joined(separator: "\n"))")
        #expect(job.outcome == .done)
        #expect(job.executor == "fake", "the kind's tag, stored with its run")
        let store = await daemon.store
        let units = try await store.units(of: job.id)
        #expect(units.count == 2 && units.allSatisfy { $0.state == .done && $0.hasResult && $0.crashes == 0 })
        // Its spool was the executor's own root, not the state folder's.
        #expect(try await store.spoolFolders(of: job.id).allSatisfy { $0.hasPrefix(d.spool + "/") })
        // One submission of two tasks (one unit each: the fake's plan), each run to its end.
        let log = fake.snapshot().log
        #expect(log.count == 2 && Set(log.map(\.0.task)) == [0, 1] && Set(log.map(\.0.submission)).count == 1)
        #expect(log.allSatisfy { $0.1 == .run })
        #expect(d.logs.contains("submitted to the fake executor as fake-"))
        #expect(await d.stop(daemon, run))
        // The bundle, written by `sgdyn write-bundle`'s body from what the daemon stored.
        let bundle = try await BundlePublisher.write(state: StateFolder(d.state), outbox: d.outbox, jobID: job.id)
        #expect(FileManager.default.fileExists(atPath: bundle + "/result.json"))
    }

    @Test func aCrashedTaskResumesItsUnitsAndCountsTheCrash() async throws {
        let d = try FakeExecutorDaemon()
        let fake = FakeExecutor(spoolRoot: d.spool, script: [.end(.crashed("fake: the task died"))])
        let (daemon, run) = try d.start(fake)
        try d.drop("crashy", tinyJob(seeds: 1))
        let job = try #require(try await d.job("crashy", of: daemon) { $0.state == .publishing },
                               "not settled; log:\n\(d.logs.all.joined(separator: "\n"))")
        #expect(job.outcome == .done)
        #expect(job.attempts == 2)
        let units = try await daemon.store.units(of: job.id)
        #expect(units.map(\.crashes) == [1])
        #expect(d.logs.contains("1 unit(s) ended without finishing: fake: the task died (crash 1 of at most 3); they resume from their checkpoints"))
        #expect(fake.snapshot().log.map(\.1) == [.end(.crashed("fake: the task died")), .run])
        #expect(await d.stop(daemon, run))
    }

    @Test func threeCrashesQuarantineTheJob() async throws {
        let d = try FakeExecutorDaemon()
        let crash = FakeTask.end(.crashed("fake: the task died"))
        let fake = FakeExecutor(spoolRoot: d.spool, script: [crash, crash, crash])
        let (daemon, run) = try d.start(fake)
        try d.drop("doomed", tinyJob(seeds: 1))
        let job = try #require(try await d.job("doomed", of: daemon) { $0.state == .publishing },
                               "not settled; log:\n\(d.logs.all.joined(separator: "\n"))")
        #expect(job.outcome == .quarantined)
        #expect(try await daemon.store.units(of: job.id).map(\.crashes) == [3])
        // Never run a fourth time.
        try await Task.sleep(for: .milliseconds(300))
        #expect(fake.snapshot().log.map(\.1) == [crash, crash, crash])
        #expect(await d.stop(daemon, run))
    }

    @Test(arguments: ["preempted by a higher-priority job", "cancelled by an administrator"])
    func aTaskLostThroughNoFaultOfItsOwnIsResubmittedWithoutACrash(_ why: String) async throws {
        let d = try FakeExecutorDaemon()
        let fake = FakeExecutor(spoolRoot: d.spool, script: [.end(.lost(why))])
        let (daemon, run) = try d.start(fake)
        try d.drop("bumped", tinyJob(seeds: 1))
        let job = try #require(try await d.job("bumped", of: daemon) { $0.state == .publishing },
                               "not settled; log:\n\(d.logs.all.joined(separator: "\n"))")
        #expect(job.outcome == .done)
        #expect(try await daemon.store.units(of: job.id).map(\.crashes) == [0])
        #expect(fake.snapshot().log.map(\.1) == [.end(.lost(why)), .run])
        #expect(d.logs.contains("1 unit(s) were interrupted (\(why)); they resume from their checkpoints"))
        #expect(await d.stop(daemon, run))
    }

    @Test func aSilentTaskIsKilledAloneAndItsUnitResumes() async throws {
        // 0.3 s of silence kills: time scaled down, the shape kept (two tasks, one hangs).
        let d = try FakeExecutorDaemon(stallKill: 0.3)
        let fake = FakeExecutor(spoolRoot: d.spool, script: [.hold, .run])
        let (daemon, run) = try d.start(fake)
        try d.drop("hung", tinyJob(seeds: 2))
        let job = try #require(try await d.job("hung", of: daemon) { $0.state == .publishing },
                               "not settled; log:\n\(d.logs.all.joined(separator: "\n"))")
        #expect(job.outcome == .done)
        let snapshot = fake.snapshot()
        // Only the silent task was killed, through the executor's per-task kill; the other ran on.
        let first = try #require(snapshot.log.first?.0)
        #expect(snapshot.kills == [first] && snapshot.wholeKills.isEmpty)
        #expect(first.task == 0 && snapshot.log.map(\.1) == [.hold, .run, .run])
        #expect(try await daemon.store.units(of: job.id).map(\.crashes).sorted() == [0, 1], "a stall kill counts a crash")
        #expect(d.logs.contains("stall kill: killing 1 task(s)"))
        #expect(await d.stop(daemon, run))
    }

    @Test func tasksThatOutliveTheDaemonGoOnAndTheNextDaemonAdoptsThem() async throws {
        let d = try FakeExecutorDaemon()
        let first = FakeExecutor(tasksOutliveDaemon: true, spoolRoot: d.spool, script: [.hold])
        let (daemon, run) = try d.start(first)
        try d.drop("long", tinyJob(seeds: 1))
        _ = try #require(try await d.job("long", of: daemon) { $0.state == .running })
        try await waitFor { !first.snapshot().tasks.isEmpty }
        // Stopping never asks them to stop nor kills them: the daemon stops following them.
        #expect(await d.stop(daemon, run))
        #expect(first.snapshot().stopRequests.isEmpty && first.snapshot().kills.isEmpty && first.snapshot().shutDown)
        #expect(!d.logs.contains("did not stop in time"))
        let open = try JobStore.openReadOnly(at: StateFolder(d.state).database)
        let left = try await open.openSubmissions()
        try open.close()
        #expect(left.count == 1 && left.first?.executor == "fake")

        // The next daemon takes the running task over and follows it to its end.
        let second = FakeExecutor(tasksOutliveDaemon: true, spoolRoot: d.spool)
        let (again, runAgain) = try d.start(second)
        let job = try #require(try await d.job("long", of: again) { $0.state == .publishing },
                               "not settled; log:\n\(d.logs.all.joined(separator: "\n"))")
        #expect(job.outcome == .done)
        #expect(second.snapshot().adopted == left.map(\.id))
        #expect(try await again.store.units(of: job.id).map(\.crashes) == [0])
        #expect(await d.stop(again, runAgain))
    }

    @Test func tasksThatEndWithTheDaemonAreStoppedAtShutdown() async throws {
        let d = try FakeExecutorDaemon()
        let fake = FakeExecutor(tasksOutliveDaemon: false, spoolRoot: d.spool, script: [.hold])
        let (daemon, run) = try d.start(fake)
        try d.drop("local-like", tinyJob(seeds: 1))
        _ = try #require(try await d.job("local-like", of: daemon) { $0.state == .running })
        try await waitFor { !fake.snapshot().tasks.isEmpty }
        #expect(await d.stop(daemon, run))
        #expect(fake.snapshot().stopRequests.count == 1)
        let store = try JobStore.openReadOnly(at: StateFolder(d.state).database)
        defer { try? store.close() }
        #expect(try await store.openSubmissions().isEmpty)
        let job = try #require(try await store.jobs(named: "local-like").first)
        #expect(job.state == .interrupted, "stopped by shutdown, to resume at the next start")
    }

    @Test func theWorkerThreadSchedulingRunsAJobInOneTask() async throws {
        let d = try FakeExecutorDaemon()
        let fake = FakeExecutor(scheduling: .workerThreads, tasksOutliveDaemon: false, spoolRoot: nil, threadBudget: 2)
        let (daemon, run) = try d.start(fake)
        try d.drop("threads", tinyJob(seeds: 3))
        let job = try #require(try await d.job("threads", of: daemon) { $0.state == .publishing },
                               "not settled; log:\n\(d.logs.all.joined(separator: "\n"))")
        #expect(job.outcome == .done)
        // The daemon's own spool (spoolRoot nil), one task per batch, the threads of `workers`.
        #expect(try await daemon.store.spoolFolders(of: job.id).allSatisfy { $0.hasPrefix(StateFolder(d.state).spool.root + "/") })
        #expect(fake.snapshot().log.allSatisfy { $0.0.task == 0 })
        #expect(d.logs.contains("on the fake executor with 2 thread(s)"), "\(d.logs.all.filter { $0.contains("starting") })")
        #expect(await d.stop(daemon, run))
    }
}

/// Waits (20 ms steps, at most `timeout` and at least 500 looks: see `FakeExecutorDaemon.job`)
/// until `condition` holds; throws if it never does.
func waitFor(_ timeout: Duration = .seconds(10), _ condition: @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    var looks = 0
    while !condition() {
        guard ContinuousClock.now < deadline || looks < 500 else { throw WaitTimeout() }
        try await Task.sleep(for: .milliseconds(20))
        looks += 1
    }
}

struct WaitTimeout: Error {}

/// A job naming files (`teacher_from`, `student_from`, `data`) is read off the loop: the loop
/// goes on queueing and running other jobs meanwhile, and the job's answer — queued or rejected
/// naming its key — comes back as an event.
@Suite("daemon: jobs that name files are read off the loop", .serialized)
struct JobFilesOffTheLoopTests {
    @Test func onlyJobsNamingFilesGoOffTheLoop() {
        #expect(Daemon.namesFiles(Array(#"{"teacher_from": "b/seed-0"}"#.utf8)))
        #expect(Daemon.namesFiles(Array(#"{"N": 10, "student_from": "b/seed-0/final"}"#.utf8)))
        #expect(Daemon.namesFiles(Array(#"{"data": {}}"#.utf8)))
        #expect(!Daemon.namesFiles(Array(#"{"N": 10, "description": "teacher_from"}"#.utf8)))
        #expect(!Daemon.namesFiles(Array("not json".utf8)))
    }

    @Test func aMissingSourceIsRejectedNamingItsKeyWhileAPlainJobRuns() async throws {
        let d = try FakeExecutorDaemon()
        let fake = FakeExecutor(spoolRoot: d.spool, identifiesLater: false)
        let (daemon, run) = try d.start(fake)
        try d.drop("reuse", #"{"N": 40, "M": 2, "K": 2, "t_max": 1, "points": 3, "teacher_from": "nothing/seed-0"}"#)
        try d.drop("tiny", tinyJob(seeds: 1))
        let job = try #require(try await d.job("tiny", of: daemon) { $0.state == .publishing },
                               "not settled; log:\n\(d.logs.all.joined(separator: "\n"))")
        #expect(job.outcome == .done)
        let deadline = ContinuousClock.now + .seconds(30)
        while !d.logs.contains("rejected reuse.json"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(d.logs.contains("reading the files it names before queueing it (off the loop)"))
        let rejection = try #require(d.logs.all.first { $0.contains("rejected reuse.json") }, "\(d.logs.all.joined(separator: "\n"))")
        #expect(rejection.contains("nothing does not exist"), "\(rejection)")
        #expect(await d.stop(daemon, run))
    }
}
