import SGDynStore
import Testing
@testable import SGDynDaemon

/// `StoreOutage`: another process's lock on the job store opens an outage in which the loop
/// leaves the store alone until the next probe; probes follow after 0.5, 1, 2, 4, then every 5 s;
/// the first success ends it; failures that are not a lock never open one.
@Suite("Daemon decisions: a job store locked by another process")
struct StoreOutageTests {
    let start = ContinuousClock.now
    let busy = JobStoreError.busy(path: "state/sgdyn.sqlite")

    @Test("while the store answers, it may always be used")
    func answering() {
        let outage = StoreOutage()
        #expect(outage.mayUseStore(now: start))
        #expect(outage.waitBeforeProbe(now: start) == .zero)
        #expect(outage.since == nil)
    }

    @Test("a busy failure opens an outage: no store work until the probe, probes after 0.5, 1, 2, 4, then every 5 s")
    func probes() {
        var outage = StoreOutage()
        var now = start
        var waits: [Duration] = []
        var results: [StoreOutage.Failure] = []
        for _ in 1...12 {
            results.append(outage.failed(busy, now: now))
            let wait = outage.waitBeforeProbe(now: now)
            waits.append(wait)
            #expect(!outage.mayUseStore(now: now), "no store work right after a busy failure")
            #expect(!outage.mayUseStore(now: now + wait - .milliseconds(1)))
            #expect(outage.mayUseStore(now: now + wait), "the probe is due")
            now = now + wait
        }
        #expect(waits == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4)] + Array(repeating: .seconds(5), count: 8))
        #expect(results.first == .began)
        #expect(results.dropFirst().map { $0 == .continues(log: true) } == (2...12).map { $0 % 10 == 0 },
                "logged when it begins and every tenth failure after")
        #expect(outage.since == start)
    }

    @Test("the first success ends the outage, says how long it lasted, and the back-off starts over")
    func recovery() {
        var outage = StoreOutage()
        _ = outage.failed(busy, now: start)
        _ = outage.failed(busy, now: start + .seconds(1))
        #expect(outage.succeeded(now: start + .seconds(7)) == .seconds(7))
        #expect(outage == StoreOutage())
        #expect(outage.mayUseStore(now: start + .seconds(7)))
        #expect(outage.succeeded(now: start + .seconds(8)) == nil, "no outage, nothing to report")
        #expect(outage.failed(busy, now: start + .seconds(9)) == .began)
        #expect(outage.waitBeforeProbe(now: start + .seconds(9)) == .milliseconds(500), "a new outage probes soon again")
    }

    @Test("failures that are not a lock are not an outage: a full disk, damage, a refused transition",
          arguments: [JobStoreError.diskFull(path: "s"), .sqlite(path: "s", message: "I/O error"), .tooBig(path: "s"),
                      .integrityCheckFailed(path: "s", report: ["bad"])])
    func otherFailures(error: JobStoreError) {
        var outage = StoreOutage()
        #expect(outage.failed(error, now: start) == .notAnOutage)
        #expect(outage.mayUseStore(now: start))
        #expect(outage == StoreOutage())
        #expect(!StoreOutage.isOutage(error))
        #expect(StoreOutage.isOutage(busy))
    }
}
