import Foundation
import Logging
import SGDynStore

/// What the daemon last told systemd and the log about progress.
struct StatusBook {
    var lastStatus = ""
    var lastProgressLog: [JobID: ContinuousClock.Instant] = [:]
}

/// systemd's STATUS= line on every change, a progress line per running job every few minutes, and
/// the outbox index refreshed every minute while jobs run.
extension Daemon {
    static let progressLogInterval: Duration = .seconds(300)
    static let indexRefreshInterval: Duration = .seconds(60)

    func reportStatus() async throws {
        let counts = try await store.countsByState()
        let queued = counts[.queued, default: 0] + counts[.interrupted, default: 0]
        let failed = counts[.failed, default: 0] + counts[.quarantined, default: 0] + counts[.unpublished, default: 0]
        var status = "queued \(queued), running \(counts[.running, default: 0]), done \(counts[.done, default: 0] + counts[.diverged, default: 0]), failed \(failed), cancelled \(counts[.cancelled, default: 0])"
        if counts[.publishing, default: 0] > 0 { status += ", publishing \(counts[.publishing, default: 0])" }
        if !intake.notJobFiles.isEmpty { status += ", \(intake.notJobFiles.count) file(s) in the inbox not read (see the log)" }
        if case .pausedForDisk = phase { status += " — intake paused: low disk space" }
        if status != reporting.lastStatus {
            notifier.send(.status(status))
            reporting.lastStatus = status
        }
        guard !runs.open.isEmpty else { return }
        let now = ContinuousClock.now
        if let last = publishing.lastIndexRefresh, now - last >= Self.indexRefreshInterval { refreshOutboxIndex(reason: "progress") }
        for summary in try await store.listJobs() where summary.state == .running {
            if let last = reporting.lastProgressLog[summary.id], now - last < Self.progressLogInterval { continue }
            if reporting.lastProgressLog[summary.id] == nil { reporting.lastProgressLog[summary.id] = now; continue }
            reporting.lastProgressLog[summary.id] = now
            logger.info("job \(summary.name): \(String(format: "%.1f", 100 * summary.progress)) % done, \(summary.unitsDone)/\(summary.unitCount) units",
                        metadata: ["job": "\(summary.name)", "state": "running"])
        }
    }
}
