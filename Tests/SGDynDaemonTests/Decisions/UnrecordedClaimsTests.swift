import Testing
@testable import SGDynDaemon

/// `UnrecordedClaims`: a claimed job file whose admission the store could not record is admitted
/// again after a back-off, never while it is still being prepared off the loop, and the back-off
/// starts over once a pass records everything.
@Suite("Daemon decisions: claimed files not recorded")
struct UnrecordedClaimsTests {
    let start = ContinuousClock.now

    @Test("nothing pending: no retry is ever due")
    func idle() {
        let claims = UnrecordedClaims()
        #expect(!claims.isDue(now: start))
        #expect(!claims.isDue(now: start + .seconds(3600)))
    }

    @Test("a failed write is retried after 1, 2, 4, … up to 30 s, logged the first time and every tenth")
    func backOff() {
        var claims = UnrecordedClaims()
        var now = start
        var logged: [Int] = []
        var waits: [Int] = []
        for attempt in 1...12 {
            if claims.recordingFailed(now: now) { logged.append(attempt) }
            let wait = Int(claims.retryAt.map { ($0 - now).seconds } ?? -1)
            waits.append(wait)
            #expect(!claims.isDue(now: now + .seconds(wait) - .milliseconds(1)))
            #expect(claims.isDue(now: now + .seconds(wait)))
            now = now + .seconds(wait)
            claims.beginPass()
            #expect(!claims.isDue(now: now + .seconds(3600)), "a pass that has begun is not due again until it fails")
        }
        #expect(waits == [1, 2, 4, 8, 16, 30, 30, 30, 30, 30, 30, 30])
        #expect(logged == [1, 10])
    }

    @Test("a pass without failures resets the back-off; one with a failure keeps it growing")
    func reset() {
        var claims = UnrecordedClaims()
        claims.recordingFailed(now: start)
        claims.recordingFailed(now: start)
        claims.beginPass()
        claims.recordingFailed(now: start)
        claims.endPass()
        #expect(claims.failures == 3)
        #expect(claims.retryAt == start + .seconds(4))
        claims.beginPass()
        claims.endPass()
        #expect(claims.failures == 0)
        #expect(claims.retryAt == nil)
        claims.recordingFailed(now: start)
        #expect(claims.retryAt == start + .seconds(1))
    }

    @Test("a retry admits the claimed names the store does not know, in claim order, but not those in flight or hidden")
    func whichNames() {
        var claims = UnrecordedClaims()
        claims.started("20261206T081500.000-b.json")
        let claimed = ["20261206T081502.000-c.json", "20261206T081500.000-b.json", ".tmp-x", "20261206T081459.000-a.json",
                       "20261206T081501.000-known.json"]
        #expect(claims.namesToAdmit(claimed: claimed, known: ["20261206T081501.000-known.json"])
                == ["20261206T081459.000-a.json", "20261206T081502.000-c.json"])
        claims.finished("20261206T081500.000-b.json")
        #expect(claims.namesToAdmit(claimed: claimed, known: ["20261206T081501.000-known.json"])
                == ["20261206T081459.000-a.json", "20261206T081500.000-b.json", "20261206T081502.000-c.json"])
    }
}
