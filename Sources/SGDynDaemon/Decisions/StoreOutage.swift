import SGDynStore

/// Whether the loop may use the job store now, after another process held it locked: the
/// decision, as a value, fed with what each store operation did.
///
/// The daemon is the store's only regular writer, but an operator's `sqlite3`, a backup tool or a
/// long `sgdyn publish` can hold SQLite's write lock. The daemon's writes wait at most
/// `Daemon.storeLockWait` for it (SQLite's busy timeout), then fail with `JobStoreError.busy`.
/// Trying again at once, for every pass and every queued event, would hold the loop in a string of
/// such waits — long enough for systemd's watchdog to kill a healthy daemon. So the first busy
/// failure opens an outage: until the next probe the loop leaves the store alone (passes skip
/// their store work; events that must be recorded wait for the probe), probes follow after 0.5, 1,
/// 2, 4 and then every 5 s — short, because work resumes only at a probe — and the first probe
/// that gets the write lock ends the outage (a read proves nothing: in WAL mode reads go on beside
/// the lock). Other failures (a full disk, damage) are not outages:
/// they have their own rules (`DiskSpaceRule`, `RecordRetry`).
struct StoreOutage: Sendable, Equatable {
    /// When the outage began (its first busy failure); nil while the store answers.
    private(set) var since: ContinuousClock.Instant?
    /// Busy failures in this outage.
    private(set) var failures = 0
    /// When the loop may try the store again; nil while the store answers.
    private(set) var probeAt: ContinuousClock.Instant?

    /// The longest gap between probes: how late, at most, work resumes after the lock is gone.
    static let maximumProbeDelay: Duration = .seconds(5)

    /// What a failure meant, for the log.
    enum Failure: Equatable {
        /// Not a lock: the caller's own handling applies.
        case notAnOutage
        /// The first busy failure: an outage begins (log it).
        case began
        /// A probe failed again (log it every tenth time, so a long outage is not a flood).
        case continues(log: Bool)
    }

    /// Whether `error` is another process holding the store's lock.
    static func isOutage(_ error: any Error) -> Bool {
        if case JobStoreError.busy = error { return true }
        return false
    }

    /// The wait after the n-th busy failure (1-based): 0.5, 1, 2, 4, then 5 s.
    static func probeDelay(afterFailure n: Int) -> Duration {
        min(maximumProbeDelay, .milliseconds(500) * (1 << min(max(n - 1, 0), 4)))
    }

    /// Whether the loop may use the store at `now`.
    func mayUseStore(now: ContinuousClock.Instant) -> Bool {
        probeAt.map { now >= $0 } ?? true
    }

    /// How long until the next probe (zero when the store may be used now).
    func waitBeforeProbe(now: ContinuousClock.Instant) -> Duration {
        guard let probeAt, probeAt > now else { return .zero }
        return probeAt - now
    }

    /// A store operation failed at `now` with `error`.
    mutating func failed(_ error: any Error, now: ContinuousClock.Instant) -> Failure {
        guard Self.isOutage(error) else { return .notAnOutage }
        failures += 1
        probeAt = now + Self.probeDelay(afterFailure: failures)
        if since == nil {
            since = now
            return .began
        }
        return .continues(log: failures % 10 == 0)
    }

    /// A store operation succeeded at `now`. Returns how long the outage lasted when this ends one.
    mutating func succeeded(now: ContinuousClock.Instant) -> Duration? {
        defer { self = StoreOutage() }
        return since.map { now - $0 }
    }
}
