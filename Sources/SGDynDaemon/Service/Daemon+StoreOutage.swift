import Foundation
import Logging
import SGDynStore

/// Living with a job store that another process holds locked (`StoreOutage` decides; this does
/// the I/O and the log lines).
extension Daemon {
    /// How long one of the daemon's writes waits for another process's lock while it serves
    /// (SQLite's busy timeout; 10 s while it starts). Short, so that the loop — and with it the
    /// watchdog's pings, intake and every running job's events — is never held by someone else's
    /// lock; the daemon's own writes never wait on each other (one connection writes).
    static let storeLockWait: Duration = .milliseconds(500)

    /// Whether the store may be used now. During an outage, when a probe is due, takes and releases
    /// the write lock to see whether it is free again; the outage ends when it is.
    func storeAvailable() async -> Bool {
        guard storeOutage.since != nil else { return true }
        guard storeOutage.mayUseStore(now: .now) else { return false }
        do {
            try await store.probeWriteLock()
        } catch {
            if !noteStoreFailure(error) { logger.error("probing the job store: \(error)") }
            return false
        }
        if let lasted = storeOutage.succeeded(now: .now) {
            logger.notice("the job store answers again after \(String(format: "%.1f", lasted.seconds)) s: its work resumes")
        }
        return true
    }

    /// Notes a failed store operation. Returns whether it was another process's lock (an outage,
    /// logged here); any other error is the caller's to handle.
    @discardableResult
    func noteStoreFailure(_ error: any Error) -> Bool {
        switch storeOutage.failed(error, now: .now) {
        case .notAnOutage:
            return false
        case .began:
            logger.warning("\(error): the daemon leaves the store alone and tries it again every ≤ \(Int(StoreOutage.maximumProbeDelay.seconds)) s; running work goes on, and what it reports is recorded once the lock is gone")
        case .continues(let log):
            if log { logger.warning("the job store is still locked by another process (\(storeOutage.failures) attempts since \(Int((ContinuousClock.now - (storeOutage.since ?? .now)).seconds)) s ago)") }
        }
        return true
    }
}
