import Testing
@testable import SGDynDaemon
import SGDynStore

/// The decision values' own edges, beyond the failure-table rows (`FailureTableTests`): the order
/// of a job's outcomes, how a planned submission is cut into arrays, which unit counts a crash.
@Suite("Daemon decisions: edges")
struct DecisionRuleTests {
    @Test("a job's outcome: cancel, then quarantine, then a failed unit, then all done; a queued job with units left is left alone")
    func reviewOrder() {
        let review = JobReview()
        let failed = JobReview.FailedUnit(index: 4, error: nil)
        #expect(review.decide(.init(crashes: 2, firstFailed: failed, allDone: true)) == .fail(reason: "unit 4 could not be computed: unknown error"))
        #expect(review.decide(.init(allDone: true, diverged: 2)) == .publish(diverged: 2))
        #expect(review.decide(.init(running: false, allDone: true)) == .publish(diverged: 0))
        #expect(review.decide(.init(crashes: 3, jobError: "was killed by signal 6")) == .quarantine(
            reason: "a unit ended without finishing 3 times (last: was killed by signal 6); quarantined so the other jobs can run"))
        #expect(review.decide(.init(running: false)) == .none)
        #expect(review.decide(.init(batchFinished: true, draining: true)) == .nextBatch)
        #expect(review.decide(.init()) == .resume(byShutdown: false))
    }

    @Test("a planned submission goes whole when it fits; otherwise as much as fits once half an array fits; a local one is never cut")
    func arrayCut() {
        #expect(ResubmissionRule.cut(tasks: 10, free: 10, arrayLimit: 1000, splits: true) == .all)
        #expect(ResubmissionRule.cut(tasks: 3000, free: 5000, arrayLimit: 1000, splits: true) == .first(1000))
        #expect(ResubmissionRule.cut(tasks: 3000, free: 600, arrayLimit: 1000, splits: true) == .first(600))
        #expect(ResubmissionRule.cut(tasks: 3000, free: 499, arrayLimit: 1000, splits: true) == .wait)
        #expect(ResubmissionRule.cut(tasks: 2, free: 1, arrayLimit: 1, splits: true) == .first(1))
        #expect(ResubmissionRule.cut(tasks: 2, free: 0, arrayLimit: 1, splits: true) == .wait)
        #expect(ResubmissionRule.cut(tasks: 1, free: 0, arrayLimit: 1, splits: false) == .all)
        #expect(ResubmissionRule.hasRoom(free: 1, maximumTasksPerArray: 1))
        #expect(!ResubmissionRule.hasRoom(free: 0, maximumTasksPerArray: 1))
    }

    @Test("only units without an outcome count a crash; stopped ones resume without, finished and failed ones stay")
    func whichUnitsCrash() {
        let classifier = TaskEndClassifier(stallKill: 30)
        let units: [TaskEndClassifier.Unit] = [.init(id: UnitID(1), outcome: nil), .init(id: UnitID(2), outcome: .stopped),
                                               .init(id: UnitID(3), outcome: .failed), .init(id: UnitID(4), outcome: .done)]
        let crash = classifier.settle(.crashed("was killed by signal 6"), killedForStall: false, units: units)
        #expect(crash.verdicts == [UnitID(1): .resumeWithCrash, UnitID(2): .resumeWithoutCrash, UnitID(3): .finished, UnitID(4): .finished])
        #expect(crash.report == .crashed(count: 1, reason: "was killed by signal 6"))
        // Lost with only stopped units left: interrupted, no crash.
        let lost = classifier.settle(.lost("the Slurm task's node failed"), killedForStall: false, units: Array(units.dropFirst()))
        #expect(lost.report == .interrupted(count: 1, why: "the Slurm task's node failed"))
        // Killed for silence but every unit had stopped: nothing crashes.
        #expect(classifier.settle(.crashed("x"), killedForStall: true, units: Array(units.dropFirst())).crashed.isEmpty)
        // An exit 75 says nothing on its own.
        #expect(classifier.settle(.exited(75), killedForStall: false, units: [units[0]]).report == .none)
        #expect(classifier.settle(.exited(75), killedForStall: false, units: []).verdicts.isEmpty)
    }
}
