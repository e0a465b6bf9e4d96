import ArgumentParser
import Foundation
import SGDynJobs
import SGDynStore

/// `sgdyn report`: (re)writes the outbox's index.html, the morning view of every bundle and of
/// what the daemon is doing. The daemon runs it as a child process; it must never fail because
/// of a bundle, only when index.html cannot be written.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write OUTBOX/index.html: every bundle (newest first) and, with --state, the daemon's running and queued jobs.",
        discussion: """
            Reads each bundle's result.json (remembered in OUTBOX/.sgdyn-report-cache.json, so a \
            refresh reads only new bundles), lists unreadable folders as such, and replaces \
            index.html atomically. Open it from the shared folder (file://) or any static web \
            server. Exits 1 only when index.html cannot be written.
            """
    )

    @Argument(help: "The outbox folder.")
    var outbox: String = "outbox"

    @Option(help: "The daemon's state folder, to show its running and queued jobs (read-only).")
    var state: String?

    @Flag(help: "Read every result.json again, ignoring (and not updating) the cache.")
    var noCache = false

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() async throws {
        let activity: DaemonActivity? = if let state { await Self.activity(state: state) } else { nil }
        let outcome: OutboxReport.Outcome
        do {
            outcome = try OutboxReport.write(outbox: outbox, activity: activity, now: Date().timeIntervalSince1970, useCache: !noCache)
        } catch {
            JobFileInput.printError(error.description)
            throw ExitCode.failure
        }
        if let problem = outcome.cacheProblem { JobFileInput.printNote("warning: \(problem)") }
        if !quiet {
            JobFileInput.printNote("\(outcome.bundles) bundle(s), \(outcome.unreadable) unreadable, \(outcome.read) result.json read; \(outcome.bytes) bytes")
            print(outcome.path)
        }
    }

    /// The store's jobs still ahead, with speed and ETA as `sgdyn status` computes them; a store
    /// that cannot be read is reported on the page, not as a failure.
    static func activity(state: String) async -> DaemonActivity {
        let path = (state as NSString).appendingPathComponent("sgdyn.sqlite")
        do {
            let store = try JobStore.openReadOnly(at: path)
            defer { try? store.close() }
            let jobs = try await store.listJobs()
            let ahead = jobs.filter { $0.state == .running } + jobs.filter { JobState.runnable.contains($0.state) }
                .sorted { ($1.priority, $0.id.rawValue) < ($0.priority, $1.id.rawValue) }
            let counts = JobState.allCases.map { state in (state: state.rawValue, count: jobs.filter { $0.state == state }.count) }
            return DaemonActivity(jobs: ahead.map { job in
                DaemonActivity.Job(name: job.name, state: job.state.rawValue, priority: job.priority, progress: job.progress,
                                   stepsPerSecond: StatusCommand.stepsPerSecond(job), etaSeconds: StatusCommand.eta(job),
                                   latestEg: job.latestEg, unitsRunning: job.unitsRunning, unitsDone: job.unitsDone,
                                   unitCount: job.unitCount, attempts: job.attempts, cancelRequested: job.cancelRequested,
                                   submitter: job.submitter?.name)
            }, counts: counts)
        } catch {
            return .unavailable("\(path): \(error)")
        }
    }
}
