/// Claimed job files whose admission the job store could not record yet, and when to try again:
/// the decision, as a value (issue 19's style), fed by the intake and read by the loop.
///
/// A job file is renamed into `state/claimed/` before it is read; the job (or its rejection) is
/// then recorded in the store. If that write fails — an operator's `sqlite3` holding the store
/// past the busy timeout, a full disk — the file stays claimed. It must not wait for the next
/// start of the daemon (that could be days for a shared daemon), and it must not be admitted twice
/// while its files are still being read off the loop. So: the claimed folder is compared with the
/// store again after 1, 2, 4, … up to 30 s (`RecordRetry.delay`), every claimed name the store does
/// not know and that is not in flight is admitted again, and the back-off starts over once a pass
/// records everything.
struct UnrecordedClaims: Sendable, Equatable {
    /// Claimed names whose job is being prepared off the loop: recorded when that ends.
    private(set) var inFlight: Set<String> = []
    /// Failed recording attempts since the last pass that recorded everything.
    private(set) var failures = 0
    /// When to compare the claimed folder with the store again; nil when nothing is pending.
    private(set) var retryAt: ContinuousClock.Instant?

    /// A claimed file's job went off the loop to be prepared.
    mutating func started(_ claimedName: String) { inFlight.insert(claimedName) }

    /// Its off-loop preparation came back (recorded or not: a failure is noted separately).
    mutating func finished(_ claimedName: String) { inFlight.remove(claimedName) }

    /// Recording a claimed file's job or rejection failed at `now`: try again after the back-off.
    /// Returns whether to log it (the first failure and every tenth, as `RecordRetry`).
    @discardableResult
    mutating func recordingFailed(now: ContinuousClock.Instant) -> Bool {
        failures += 1
        let next = now + RecordRetry.delay(afterAttempt: failures)
        retryAt = min(retryAt ?? next, next)
        return RecordRetry.logs(attempt: failures)
    }

    /// Whether a retry pass is due.
    func isDue(now: ContinuousClock.Instant) -> Bool {
        retryAt.map { now >= $0 } ?? false
    }

    /// A retry pass begins: failures during it schedule the next one.
    mutating func beginPass() { retryAt = nil }

    /// A retry pass ended: if nothing failed during it, the back-off starts over.
    mutating func endPass() {
        if retryAt == nil { failures = 0 }
    }

    /// The claimed names to admit in a retry pass: those the store does not know and that are not
    /// in flight, in name order (claimed names begin with the claim's time, so this is the order
    /// they were taken).
    func namesToAdmit(claimed: [String], known: Set<String>) -> [String] {
        claimed.filter { !$0.hasPrefix(".") && !known.contains($0) && !inFlight.contains($0) }.sorted()
    }
}
