import Foundation
import Testing
@testable import SGDynDaemon
import SGDynJobs

/// The Slurm submission decisions, without Slurm: idempotent sbatch (look the token up before any
/// retry, adopt what Slurm took, cancel duplicates), strays, the cluster's limits, task ends.
@Suite("Slurm submission decisions")
struct SlurmSubmissionTests {
    let t0 = ContinuousClock.now

    @Test("a clean sbatch is followed at once")
    func accepted() {
        var machine = SlurmSubmissionMachine()
        #expect(machine.next(now: t0) == .run(.sbatch))
        #expect(machine.sbatchEnded(.accepted("41"), now: t0) == [.follow("41", adopted: false)])
        #expect(machine.next(now: t0) == .done)
    }

    @Test("after an sbatch without a clear answer the token is looked up before any retry, with a back-off")
    func lookUpBeforeRetry() {
        var machine = SlurmSubmissionMachine()
        _ = machine.next(now: t0)
        let effects = machine.sbatchEnded(.unknown("timed out"), now: t0)
        #expect(effects.count == 1)
        guard case .wait(let until) = machine.next(now: t0) else { Issue.record("expected a wait"); return }
        #expect(until > t0)
        #expect(machine.next(now: until) == .run(.lookUp))
        // Not found: only then sbatch again.
        #expect(machine.lookUpEnded(.found([]), now: until).isEmpty)
        #expect(machine.next(now: until) == .run(.sbatch))
        #expect(machine.submitAttempts == 2)
    }

    @Test("a controller that hangs for minutes never gets a second sbatch: only look-ups until it answers")
    func hungController() {
        var machine = SlurmSubmissionMachine()
        var now = t0
        _ = machine.next(now: now)
        _ = machine.sbatchEnded(.unknown("timed out"), now: now)
        var sbatches = 1
        for _ in 0..<50 {
            now = now + .seconds(30)
            switch machine.next(now: now) {
            case .run(.sbatch): sbatches += 1; _ = machine.sbatchEnded(.unknown("timed out"), now: now)
            case .run(.lookUp): _ = machine.lookUpEnded(.failed("timed out"), now: now)
            default: break
            }
        }
        #expect(sbatches == 1)
        // It answers: the first sbatch had been taken (twice, by a retry inside sbatch): follow the
        // oldest, cancel the other.
        while machine.next(now: now) != .run(.lookUp) { now = now + .seconds(1) }
        let effects = machine.lookUpEnded(.found(["107", "99"]), now: now)
        #expect(effects.contains(.follow("99", adopted: true)))
        #expect(effects.contains(.cancel(["107"])))
        #expect(machine.next(now: now) == .done)
    }

    @Test("a refusal fails the submission; an adopted submission not in the queue ends unrun, never resubmitted")
    func refusalsAndAdoption() {
        var machine = SlurmSubmissionMachine()
        _ = machine.next(now: t0)
        #expect(machine.sbatchEnded(.refused("sbatch: error: invalid partition"), now: t0) == [.fail("sbatch: error: invalid partition")])
        var adopted = SlurmSubmissionMachine(adoptedAfterRestart: ())
        #expect(adopted.next(now: t0) == .run(.lookUp))
        let effects = adopted.lookUpEnded(.found([]), now: t0)
        guard case .endUnrun = effects.first else { Issue.record("expected endUnrun, got \(effects)"); return }
        #expect(adopted.next(now: t0) == .done)
    }

    @Test("a stop before Slurm answered: no more sbatch; what Slurm took is cancelled")
    func stopWhileUnknown() {
        var machine = SlurmSubmissionMachine()
        _ = machine.next(now: t0)
        _ = machine.sbatchEnded(.unknown("timed out"), now: t0)
        #expect(machine.requestStop().isEmpty)
        var now = t0
        while machine.next(now: now) != .run(.lookUp) { now = now + .seconds(1) }
        let effects = machine.lookUpEnded(.found(["5"]), now: now)
        #expect(effects.contains(.cancel(["5"])))
        var fresh = SlurmSubmissionMachine()
        guard case .endUnrun = fresh.requestStop().first else { Issue.record("a never-submitted stop ends at once"); return }
    }

    @Test("strays: duplicates of a followed token and arrays nobody knows are cancelled; other stores' and pending ones are left")
    func strays() {
        let queue: [(arrayJobID: String, comment: String)] = [
            ("10", "sgdyn-abc-j1-x"), ("10", "sgdyn-abc-j1-x"), ("11", "sgdyn-abc-j1-x"),
            ("12", "sgdyn-abc-j2-y"), ("13", "sgdyn-abc-j3-z"), ("14", "sgdyn-other-j1-x"), ("15", "someone else"),
        ]
        let strays = SlurmQueueReconciliation.strays(queue: queue, storePrefix: "sgdyn-abc-", followed: ["sgdyn-abc-j1-x": "10"],
                                                     submitting: ["sgdyn-abc-j3-z"])
        #expect(strays.map(\.arrayJobID) == ["11", "12"])
    }

    @Test("the cluster's limits come from scontrol show config")
    func limits() {
        let output = """
            Configuration data as of 2026-12-06T01:00:00
            MaxArraySize            = 101
            MaxJobCount             = 300
            MinJobAge               = 10 sec
            """
        let limits = SlurmClusterLimits.parse(scontrolShowConfig: output)
        #expect(limits == SlurmClusterLimits(maxArraySize: 101, maxJobCount: 300, minJobAge: 10))
        #expect(limits?.taskBudget == 150)
        #expect(SlurmClusterLimits.parse(scontrolShowConfig: "slurm_load_ctl_conf error: Unable to contact slurm controller") == nil)
    }

    @Test("task ends: the output names the reason; SIGKILL reads as out of memory; a forgotten task that left output crashed")
    func taskEnds() {
        let notFound = SlurmQueue.taskEnd(state: "FAILED", exitStatus: 127, signal: 0,
                                          output: "/spool/job-1/submission-1.sbatch: 3: exec: /nope/sgdyn: not found\n")
        #expect(notFound == .crashed(#"the Slurm task failed (exit status 127); its output ends: "/spool/job-1/submission-1.sbatch: 3: exec: /nope/sgdyn: not found""#))
        guard case .crashed(let killed) = SlurmQueue.taskEnd(state: "FAILED", exitStatus: 0, signal: 9) else { Issue.record(); return }
        #expect(killed.contains("out of memory"))
        guard case .crashed = SlurmQueue.forgottenTaskEnd(seenRunning: false, output: "oops") else { Issue.record(); return }
        guard case .crashed = SlurmQueue.forgottenTaskEnd(seenRunning: false, output: nil) else { Issue.record(); return }
        guard case .lost = SlurmQueue.forgottenTaskEnd(seenRunning: true, output: nil) else { Issue.record(); return }
        #expect(!SlurmQueue.isFinal("PENDING") && SlurmQueue.isFinal("FAILED"))
    }

    @Test("sbatch's own message is not prefixed twice")
    func message() {
        let result = CommandResult(termination: .exited(1), standardOutput: "",
                                   standardError: "sbatch: error: Batch job submission failed: Invalid partition name specified\n", timedOut: false)
        let error = SlurmExecutor.classifySubmissionFailure(result)
        #expect(error == .permanent("sbatch: error: Batch job submission failed: Invalid partition name specified"))
    }
}

/// Reports name whom they were computed for; the spool's folders are private.
@Suite("Spool trust")
struct SpoolTrustTests {
    @Test("a report copied from another unit, attempt or job is told apart from this unit's own")
    func identity() throws {
        let mine = ReportIdentity(token: "sgdyn-s-j1-a", unit: 7, attempt: 2, workSHA256: "abc")
        let outcome = UnitReport.outcome(UnitOutcome(kind: .done, progress: UnitProgress(stepsDone: 1, totalSteps: 1, wallSeconds: 0, latestEg: nil, writtenAt: 0)))
        let decoded = try UnitReport.decode(outcome.encoded(for: mine))
        #expect(decoded.identity == mine && decoded.identity.matches(mine, for: decoded.report))
        for other in [ReportIdentity(token: "sgdyn-s-j2-b", unit: 7, attempt: 2, workSHA256: "abc"),
                      ReportIdentity(token: "sgdyn-s-j1-a", unit: 8, attempt: 2, workSHA256: "abc"),
                      ReportIdentity(token: "sgdyn-s-j1-a", unit: 7, attempt: 1, workSHA256: "abc"),
                      ReportIdentity(token: "sgdyn-s-j1-a", unit: 7, attempt: 2, workSHA256: "abd"),
                      ReportIdentity(token: "sgdyn-s-j1-a", unit: 7, attempt: 2, workSHA256: "")] {
            let copied = try UnitReport.decode(outcome.encoded(for: other))
            #expect(!copied.identity.matches(mine, for: copied.report), "\(other)")
        }
        // A worker that could not read the work may still report that it failed.
        let failed = UnitReport.outcome(UnitOutcome(kind: .failed, progress: UnitProgress(stepsDone: 0, totalSteps: 0, wallSeconds: 0, latestEg: nil, writtenAt: 0),
                                                    message: "cannot read"))
        let unread = ReportIdentity(token: "sgdyn-s-j1-a", unit: 7, attempt: 2, workSHA256: "")
        #expect(unread.matches(mine, for: failed))
    }

    @Test("a spool folder that is a symlink, someone else's or writable by others is distrusted")
    func folders() {
        let uid: uid_t = 1000
        #expect(PrivateFolder.distrust(mode: S_IFDIR | 0o700, owner: uid, uid: uid) == nil)
        #expect(PrivateFolder.distrust(mode: S_IFDIR | 0o750, owner: uid, uid: uid) == nil)
        #expect(PrivateFolder.distrust(mode: S_IFDIR | 0o1777, owner: uid, uid: uid) != nil)
        #expect(PrivateFolder.distrust(mode: S_IFDIR | 0o770, owner: uid, uid: uid) != nil)
        #expect(PrivateFolder.distrust(mode: S_IFDIR | 0o700, owner: 0, uid: uid) != nil)
        #expect(PrivateFolder.distrust(mode: S_IFLNK | 0o777, owner: uid, uid: uid) != nil)
    }

    @Test("job folders are made private and a planted symlink is refused, not followed")
    func plantedSymlink() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try PrivateFolder.checkRoot(root)
        try PrivateFolder.make(root: root, ["job-1", "unit-1", "attempt-1"])
        var info = stat()
        #expect(stat(root + "/job-1/unit-1/attempt-1", &info) == 0 && info.st_mode & 0o777 == 0o700)
        let elsewhere = root + "-elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        #expect(symlink(elsewhere, root + "/job-2") == 0)
        #expect(throws: SystemError.self) { try PrivateFolder.make(root: root, ["job-2", "unit-1"]) }
        #expect(!FileManager.default.fileExists(atPath: elsewhere + "/unit-1"))
        chmod(root, 0o777)
        #expect(throws: ConfigurationError.self) { try PrivateFolder.checkRoot(root) }
    }
}
