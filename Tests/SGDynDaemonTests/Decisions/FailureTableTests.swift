import Foundation
import Testing
@testable import SGDynDaemon
import SGDynJobs
import SGDynStore

/// Every row of the failure tables — docs/operations.md, "Running on a Slurm cluster" (the table
/// "event | what sgdyn does") and the local rules of "The daemon" — as the daemon's decisions see
/// it, in process and without processes: how the executor reads the end (`SlurmQueue.taskEnd`,
/// `LocalExecutor.taskEnd`), then what the daemon decides (`TaskEndClassifier`, `CrashPolicy`,
/// `JobReview`, `OutcomeRule`, `ResubmissionRule`, `StallRule`, `PublishRetry`, `DiskSpaceRule`, `RecordRetry`).
/// Each test is named after its row, word for word; `FailureTableDocsTests` checks that every row
/// has one. The end-to-end scripts (`daemon-tests.sh`, `slurm-tests.sh`) prove the same with real
/// processes.
@Suite("Failure table: every row, decided in process")
struct FailureTableTests {
    let classifier = TaskEndClassifier(stallKill: 600)
    let t0 = ContinuousClock.now

    /// A task of units 1…n, none of which reported an outcome.
    func silentUnits(_ n: Int64) -> [TaskEndClassifier.Unit] {
        (1...n).map { TaskEndClassifier.Unit(id: UnitID($0), outcome: nil) }
    }

    /// Whether every unit resumes, all with or all without a crash.
    func allResume(_ settlement: TaskEndClassifier.Settlement, crash: Bool) -> Bool {
        !settlement.verdicts.isEmpty && settlement.verdicts.values.allSatisfy { $0 == (crash ? .resumeWithCrash : .resumeWithoutCrash) }
    }

    // MARK: Slurm

    @Test("a node fails, a task is preempted")
    func nodeFailsOrPreempted() {
        for state in ["NODE_FAIL", "BOOT_FAIL", "PREEMPTED"] {
            let end = SlurmQueue.taskEnd(state: state, exitStatus: 0, signal: 0)
            let settlement = classifier.settle(end, killedForStall: false, units: silentUnits(3))
            #expect(allResume(settlement, crash: false), "\(state): \(settlement)")
            guard case .interrupted(3, _) = settlement.report else { Issue.record("\(state): \(settlement.report)"); continue }
        }
    }

    @Test("a task is killed by the OOM killer, traps, exits with an error")
    func killedOrTrapsOrFails() {
        let ends = [
            SlurmQueue.taskEnd(state: "OUT_OF_MEMORY", exitStatus: 0, signal: 0),
            SlurmQueue.taskEnd(state: "FAILED", exitStatus: 0, signal: 9),
            SlurmQueue.taskEnd(state: "FAILED", exitStatus: 0, signal: 4, output: "Fatal error: Index out of range"),
            SlurmQueue.taskEnd(state: "FAILED", exitStatus: 1, signal: 0),
        ]
        for end in ends {
            // Two units had finished before it died: the spool says so, they stay finished.
            let units = silentUnits(3) + [TaskEndClassifier.Unit(id: UnitID(4), outcome: .done),
                                          TaskEndClassifier.Unit(id: UnitID(5), outcome: .diverged)]
            let settlement = classifier.settle(end, killedForStall: false, units: units)
            #expect(settlement.crashed == [UnitID(1), UnitID(2), UnitID(3)], "\(end)")
            #expect(settlement.verdicts[UnitID(4)] == .finished && settlement.verdicts[UnitID(5)] == .finished)
            #expect(settlement.report == .crashed(count: 3, reason: end.description))
        }
        // Each crash counts; the third quarantines the job, and what still runs of it is stopped.
        let policy = CrashPolicy()
        #expect(policy.verdict(crashes: 1) == .resume && policy.verdict(crashes: 2) == .resume)
        #expect(policy.verdict(crashes: 3) == .quarantine)
        #expect(policy.crashMessage(units: 3, reason: "oom", crashes: 2).hasSuffix("(crash 2 of at most 3); they resume from their checkpoints"))
        #expect(policy.crashMessage(units: 1, reason: "oom", crashes: 3).hasSuffix("(crash 3 of at most 3); the job is quarantined"))
        #expect(JobReview().whileRunning(crashes: 3, cancelRequested: false) == .stopRuns(.quarantine))
        #expect(ResubmissionRule().resubmits(cancelRequested: false, crashes: 2))
        #expect(!ResubmissionRule().resubmits(cancelRequested: false, crashes: 3))
    }

    @Test("an administrator `scancel`s a task")
    func administratorCancels() {
        let end = SlurmQueue.taskEnd(state: "CANCELLED", exitStatus: 0, signal: 15)
        let settlement = classifier.settle(end, killedForStall: false, units: silentUnits(2))
        #expect(allResume(settlement, crash: false))
        #expect(settlement.report == .interrupted(count: 2, why: "the Slurm task was cancelled"))
        // Its units are resubmitted while the job's other tasks go on.
        #expect(ResubmissionRule().resubmits(cancelRequested: false, crashes: 0))
    }

    @Test("a task nears its time limit")
    func nearsTimeLimit() {
        // SIGUSR1: the worker checkpoints, reports `stopped` for its units and exits 75, which
        // Slurm records as FAILED with exit status 75.
        let end = SlurmQueue.taskEnd(state: "FAILED", exitStatus: ExitStatus.temporaryFailure.rawValue, signal: 0)
        #expect(end == .exited(75))
        let units = [TaskEndClassifier.Unit(id: UnitID(1), outcome: .stopped), TaskEndClassifier.Unit(id: UnitID(2), outcome: .stopped),
                     TaskEndClassifier.Unit(id: UnitID(3), outcome: .done)]
        let settlement = classifier.settle(end, killedForStall: false, units: units)
        #expect(settlement.resumed == [UnitID(1), UnitID(2)])
        #expect(settlement.crashed.isEmpty)
        #expect(settlement.report == .none)
        // Continued in a new array: room for half an array is enough.
        #expect(ResubmissionRule.hasRoom(free: 500, maximumTasksPerArray: 1000))
        #expect(!ResubmissionRule.hasRoom(free: 499, maximumTasksPerArray: 1000))
    }

    @Test("a task reaches the limit without stopping (`TIMEOUT`)")
    func timeout() {
        for state in ["TIMEOUT", "DEADLINE"] {
            let end = SlurmQueue.taskEnd(state: state, exitStatus: 0, signal: 0)
            let settlement = classifier.settle(end, killedForStall: false, units: silentUnits(2))
            #expect(allResume(settlement, crash: false), "\(state)")
            #expect(settlement.report == .interrupted(count: 2, why: "the Slurm task reached its time limit before it could checkpoint"))
        }
    }

    @Test("a unit reports nothing for `stall_kill` seconds")
    func stallKill() {
        let rule = StallRule(warning: .seconds(60), kill: .seconds(600))
        let units: [Int64: StallRule.Unit] = [1: .init(task: 2, lastHeard: t0, warned: true), 2: .init(task: 2, lastHeard: t0 + .seconds(599), warned: false)]
        #expect(rule.decide(units: units, taskRunningSince: [2: t0], alreadyKilled: [], now: t0 + .seconds(600)).kill == [2: .seconds(600)])
        // The daemon's `scancel` reads as CANCELLED (lost), its SIGKILL as a crash: both count a crash.
        for end in [SlurmQueue.taskEnd(state: "CANCELLED", exitStatus: 0, signal: 9), SlurmQueue.taskEnd(state: "FAILED", exitStatus: 0, signal: 9)] {
            let settlement = classifier.settle(end, killedForStall: true, units: silentUnits(2))
            #expect(allResume(settlement, crash: true), "\(end)")
            #expect(settlement.report == .crashed(count: 2, reason: "stall kill: killed after 600 s without progress"))
        }
    }

    @Test("`slurmctld` restarts or is unreachable")
    func controllerUnreachable() {
        // No sbatch is repeated while it does not answer (the token is looked up instead)…
        var machine = SlurmSubmissionMachine()
        var now = t0
        _ = machine.next(now: now)
        _ = machine.sbatchEnded(.unknown("sbatch: error: Unable to contact slurm controller"), now: now)
        for _ in 0..<20 {
            now = now + .seconds(30)
            if case .run(.lookUp) = machine.next(now: now) { _ = machine.lookUpEnded(.failed("timed out"), now: now) }
            #expect(machine.next(now: now) != .run(.sbatch))
        }
        // … and running tasks go on: their units report through the spool, so silence of the
        // controller is never silence of a unit.
        let rule = StallRule(warning: .seconds(60), kill: .seconds(600))
        let units: [Int64: StallRule.Unit] = [1: .init(task: 0, lastHeard: now - .seconds(2), warned: false)]
        #expect(rule.decide(units: units, taskRunningSince: [0: t0], alreadyKilled: [], now: now) == StallRule.Decision())
    }

    @Test("`sbatch` fails (controller down, timeout)")
    func sbatchFails() {
        #expect(ResubmissionRule.afterRefusal(.temporary("timed out"), alone: true) == .retryLater(requeue: true))
        // With another array of the job running, the job's state is that run's.
        #expect(ResubmissionRule.afterRefusal(.temporary("timed out"), alone: false) == .retryLater(requeue: false))
    }

    @Test("`sbatch` refuses for good (unknown partition, node configuration not available), or a task pends for ever (`PartitionTimeLimit`, `PartitionConfig`, …)")
    func sbatchRefuses() {
        var machine = SlurmSubmissionMachine()
        _ = machine.next(now: t0)
        #expect(machine.sbatchEnded(.refused("sbatch: error: invalid partition specified: gpu"), now: t0) == [.fail("sbatch: error: invalid partition specified: gpu")])
        #expect(ResubmissionRule.afterRefusal(.permanent("invalid partition"), alone: true) == .failJob(now: true))
        #expect(ResubmissionRule.afterRefusal(.permanent("invalid partition"), alone: false) == .failJob(now: false))
        // A submission that can never run fails its job once no other run of it is active.
        #expect(ResubmissionRule.failsJobAfterUnrunnableSubmission(activeRuns: 0))
        #expect(!ResubmissionRule.failsJobAfterUnrunnableSubmission(activeRuns: 1))
    }

    @Test("the daemon stops or crashes")
    func daemonStopsOrCrashes() {
        // Arrays keep running: the next start looks the array up by its token and follows it.
        var adopted = SlurmSubmissionMachine(adoptedAfterRestart: ())
        #expect(adopted.next(now: t0) == .run(.lookUp))
        #expect(adopted.lookUpEnded(.found(["812"]), now: t0) == [.follow("812", adopted: true)])
        // Local workers died with it: their units resume, without a crash.
        let settlement = classifier.settle(.lost("its daemon stopped while it ran"), killedForStall: false, units: silentUnits(4))
        #expect(allResume(settlement, crash: false))
    }

    @Test("the daemon dies between `sbatch` and recording the id")
    func diesBetweenSbatchAndRecording() {
        // The restarted daemon finds the array by its comment (the token) — never a second array.
        var adopted = SlurmSubmissionMachine(adoptedAfterRestart: ())
        #expect(adopted.next(now: t0) == .run(.lookUp))
        #expect(adopted.lookUpEnded(.found(["90"]), now: t0) == [.follow("90", adopted: true)])
        #expect(adopted.next(now: t0) == .done)
        #expect(adopted.submitAttempts == 0)
    }

    @Test("an array of this store that no open submission accounts for")
    func strayArray() {
        let queue: [(arrayJobID: String, comment: String)] = [("10", "sgdyn-abc-j1-x"), ("11", "sgdyn-abc-j2-y"), ("12", "sgdyn-other-j2-y")]
        let strays = SlurmQueueReconciliation.strays(queue: queue, storePrefix: "sgdyn-abc-", followed: ["sgdyn-abc-j1-x": "10"], submitting: [])
        #expect(strays.map(\.arrayJobID) == ["11"])
    }

    @Test("Slurm forgets a finished job (no accounting, `MinJobAge`)")
    func slurmForgets() {
        // The spool decides: units whose outcome file says they finished are finished; the others
        // resume — without a crash when the task was seen running and left nothing…
        let units = [TaskEndClassifier.Unit(id: UnitID(1), outcome: .done), TaskEndClassifier.Unit(id: UnitID(2), outcome: .failed),
                     TaskEndClassifier.Unit(id: UnitID(3), outcome: nil)]
        let lost = classifier.settle(SlurmQueue.forgottenTaskEnd(seenRunning: true, output: nil), killedForStall: false, units: units)
        #expect(lost.verdicts == [UnitID(1): .finished, UnitID(2): .finished, UnitID(3): .resumeWithoutCrash])
        // … with one when it left output (it ran and ended before its work was done) or never
        // started properly, so a task that fails at once is never requeued for ever.
        for end in [SlurmQueue.forgottenTaskEnd(seenRunning: true, output: "worker: cannot open spool\n"),
                    SlurmQueue.forgottenTaskEnd(seenRunning: false, output: nil)] {
            let settlement = classifier.settle(end, killedForStall: false, units: units)
            #expect(settlement.verdicts == [UnitID(1): .finished, UnitID(2): .finished, UnitID(3): .resumeWithCrash], "\(end)")
        }
        // Every unit reported: nothing resumes whatever Slurm says.
        let finished = [TaskEndClassifier.Unit(id: UnitID(1), outcome: .done), TaskEndClassifier.Unit(id: UnitID(2), outcome: .diverged)]
        #expect(classifier.settle(SlurmQueue.forgottenTaskEnd(seenRunning: false, output: nil), killedForStall: false, units: finished).report == .none)
    }

    @Test("`sgdyn cancel NAME`")
    func cancel() {
        let review = JobReview()
        // Running: every run is asked to stop (SIGUSR1: checkpoint and stop), even a job about to
        // be quarantined.
        #expect(review.whileRunning(crashes: 0, cancelRequested: true) == .stopRuns(.cancel))
        #expect(review.whileRunning(crashes: 5, cancelRequested: true) == .stopRuns(.cancel))
        #expect(!ResubmissionRule().resubmits(cancelRequested: true, crashes: 0))
        // Once nothing runs, it ends cancelled (what finished is published), before any other outcome.
        #expect(review.decide(.init(cancelRequested: true, crashes: 3, firstFailed: .init(index: 2, error: "x"), allDone: true)) == .cancel)
        // Its stopped units resume no more, and none counts a crash.
        let stopped = classifier.settle(.exited(75), killedForStall: false, units: [.init(id: UnitID(1), outcome: .stopped)])
        #expect(stopped.crashed.isEmpty)
    }

    // MARK: The daemon (local workers)

    @Test("a worker traps or is killed by the OOM killer")
    func localWorkerCrashes() {
        for termination in [ProcessTermination.signalled(4), .signalled(9), .exited(1)] {
            let end = LocalExecutor.taskEnd(termination)
            let settlement = classifier.settle(end, killedForStall: false,
                                               units: silentUnits(2) + [.init(id: UnitID(3), outcome: .done)])
            #expect(settlement.crashed == [UnitID(1), UnitID(2)], "\(termination)")
            #expect(settlement.verdicts[UnitID(3)] == .finished)
        }
        // A clean exit that left a unit without a readable outcome is a crash too, or that unit
        // would restart for ever.
        let clean = classifier.settle(LocalExecutor.taskEnd(.exited(0)), killedForStall: false, units: silentUnits(1))
        #expect(clean.report == .crashed(count: 1, reason: "its worker exited without leaving a readable outcome"))
    }

    @Test("a job with a unit that crashed three times is quarantined")
    func quarantine() {
        let review = JobReview()
        #expect(review.decide(.init(crashes: 2)) == .resume(byShutdown: false))
        #expect(review.decide(.init(crashes: 3, lastCrashError: "the worker process was killed by signal 9"))
                == .quarantine(reason: "a unit ended without finishing 3 times (last: the worker process was killed by signal 9); quarantined so the other jobs can run"))
        // Quarantine wins over a failed unit and over all done; cancel wins over quarantine.
        #expect(review.decide(.init(crashes: 3, firstFailed: .init(index: 0, error: nil), allDone: true)) == .quarantine(
            reason: "a unit ended without finishing 3 times (last: its worker died); quarantined so the other jobs can run"))
        #expect(review.decide(.init(cancelRequested: true, crashes: 3)) == .cancel)
        #expect(review.whileRunning(crashes: 2, cancelRequested: false) == .wait)
    }

    @Test("a unit that reports nothing for `stall_warning` seconds is warned about; after `stall_kill` its worker is killed")
    func localStall() {
        let rule = StallRule(warning: .seconds(2), kill: .seconds(6))
        let units: [Int64: StallRule.Unit] = [1: .init(task: 0, lastHeard: t0, warned: false)]
        #expect(rule.decide(units: units, taskRunningSince: [0: t0], alreadyKilled: [], now: t0 + .seconds(2)).warn == [1: .seconds(2)])
        var warned = units
        warned[1]?.warned = true
        #expect(rule.decide(units: warned, taskRunningSince: [0: t0], alreadyKilled: [], now: t0 + .seconds(6)).kill == [0: .seconds(6)])
        // The killed worker's SIGKILL: its units resume from their checkpoints, counted as a crash.
        let settlement = TaskEndClassifier(stallKill: 6).settle(LocalExecutor.taskEnd(.signalled(9)), killedForStall: true, units: silentUnits(1))
        #expect(settlement.report == .crashed(count: 1, reason: "stall kill: killed after 6 s without progress"))
    }

    @Test("a bundle that cannot be written for a reason that may pass is retried with backoff")
    func publishRetried() {
        let failed = PublishRetry.WriterEnd(CommandResult(termination: .exited(75), standardOutput: "",
                                                          standardError: "cannot write outbox/job: Permission denied\n", timedOut: false))
        #expect(failed == .temporaryFailure("cannot write outbox/job: Permission denied"))
        // 5 s, doubling, at most every 10 minutes; a temporary failure never gives up.
        let delays = (0..<12).map { attempts -> Double in
            guard case .retry(let delay, _) = PublishRetry.decide(failed, failedAttempts: attempts) else { return -1 }
            return delay
        }
        #expect(delays == [5, 10, 20, 40, 80, 160, 320, 600, 600, 600, 600, 600])
        #expect(PublishRetry.decide(.notStarted("fork failed"), failedAttempts: 40)
                == .retry(delay: 600, reason: "the bundle writer could not be started: fork failed"))
        // A writer that crashes (a signal, a timeout) is retried, but five crashes leave it unpublished.
        let crashed = PublishRetry.WriterEnd(CommandResult(termination: .signalled(11), standardOutput: "", standardError: "", timedOut: false))
        #expect(PublishRetry.decide(crashed, failedAttempts: 3) == .retry(delay: 40, reason: "was killed by signal 11"))
        #expect(PublishRetry.decide(crashed, failedAttempts: 4) == .unpublished(error: "was killed by signal 11", crashes: 5))
        let written = PublishRetry.WriterEnd(CommandResult(termination: .exited(0), standardOutput: "writing\n/srv/outbox/sweep-2\n",
                                                           standardError: "", timedOut: false))
        #expect(PublishRetry.decide(written, failedAttempts: 2) == .published(path: "/srv/outbox/sweep-2"))
    }

    @Test("a bundle that retrying cannot fix leaves the job unpublished")
    func publishGivesUp() {
        let refused = PublishRetry.WriterEnd(CommandResult(termination: .exited(ExitStatus.failed.rawValue), standardOutput: "",
                                                           standardError: "cannot read the results of unit 3: damaged\n", timedOut: false))
        #expect(PublishRetry.decide(refused, failedAttempts: 0) == .unpublished(error: "cannot read the results of unit 3: damaged", crashes: nil))
    }

    @Test("a job file is claimed but the store cannot record it (locked beyond its busy timeout, disk full)")
    func claimNotRecorded() {
        var claims = UnrecordedClaims()
        let now = t0
        claims.started("b.json")  // being prepared off the loop: never admitted twice
        let logged = claims.recordingFailed(now: now)
        #expect(logged)
        #expect(!claims.isDue(now: now + .milliseconds(999)))
        #expect(claims.isDue(now: now + .seconds(1)))
        claims.beginPass()
        #expect(claims.namesToAdmit(claimed: ["a.json", "b.json", "c.json"], known: ["c.json"]) == ["a.json"])
        claims.endPass()
        #expect(claims.retryAt == nil && claims.failures == 0)
    }

    @Test("another process holds the job store locked (an operator's sqlite3, a backup)")
    func storeLocked() {
        var outage = StoreOutage()
        let busy = JobStoreError.busy(path: "state/sgdyn.sqlite")
        #expect(outage.failed(busy, now: t0) == .began)  // logged once, when it begins
        #expect(!outage.mayUseStore(now: t0 + .milliseconds(499)))  // passes leave the store alone
        #expect(outage.mayUseStore(now: t0 + .milliseconds(500)))  // and probe it soon
        #expect(outage.failed(busy, now: t0 + .milliseconds(500)) == .continues(log: false))
        #expect(outage.succeeded(now: t0 + .seconds(3)) == .seconds(3))  // the lock is gone: work resumes
        #expect(outage.failed(JobStoreError.diskFull(path: "state"), now: t0) == .notAnOutage)  // the disk rule's case
    }

    @Test("the outbox or state folder has less than `min_free_mb` free")
    func fullDisk() {
        let rule = DiskSpaceRule(minimumFreeBytes: 100 << 20)
        let low: [(path: String, bytes: Int64?)] = [("outbox", 500 << 20), ("state", 20 << 20)]
        let fine: [(path: String, bytes: Int64?)] = [("outbox", 500 << 20), ("state", nil)]
        #expect(rule.decide(phase: .serving, free: low) == .pause(path: "state", freeBytes: 20 << 20, announce: true))
        #expect(rule.decide(phase: .pausedForDisk(path: "state", freeBytes: 30 << 20), free: low) == .pause(path: "state", freeBytes: 20 << 20, announce: false))
        #expect(rule.decide(phase: .pausedForDisk(path: "state", freeBytes: 20 << 20), free: fine) == .serve(announce: true))
        #expect(rule.decide(phase: .serving, free: fine) == .serve(announce: false))
        #expect(rule.decide(phase: .draining(deadline: t0), free: low) == .ignore)
        #expect(rule.decide(phase: .starting, free: low) == .ignore)
        // A worker whose files hit a full disk stops (exit 75) instead of failing: no crash.
        let settlement = classifier.settle(LocalExecutor.taskEnd(.exited(75)), killedForStall: false, units: silentUnits(2))
        #expect(allResume(settlement, crash: false))
        // The job store that cannot record it gives up the reserve and retries until it can.
        #expect(RecordRetry.releasesReserve(after: JobStoreError.diskFull(path: "state")))
        #expect(!RecordRetry.releasesReserve(after: JobStoreError.tooBig(path: "state")))
        #expect((1...8).map { RecordRetry.delay(afterAttempt: $0) } == [1, 2, 4, 8, 16, 30, 30, 30].map { Duration.seconds($0) })
        #expect((1...21).filter(RecordRetry.logs) == [1, 10, 20])
    }

    @Test("a spool file the daemon wrote is damaged or missing when a worker needs it")
    func spoolDamaged() {
        // Checked only for a failure: a done, diverged or stopped unit is taken at its word.
        #expect(OutcomeRule.checksSpool(.failed))
        #expect(![UnitOutcome.Kind.done, .diverged, .stopped].contains(where: OutcomeRule.checksSpool))
        let damaged = OutcomeRule.decide(.failed, message: "cannot read work.unit", divergedAt: nil,
                                         spoolDamage: "its work file spool/work.unit is damaged")
        #expect(damaged == .resumeAfterSpoolDamage("its work file spool/work.unit is damaged"))
        // Taken as stopped: its task's end resumes it without a crash.
        let settlement = classifier.settle(.exited(0), killedForStall: false, units: [.init(id: UnitID(1), outcome: .stopped)])
        #expect(settlement.resumed == [UnitID(1)] && settlement.crashed.isEmpty)
        // Only a failure with intact spool files fails the unit.
        #expect(OutcomeRule.decide(.failed, message: "unknown activation", divergedAt: nil, spoolDamage: nil) == .fail("unknown activation"))
        #expect(OutcomeRule.decide(.diverged, message: "", divergedAt: 12.5, spoolDamage: nil) == .complete(divergedAt: 12.5))
        #expect(OutcomeRule.decide(.stopped, message: "", divergedAt: nil, spoolDamage: nil) == .awaitTaskEnd)
    }

    @Test("SIGTERM stops the daemon while a job runs")
    func shutdown() {
        let settlement = classifier.settle(LocalExecutor.taskEnd(.exited(75)), killedForStall: false,
                                           units: [.init(id: UnitID(1), outcome: .stopped), .init(id: UnitID(2), outcome: nil)])
        #expect(settlement.crashed.isEmpty && settlement.resumed == [UnitID(1), UnitID(2)])
        #expect(JobReview().decide(.init(draining: true)) == .resume(byShutdown: true))
        // A local batch whose every unit finished is not an interruption: the next batch runs.
        #expect(JobReview().decide(.init(batchFinished: true)) == .nextBatch)
        #expect(JobReview().decide(.init(running: false)) == .none)
    }
}
