import ArgumentParser
import Foundation
import SGDynDaemon
import SGDynJobs
import SGDynStore

/// `sgdyn status`: every job the daemon knows, read-only, while it runs.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every job: state, attempts, progress, speed, ETA, units, where they run, bundle.",
        discussion: """
            Opens the job store read-only, so it works while the daemon runs. With a job NAME, shows \
            each of its units (kind, sweep point, seed, state, the executor's state, steps, crashes).
            """
    )

    @Argument(help: "Show this job's units.")
    var name: String?

    @Option(help: "The daemon's state folder.")
    var state: String = "state"

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let folder = StateFolder(state)
        guard FileManager.default.fileExists(atPath: folder.database) else {
            throw ValidationError("no job store at \(folder.database); is --state the daemon's state folder?")
        }
        let store = try JobStore.openReadOnly(at: folder.database)
        defer { try? store.close() }
        if let name {
            try await showUnits(of: name, store: store)
            return
        }
        let jobs = try await store.listJobs()
        let executorStates = try await store.executorStateCounts()
        if json {
            print(JSONWriter.string(.array(jobs.map { Self.document($0, executorStates: executorStates[$0.id] ?? [:]) })), terminator: "")
            return
        }
        if jobs.isEmpty {
            print("no jobs")
            return
        }
        print("NAME".padding(toLength: 28, withPad: " ", startingAt: 0) + " SUBMITTER    STATE        TRIES  DONE   STEPS/S/T       ETA        EG  UNITS(run/done/all)  BUNDLE / NOTE")
        for job in jobs {
            let name = job.name.count > 27 ? String(job.name.prefix(26)) + "…" : job.name
            let submitter = job.submitter.map { $0.name.count > 12 ? String($0.name.prefix(11)) + "…" : $0.name } ?? "-"
            let speed = Self.stepsPerSecond(job).map { String(format: "%.0f", $0) } ?? "-"
            let eta = Self.eta(job).map(ProgressReporter.duration) ?? "-"
            print(name.padding(toLength: 28, withPad: " ", startingAt: 0)
                  + " " + submitter.padding(toLength: 12, withPad: " ", startingAt: 0)
                  + " " + job.state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                  + String(format: " %5d %5.1f%% ", job.attempts, 100 * job.progress)
                  + speed.spacePadded(to: 10) + eta.spacePadded(to: 10)
                  + (job.latestEg.map { String(format: "%.3g", $0) } ?? "-").spacePadded(to: 10)
                  + "  \(job.unitsRunning)/\(job.unitsDone)/\(job.unitCount)".padding(toLength: 21, withPad: " ", startingAt: 0)
                  + Self.note(job, executorStates: executorStates[job.id] ?? [:]))
        }
    }

    /// The last column: the bundle once written; otherwise where the job runs and what is wrong.
    static func note(_ job: JobSummary, executorStates: [String: Int]) -> String {
        var parts: [String] = []
        if let bundle = job.bundlePath { parts.append(bundle) }
        if let external = job.externalID, job.state == .running,
           let label = job.executor.flatMap({ ExecutorRegistry.standard.registration(for: ExecutorKind(rawValue: $0))?.externalIDLabel }) {
            parts.append("\(label) \(external)")
        }
        if !executorStates.isEmpty {
            parts.append(executorStates.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.lowercased())" }.joined(separator: ", "))
        }
        switch job.state {
        case .publishing:
            if let after = job.publishAfter, job.publishAttempts > 0 {
                parts.append("writing the bundle failed \(job.publishAttempts)×, next try \(ProgressReporter.clock(after)): \(job.error ?? "")")
            } else {
                parts.append("writing the bundle")
            }
        case .unpublished:
            parts.append("(\(job.error ?? "the bundle could not be written")) — run `sgdyn publish \(job.name)`")
        case .done, .running:
            break
        default:
            if job.bundlePath == nil, let error = job.error { parts.append("(\(error))") }
        }
        return parts.joined(separator: "  ")
    }

    func showUnits(of name: String, store: JobStore) async throws {
        guard let job = try await store.jobs(named: name).first else { throw ValidationError("no job is named '\(name)'") }
        let units = try await store.units(of: job.id)
        if json {
            let checkpoints = try await store.latestCheckpointSequences(of: job.id)
            print(JSONWriter.string(.array(units.map { Self.document($0, checkpointSequence: checkpoints[$0.id]) })), terminator: "")
            return
        }
        print("job \(job.name) (id \(job.id)): \(job.state.rawValue)" + (job.executor.map { ", \($0) executor" } ?? "")
              + (job.submitter.map { ", submitted by \($0.name)" } ?? ""))
        print("UNIT  KIND        POINT  SEED        STATE        EXECUTOR    DONE    CRASHES        EG  NOTE")
        for unit in units {
            let done = unit.totalSteps > 0 ? 100 * Double(unit.stepsDone) / Double(unit.totalSteps) : 100
            print(String(unit.index).spacePadded(to: 4) + "  " + unit.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                  + String(unit.pointIndex).spacePadded(to: 7) + "  " + (unit.seed.map(String.init) ?? "-").padding(toLength: 10, withPad: " ", startingAt: 0)
                  + "  " + unit.state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                  + " " + (unit.executorState ?? "-").padding(toLength: 10, withPad: " ", startingAt: 0)
                  + String(format: " %5.1f%% ", done) + String(unit.crashes).spacePadded(to: 8)
                  + (unit.latestEg.map { String(format: "%.3g", $0) } ?? "-").spacePadded(to: 10)
                  + "  " + (unit.divergedAt.map { "diverged at t = \($0)" } ?? unit.error ?? ""))
        }
    }

    /// Steps per second per thread: steps done over the units' summed wall time (progress is
    /// stored every few seconds, so this lags a little).
    static func stepsPerSecond(_ job: JobSummary) -> Double? {
        job.wallSeconds > 0 && job.stepsDone > 0 ? Double(job.stepsDone) / job.wallSeconds : nil
    }

    static func eta(_ job: JobSummary) -> Double? {
        guard job.state == .running, let speed = stepsPerSecond(job), speed > 0 else { return nil }
        return Double(job.totalSteps - job.stepsDone) / (speed * Double(max(1, job.unitsRunning)))
    }

    static func document(_ job: JobSummary, executorStates: [String: Int]) -> JSONValue {
        .object([
            ("id", .number(String(job.id.rawValue))),
            ("name", .string(job.name)),
            ("submitter", job.submitter.map { .string($0.name) } ?? .null),
            ("submitter_uid", job.submitter.map { .int(Int($0.uid)) } ?? .null),
            ("state", .string(job.state.rawValue)),
            ("outcome", job.outcome.map { .string($0.rawValue) } ?? .null),
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
            ("executor", job.executor.map { .string($0) } ?? .null),
            ("external_id", job.externalID.map { .string($0) } ?? .null),
            ("executor_states", .object(executorStates.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("cancel_requested", .bool(job.cancelRequested)),
            ("publish_attempts", .int(job.publishAttempts)),
            ("publish_after", job.publishAfter.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null),
            ("error", job.error.map { .string($0) } ?? .null),
            ("bundle", job.bundlePath.map { .string($0) } ?? .null),
        ])
    }

    /// One unit in `sgdyn status NAME --json`; `checkpointSequence` is the sequence number of its
    /// newest checkpoint (how many it has written), null when it has none.
    static func document(_ unit: UnitRecord, checkpointSequence: Int64? = nil) -> JSONValue {
        .object([
            ("index", .int(unit.index)),
            ("kind", .string(unit.kind.rawValue)),
            ("point", .int(unit.pointIndex)),
            ("seed", unit.seed.map { .number(String($0)) } ?? .null),
            ("state", .string(unit.state.rawValue)),
            ("executor_state", unit.executorState.map { .string($0) } ?? .null),
            ("steps_done", .number(String(unit.stepsDone))),
            ("total_steps", .number(String(unit.totalSteps))),
            ("crashes", .int(unit.crashes)),
            ("attempt", .int(unit.attempt)),
            ("latest_eg", unit.latestEg.map { .double($0) } ?? .null),
            ("diverged_at", unit.divergedAt.map { .double($0) } ?? .null),
            ("error", unit.error.map { .string($0) } ?? .null),
            ("checkpoint_sequence", checkpointSequence.map { .number(String($0)) } ?? .null),
        ])
    }
}

/// `sgdyn cancel`: marks a queued or running job for cancellation.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a queued or running job by name.",
        discussion: "The daemon stops it within a second or two (Slurm tasks checkpoint first) and writes a bundle with status \"cancelled\" that keeps what finished. It writes the job store, so only who may write the state folder (the daemon's user, root) can use it: it cancels anyone's job. Submitters drop NAME.cancel into the inbox instead, which cancels only their own jobs (docs/daemon.md, \"Several users\")."
    )

    @Argument(help: "The job's name.")
    var name: String

    @Option(help: "The daemon's state folder.")
    var state: String = "state"

    func run() async throws {
        let folder = StateFolder(state)
        guard FileManager.default.fileExists(atPath: folder.database) else { throw ValidationError("no job store at \(folder.database)") }
        let store = try JobStore.open(at: folder.database, identityFile: folder.identityFile)
        defer { try? store.close() }
        let ids = try await store.requestCancel(name: name)
        if ids.isEmpty {
            // Say what the job is doing instead (ValidationError would add usage text).
            let jobs = try await store.jobs(named: name)
            if let job = jobs.first {
                let what = job.state == .publishing
                    ? "its outcome (\(job.outcome?.rawValue ?? "decided")) is decided and its bundle is being written; there is nothing left to cancel"
                    : "it is \(job.state.rawValue); there is nothing left to cancel"
                FileHandle.standardError.write(Data("sgdyn cancel: job '\(name)': \(what)\n".utf8))
            } else {
                FileHandle.standardError.write(Data("sgdyn cancel: no job is named '\(name)' (see `sgdyn status`)\n".utf8))
            }
            throw ExitCode(1)
        }
        print("cancel requested for '\(name)' (\(ids.count) job(s))")
    }
}

extension String {
    /// Right-aligned in a column of `width`.
    func spacePadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
