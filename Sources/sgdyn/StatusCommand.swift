import ArgumentParser
import Foundation
import SGDynJobs
import SGDynStore

/// `sgdyn status`: every job the daemon knows, read-only, while it runs.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every job: state, attempts, progress, speed, ETA, units running, bundle.",
        discussion: "Opens the job store read-only, so it works while the daemon runs."
    )

    @Option(help: "The daemon's state folder.")
    var state: String = "state"

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let path = (state as NSString).appendingPathComponent("sgdyn.sqlite")
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no job store at \(path); is --state the daemon's state folder?")
        }
        let store = try JobStore.openReadOnly(at: path)
        defer { try? store.close() }
        let jobs = try await store.listJobs()
        if json {
            print(JSONWriter.string(.array(jobs.map(Self.document))), terminator: "")
            return
        }
        if jobs.isEmpty {
            print("no jobs")
            return
        }
        print("NAME".padding(toLength: 28, withPad: " ", startingAt: 0) + " STATE        TRIES  DONE   STEPS/S/T       ETA        EG  UNITS(run/done/all)  BUNDLE")
        for job in jobs {
            let name = job.name.count > 27 ? String(job.name.prefix(26)) + "…" : job.name
            let speed = Self.stepsPerSecond(job).map { String(format: "%.0f", $0) } ?? "-"
            let eta = Self.eta(job).map(Self.duration) ?? "-"
            print(name.padding(toLength: 28, withPad: " ", startingAt: 0)
                  + " " + job.state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                  + String(format: " %5d %5.1f%% ", job.attempts, 100 * job.progress)
                  + speed.leftPadded(to: 10) + eta.leftPadded(to: 10)
                  + (job.latestEg.map { String(format: "%.3g", $0) } ?? "-").leftPadded(to: 10)
                  + "  \(job.unitsRunning)/\(job.unitsDone)/\(job.unitCount)".padding(toLength: 21, withPad: " ", startingAt: 0)
                  + (job.bundlePath ?? (job.error.map { "(\($0))" } ?? "")))
        }
    }

    /// Steps per second per simulation thread: steps done over the units' summed wall time
    /// (progress is stored at checkpoints, so this lags by up to one checkpoint interval).
    static func stepsPerSecond(_ job: JobSummary) -> Double? {
        job.wallSeconds > 0 && job.stepsDone > 0 ? Double(job.stepsDone) / job.wallSeconds : nil
    }

    static func eta(_ job: JobSummary) -> Double? {
        guard job.state == .running, let speed = stepsPerSecond(job), speed > 0 else { return nil }
        return Double(job.totalSteps - job.stepsDone) / (speed * Double(max(1, job.unitsRunning)))
    }

    static func duration(_ seconds: Double) -> String { ProgressReporter.duration(seconds) }

    static func document(_ job: JobSummary) -> JSONValue {
        .object([
            ("id", .number(String(job.id.rawValue))),
            ("name", .string(job.name)),
            ("state", .string(job.state.rawValue)),
            ("priority", .int(job.priority)),
            ("attempts", .int(job.attempts)),
            ("resumes", .int(job.resumes)),
            ("progress", .double(job.progress)),
            ("steps_done", .number(String(job.stepsDone))),
            ("total_steps", .number(String(job.totalSteps))),
            ("steps_per_second", stepsPerSecond(job).map { .double($0) } ?? .null),
            ("eta_seconds", eta(job).map { .double($0) } ?? .null),
            ("latest_eg", job.latestEg.map { .double($0) } ?? .null),
            ("units", .int(job.unitCount)),
            ("units_running", .int(job.unitsRunning)),
            ("units_done", .int(job.unitsDone)),
            ("cancel_requested", .bool(job.cancelRequested)),
            ("error", job.error.map { .string($0) } ?? .null),
            ("bundle", job.bundlePath.map { .string($0) } ?? .null),
        ])
    }
}

/// `sgdyn cancel`: marks a queued or running job for cancellation.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a queued or running job by name.",
        discussion: "The daemon stops it within a second or two and writes a bundle with status \"cancelled\" that keeps what finished. Dropping NAME.cancel into the inbox does the same."
    )

    @Argument(help: "The job's name.")
    var name: String

    @Option(help: "The daemon's state folder.")
    var state: String = "state"

    func run() async throws {
        let path = (state as NSString).appendingPathComponent("sgdyn.sqlite")
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no job store at \(path)") }
        let store = try JobStore.open(at: path)
        defer { try? store.close() }
        let ids = try await store.requestCancel(name: name)
        if ids.isEmpty { throw ValidationError("no queued or running job is named '\(name)'") }
        print("cancel requested for '\(name)' (\(ids.count) job(s))")
    }
}
