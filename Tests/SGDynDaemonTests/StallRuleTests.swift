import Testing
@testable import SGDynDaemon

/// The stall decision (issue 17, item 1): silence counts from when a unit starts computing, never
/// while it waits for a thread or in Slurm's queue; a task silent as a whole since it began running
/// is killed too.
@Suite("Stall rule: silence from when a unit starts")
struct StallRuleTests {
    let rule = StallRule(warning: .seconds(2), kill: .seconds(6))
    let t0 = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .seconds(seconds) }

    @Test("units waiting behind the job's other units are never warned about or killed, however long they wait")
    func waitingNeverCounts() {
        // One worker, 2 threads, 20 units: two run and report every 2 s, 18 wait for an hour.
        var units: [Int64: StallRule.Unit] = [:]
        for id in Int64(1)...20 { units[id] = StallRule.Unit(task: 0, lastHeard: nil, warned: false) }
        units[1]?.lastHeard = at(3600 - 1)
        units[2]?.lastHeard = at(3600 - 0.5)
        let decision = rule.decide(units: units, taskRunningSince: [0: t0], alreadyKilled: [], now: at(3600))
        #expect(decision == StallRule.Decision())
    }

    @Test("a started unit silent past the warning is warned about once; past the kill its task is killed")
    func startedUnitSilence() {
        let quiet = [Int64(7): StallRule.Unit(task: 3, lastHeard: at(0), warned: false)]
        #expect(rule.decide(units: quiet, taskRunningSince: [3: t0], alreadyKilled: [], now: at(1.9)) == StallRule.Decision())
        #expect(rule.decide(units: quiet, taskRunningSince: [3: t0], alreadyKilled: [], now: at(2)).warn == [7: .seconds(2)])
        let warned = [Int64(7): StallRule.Unit(task: 3, lastHeard: at(0), warned: true)]
        #expect(rule.decide(units: warned, taskRunningSince: [3: t0], alreadyKilled: [], now: at(4)) == StallRule.Decision())
        #expect(rule.decide(units: warned, taskRunningSince: [3: t0], alreadyKilled: [], now: at(6)).kill == [3: .seconds(6)])
        // Killed once: its end is awaited, it is not killed again.
        #expect(rule.decide(units: warned, taskRunningSince: [3: t0], alreadyKilled: [3], now: at(60)).kill.isEmpty)
    }

    @Test("a warned unit that reports again is taken back")
    func recovery() {
        let units = [Int64(7): StallRule.Unit(task: 0, lastHeard: at(10), warned: true)]
        #expect(rule.decide(units: units, taskRunningSince: [0: t0], alreadyKilled: [], now: at(11)).recovered == [7])
    }

    @Test("a task that runs but none of whose units ever reported is killed after the kill time from its start")
    func hungBeforeAnyUnitStarts() {
        let units = [Int64(1): StallRule.Unit(task: 0, lastHeard: nil, warned: false),
                     Int64(2): StallRule.Unit(task: 0, lastHeard: nil, warned: false)]
        #expect(rule.decide(units: units, taskRunningSince: [0: at(100)], alreadyKilled: [], now: at(105.9)).kill.isEmpty)
        #expect(rule.decide(units: units, taskRunningSince: [0: at(100)], alreadyKilled: [], now: at(106)).kill == [0: .seconds(6)])
    }

    @Test("a Slurm task still pending (not running) is never judged, however long it waits")
    func pendingTaskNeverCounts() {
        let units = [Int64(1): StallRule.Unit(task: 0, lastHeard: nil, warned: false),
                     Int64(2): StallRule.Unit(task: 1, lastHeard: at(0), warned: false)]
        let decision = rule.decide(units: units, taskRunningSince: [1: t0], alreadyKilled: [], now: at(1))
        #expect(decision == StallRule.Decision())
        let later = rule.decide(units: units, taskRunningSince: [1: t0], alreadyKilled: [], now: at(100))
        #expect(later.kill == [1: .seconds(100)])
    }
}
