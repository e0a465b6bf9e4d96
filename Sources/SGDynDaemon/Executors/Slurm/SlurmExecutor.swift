import Foundation
import SGDynJobs
import SGDynStore

/// Runs each submission as one Slurm job array: `sbatch --array=0-(n-1)%max_running`, each task
/// running `sgdyn worker` on its units in the shared spool. Slurm places, runs, requeues (node
/// failures, preemption: `--requeue`, and the task resumes from the checkpoint in its own spool
/// folder) and cancels; this executor only submits, looks at the queue every `poll_interval`
/// seconds, and reports tasks that left it. What happened to the units themselves is read from the
/// spool by the daemon, so Slurm forgetting a finished job (no accounting, MinJobAge) loses nothing.
public final class SlurmExecutor: Executor {
    public let name = "slurm"
    public let events: AsyncStream<ExecutorEvent>
    private let continuation: AsyncStream<ExecutorEvent>.Continuation
    private let defaultWorker: String
    private let storeToken: String
    private let state: Locked<State>
    private let poller = Locked<Task<Void, Never>?>(nil)

    private struct State {
        var configuration: SlurmConfiguration
        var arrays: [SubmissionID: TrackedArray] = [:]
        /// Since when the controller does not answer (logged once).
        var unreachableSince: ContinuousClock.Instant?
    }

    private struct TrackedArray {
        var jobID: String
        var taskCount: Int
        var ended: Set<Int> = []
        var states: [Int: String] = [:]
        /// Tasks seen in the queue at least once (a task never seen may simply not be listed yet).
        var seen: Set<Int> = []
        var submittedAt = ContinuousClock.now
    }

    /// - Parameters:
    ///   - executable: this program; tasks run `configuration.worker` or, when unset, this path.
    ///   - storeToken: the first characters of the store's identity; every array's comment starts
    ///     with `sgdyn-<storeToken>-`, which is how orphans of this store are recognised.
    public init(configuration: SlurmConfiguration, executable: String, storeToken: String) {
        state = Locked(State(configuration: configuration))
        defaultWorker = executable
        self.storeToken = storeToken
        (events, continuation) = AsyncStream.makeStream(of: ExecutorEvent.self)
    }

    public func update(_ configuration: SlurmConfiguration?) {
        guard let configuration else { return }
        state.withLock { $0.configuration = configuration }
    }

    private var configuration: SlurmConfiguration { state.withLock { $0.configuration } }
    private var commands: SlurmCommands { SlurmCommands(directory: configuration.commandDirectory) }

    public func freeSlots() async -> Int { Int.max / 4 }

    public func submit(_ submission: PreparedSubmission) async throws(ExecutorError) -> String? {
        let configuration = self.configuration
        let script = submission.spoolFolder + "/submission-\(submission.id.rawValue).sbatch"
        let worker = configuration.worker ?? defaultWorker
        // `exec`, so that the worker is the batch step's process and gets --signal=B:USR1 itself.
        let text = """
            #!/bin/sh
            # sgdyn job \(submission.jobName), submission \(submission.id) (\(submission.token))
            exec '\(worker)' worker --spool '\(submission.spoolFolder)' --submission \(submission.id.rawValue) --task "$SLURM_ARRAY_TASK_ID" --threads \(configuration.cpusPerTask) --checkpoint-interval \(submission.checkpointInterval)

            """
        do {
            try AtomicFile.write(Array(text.utf8), to: script)
        } catch {
            throw .temporary("cannot write the batch script \(script): \(error)")
        }
        var arguments = ["--parsable", "--array=0-\(submission.taskCount - 1)" + (configuration.maxRunning.map { "%\($0)" } ?? ""),
                         "--job-name=sgdyn-\(submission.jobName)", "--comment=\(submission.token)",
                         "--requeue", "--export=NONE", "--open-mode=append",
                         "--output=\(submission.spoolFolder)/slurm-%A_%a.out", "--chdir=\(submission.spoolFolder)",
                         "--cpus-per-task=\(configuration.cpusPerTask)", "--signal=B:USR1@\(configuration.signalSeconds)"]
        if let partition = submission.slurm?.partition ?? configuration.partition { arguments.append("--partition=\(partition)") }
        if let account = configuration.account { arguments.append("--account=\(account)") }
        if let qos = configuration.qos { arguments.append("--qos=\(qos)") }
        if let limit = submission.slurm?.timeLimitSeconds ?? configuration.timeLimitSeconds {
            arguments.append("--time=\(SlurmRequest.timeString(seconds: max(60, limit)))")
        }
        if let perCPU = configuration.memoryPerCPUMiB {
            arguments.append("--mem-per-cpu=\(perCPU)")
        } else if submission.memoryBytesPerTask > 0 {
            // The job's own estimate, with room for the runtime and the records being written.
            arguments.append("--mem=\(max(256, submission.memoryBytesPerTask / (1 << 20) * 5 / 4 + 128))")
        }
        arguments += configuration.extraSbatchArguments
        arguments.append(script)
        let result: CommandResult
        do {
            result = try await commands.run("sbatch", arguments)
        } catch {
            throw .temporary("cannot run sbatch: \(error)")
        }
        guard result.succeeded, let id = result.standardOutput.split(separator: "\n").last?.split(separator: ";").first.map(String.init),
              !id.isEmpty, id.allSatisfy(\.isNumber)
        else { throw Self.classifySubmissionFailure(result) }
        state.withLock { $0.arrays[submission.id] = TrackedArray(jobID: id, taskCount: submission.taskCount) }
        startPolling()
        return id
    }

    /// sbatch refusing a request that will never be accepted (a partition that does not exist, a
    /// time limit over the partition's) is permanent; anything else (the controller down, a
    /// timeout) may pass.
    static func classifySubmissionFailure(_ result: CommandResult) -> ExecutorError {
        let message = "sbatch: " + result.message
        let permanent = ["invalid partition", "requested time limit is invalid", "invalid account", "invalid qos",
                         "invalid job array specification", "node count specification invalid", "more processors requested than permitted",
                         "memory specification can not be satisfied", "invalid feature specification", "access/permission denied"]
        let text = result.message.lowercased()
        return permanent.contains(where: text.contains) ? .permanent(message) : .temporary(message)
    }

    public func stop(_ submission: SubmissionID) async {
        guard let id = state.withLock({ $0.arrays[submission]?.jobID }) else { return }
        // Running tasks checkpoint and exit on USR1 (as before a time limit); pending ones go at once.
        _ = try? await commands.run("scancel", ["--batch", "--signal=USR1", id])
        _ = try? await commands.run("scancel", ["--state=PENDING", id])
    }

    public func kill(_ submission: SubmissionID) async {
        guard let id = state.withLock({ $0.arrays[submission]?.jobID }) else { return }
        _ = try? await commands.run("scancel", [id])
    }

    /// Ends one task at once (a hung worker).
    public func kill(_ submission: SubmissionID, task: Int) async {
        guard let id = state.withLock({ $0.arrays[submission]?.jobID }) else { return }
        _ = try? await commands.run("scancel", ["\(id)_\(task)"])
    }

    public func adopt(_ submissions: [SubmissionRecord]) async {
        let queue = await listOwnArrays()
        for submission in submissions {
            var jobID = submission.externalID
            if jobID == nil {
                // The daemon stopped between sbatch and recording the id: find the array by its comment.
                jobID = queue?.first { $0.comment == submission.token }?.arrayJobID
                if let jobID {
                    continuation.yield(.notice("found Slurm job \(jobID) of submission \(submission.id) (submitted just before the daemon stopped); following it", level: "notice"))
                }
            }
            guard let jobID else {
                if queue != nil {
                    // Never reached Slurm (or ended and was forgotten): its units settle from the spool.
                    for task in submission.tasks.indices {
                        continuation.yield(.taskEnded(submission.id, task: task, .lost("it was never submitted to Slurm (the daemon stopped first)")))
                    }
                }
                continue
            }
            state.withLock { $0.arrays[submission.id] = TrackedArray(jobID: jobID, taskCount: submission.tasks.count) }
            if submission.externalID == nil { continuation.yield(.submissionIdentified(submission.id, externalID: jobID)) }
        }
        // Arrays of this store that no open submission accounts for: a submission the daemon
        // gave up on. They would run units twice: cancel them.
        let known = Set(submissions.map(\.token))
        for entry in queue ?? [] where !known.contains(entry.comment) {
            _ = try? await commands.run("scancel", [entry.arrayJobID])
            continuation.yield(.notice("cancelled Slurm job \(entry.arrayJobID) (\(entry.comment)): no open submission of this store knows it", level: "warning"))
        }
        startPolling()
    }

    /// Every queued or running array of this store, or nil when the controller does not answer.
    private func listOwnArrays() async -> [SlurmQueue.Entry]? {
        guard let result = try? await commands.run("squeue", ["-h", "-r", "-o", SlurmQueue.squeueFormat]), result.succeeded else { return nil }
        let prefix = "sgdyn-\(storeToken)-"
        var seen: Set<String> = []
        return SlurmQueue.parse(squeue: result.standardOutput).filter { $0.comment.hasPrefix(prefix) && seen.insert($0.arrayJobID).inserted }
    }

    public func shutDown() async {
        poller.withLock { $0?.cancel() }
        continuation.finish()
    }

    private func startPolling() {
        poller.withLock { task in
            guard task == nil else { return }
            task = Task { [weak self] in
                while !Task.isCancelled {
                    guard let self else { return }
                    await self.poll()
                    try? await Task.sleep(for: .seconds(self.configuration.pollInterval))
                }
            }
        }
    }

    /// One look at the queue: state changes are reported; tasks that left it are looked up and
    /// reported as ended.
    func poll() async {
        let arrays = state.withLock { $0.arrays }
        guard !arrays.isEmpty else { return }
        let ids = Set(arrays.values.map(\.jobID)).sorted().joined(separator: ",")
        guard let result = try? await commands.run("squeue", ["-h", "-r", "-j", ids, "-o", SlurmQueue.squeueFormat]) else { return }
        // squeue -j exits non-zero when none of the ids is known any more: that is an answer too.
        let forgotten = result.message.contains("Invalid job id")
        guard result.succeeded || forgotten else {
            let first = state.withLock { state -> Bool in
                defer { if state.unreachableSince == nil { state.unreachableSince = .now } }
                return state.unreachableSince == nil
            }
            if first { continuation.yield(.notice("Slurm does not answer (squeue: \(result.message)); following resumes when it does", level: "warning")) }
            return
        }
        if state.withLock({ $0.unreachableSince }) != nil {
            state.withLock { $0.unreachableSince = nil }
            continuation.yield(.notice("Slurm answers again", level: "notice"))
        }
        let entries = forgotten ? [] : SlurmQueue.parse(squeue: result.standardOutput)
        for (submission, array) in arrays {
            var states: [Int: String] = [:]
            for entry in entries where entry.arrayJobID == array.jobID { if let task = entry.taskID { states[task] = entry.state } }
            if let hopeless = entries.first(where: { $0.arrayJobID == array.jobID && $0.state == "PENDING"
                                                     && SlurmQueue.hopelessReasons.contains($0.reason) }) {
                _ = try? await commands.run("scancel", [array.jobID])
                state.withLock { _ = $0.arrays.removeValue(forKey: submission) }
                continuation.yield(.submissionFailed(submission, reason: "Slurm will never start its tasks (pending reason \(hopeless.reason)); cancelled"))
                continue
            }
            let changed = states.filter { array.states[$0.key] != $0.value }
            state.withLock { state in
                state.arrays[submission]?.states = states
                state.arrays[submission]?.seen.formUnion(states.keys)
            }
            if !changed.isEmpty { continuation.yield(.unitStates(submission, changed)) }
            // A task not in the queue has ended — unless it was just submitted and not listed yet.
            let young = ContinuousClock.now - array.submittedAt < .seconds(30)
            for task in 0..<array.taskCount where states[task] == nil && !array.ended.contains(task) {
                if young && !array.seen.contains(task) { continue }
                let end = await finalState(of: array.jobID, task: task)
                let finished = state.withLock { state -> Bool in
                    state.arrays[submission]?.ended.insert(task)
                    guard let tracked = state.arrays[submission], tracked.ended.count >= tracked.taskCount else { return false }
                    state.arrays.removeValue(forKey: submission)
                    return true
                }
                continuation.yield(.taskEnded(submission, task: task, end))
                if finished { break }
            }
        }
    }

    /// How a task that left the queue ended: `scontrol` (and `sacct` where accounting exists)
    /// while Slurm remembers it; otherwise unknown, and the spool decides.
    private func finalState(of jobID: String, task: Int) async -> TaskEnd {
        if let result = try? await commands.run("scontrol", ["show", "job", "-o", "\(jobID)_\(task)"]), result.succeeded,
           let (state, exit, signal) = SlurmQueue.parse(scontrol: result.standardOutput) {
            return SlurmQueue.taskEnd(state: state, exitStatus: exit, signal: signal)
        }
        if let result = try? await commands.run("sacct", ["-n", "-P", "-X", "-j", "\(jobID)_\(task)", "-o", "State,ExitCode"]), result.succeeded,
           let line = result.standardOutput.split(separator: "\n").first {
            let fields = line.split(separator: "|")
            let code = fields.count > 1 ? fields[1].split(separator: ":") : []
            return SlurmQueue.taskEnd(state: String(fields.first?.split(separator: " ").first ?? "UNKNOWN"),
                                      exitStatus: code.first.flatMap { Int32($0) }, signal: code.count > 1 ? Int32(code[1]) : nil)
        }
        return .lost("Slurm no longer remembers the task (no accounting); its units' spool files tell what they did")
    }
}
