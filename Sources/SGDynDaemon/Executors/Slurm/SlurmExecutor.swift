import Foundation
import Logging
import SGDynJobs
import SGDynStore
#if canImport(Glibc)
import Glibc
#endif

/// Runs each submission as one Slurm job array: `sbatch --array=0-(n-1)%max_running`, each task
/// running `sgdyn worker` on its units in the shared spool. Slurm places, runs, requeues (node
/// failures, preemption: `--requeue`, and the task resumes from the checkpoint in its own spool
/// folder) and cancels; this executor only submits, looks at the queue every `poll_interval`
/// seconds, and reports tasks that left it. What happened to the units themselves is read from the
/// spool by the daemon, so Slurm forgetting a finished job (no accounting, MinJobAge) loses nothing.
///
/// Nothing here ever makes the daemon wait for Slurm: every method returns at once, every Slurm
/// command runs in a task of the executor's own with a deadline (`command_timeout`), and what it
/// found comes back on `events`. Submissions are driven by `SlurmSubmissionMachine` (idempotent by
/// token); arrays of this store that no submission follows are cancelled at every look at the queue
/// (`SlurmQueueReconciliation`).
public final class SlurmExecutor: Executor {
    public let kind = ExecutorKind.slurm
    public let displayName = "Slurm"
    public let scheduling = ExecutorScheduling.ownQueue
    /// The cluster runs them; the next daemon adopts them.
    public let tasksOutliveDaemon = true
    public let events: AsyncStream<ExecutorEvent>
    private let continuation: AsyncStream<ExecutorEvent>.Continuation
    private let defaultWorker: String
    private let storeToken: String
    private let state: Locked<State>
    private let poller = Locked<Task<Void, Never>?>(nil)

    private struct State {
        var configuration: SlurmConfiguration
        /// Arrays followed, by submission.
        var arrays: [SubmissionID: TrackedArray] = [:]
        /// Submissions Slurm does not have (yet): their machine, and what sbatch needs.
        var submitting: [SubmissionID: Submitting] = [:]
        /// The cluster's limits, once read; when.
        var limits: SlurmClusterLimits?
        var limitsReadAt: ContinuousClock.Instant?
        var readingLimits = false
        /// A failed read of the limits was logged (once until one succeeds).
        var limitsWarned = false
        /// Since when the controller does not answer (logged once).
        var unreachableSince: ContinuousClock.Instant?
        var shutDown = false
    }

    private struct Submitting {
        var machine: SlurmSubmissionMachine
        var token: String
        var taskCount: Int
        /// The job's spool folder (the tasks' output goes there).
        var spoolFolder: String
        /// The sbatch arguments (nil for one adopted after a restart: never submitted again).
        var sbatchArguments: [String]?
    }

    private struct TrackedArray {
        var jobID: String
        var token: String
        var taskCount: Int
        var spoolFolder: String
        var ended: Set<Int> = []
        var states: [Int: String] = [:]
        /// Tasks seen running at least once.
        var seenRunning: Set<Int> = []
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

    var configuration: SlurmConfiguration { state.withLock { $0.configuration } }
    private var commands: SlurmCommands { SlurmCommands(directory: configuration.commandDirectory) }
    private var storePrefix: String { "sgdyn-\(storeToken)-" }

    private func run(_ command: String, _ arguments: [String]) async -> CommandResult? {
        let timeout = Duration.seconds(configuration.commandTimeout)
        return try? await commands.run(command, arguments, timeout: timeout)
    }

    // MARK: Limits

    /// Tasks it may still hand to Slurm: the cluster's budget (half of `MaxJobCount`) less the
    /// tasks of its arrays still in the queue. Zero until the limits have been read (which this
    /// starts, off the caller).
    public func freeSlots() async -> Int {
        let (limits, inFlight, stale) = state.withLock { state in
            (state.limits,
             state.arrays.values.reduce(0) { $0 + $1.taskCount - $1.ended.count } + state.submitting.values.reduce(0) { $0 + $1.taskCount },
             state.limitsReadAt.map { ContinuousClock.now - $0 > .seconds(600) } ?? true)
        }
        if stale { readLimitsInBackground() }
        guard let limits else { return 0 }
        return max(0, limits.taskBudget - inFlight)
    }

    /// One array: at most MaxArraySize tasks, and never more than the whole budget.
    public func maxTasksPerSubmission() async -> Int {
        state.withLock { $0.limits.map { min($0.tasksPerArray, $0.taskBudget) } } ?? 1
    }

    private func readLimitsInBackground() {
        let start = state.withLock { state -> Bool in
            guard !state.readingLimits, !state.shutDown else { return false }
            state.readingLimits = true
            return true
        }
        guard start else { return }
        Task { [self] in
            let result = await run("scontrol", ["show", "config"])
            let limits = result.flatMap { $0.succeeded ? SlurmClusterLimits.parse(scontrolShowConfig: $0.standardOutput) : nil }
            let (changed, warn) = state.withLock { state -> (Bool, Bool) in
                state.readingLimits = false
                guard let limits else {
                    defer { state.limitsWarned = true }
                    return (false, !state.limitsWarned)
                }
                state.limitsWarned = false
                defer { state.limits = limits; state.limitsReadAt = .now }
                return (state.limits != limits, false)
            }
            if let limits, changed {
                continuation.yield(.notice("Slurm allows \(limits.maxArraySize) tasks per array and \(limits.maxJobCount) jobs (MaxArraySize, MaxJobCount; MinJobAge \(limits.minJobAge.map { "\($0) s" } ?? "unknown")): sgdyn keeps at most \(limits.taskBudget) tasks in the queue and splits larger submissions",
                                           level: .info))
            } else if limits == nil, warn {
                continuation.yield(.notice("cannot read Slurm's limits (scontrol show config: \(result?.message ?? "did not run")); submissions wait until it answers",
                                           level: .warning))
            }
        }
    }

    // MARK: Submitting

    public func submit(_ submission: PreparedSubmission) async throws(ExecutorError) -> String? {
        let configuration = self.configuration
        let script = submission.spoolFolder + "/submission-\(submission.id.rawValue).sbatch"
        let worker = configuration.worker ?? defaultWorker
        // `exec`, so that the worker is the batch step's process and gets --signal=B:USR1 itself.
        // The marker tells a later look-up that Slurm took (and ran) this submission under that
        // array id, even once Slurm has forgotten the array.
        let text = """
            #!/bin/sh
            # sgdyn job \(submission.jobName), submission \(submission.id) (\(submission.token))
            umask 077
            echo "$SLURM_ARRAY_JOB_ID" >> '\(Self.startedMarker(spoolFolder: submission.spoolFolder, submission: submission.id))'
            exec '\(worker)' worker --spool '\(submission.spoolFolder)' --submission \(submission.id.rawValue) --task "$SLURM_ARRAY_TASK_ID" --threads \(configuration.cpusPerTask) --checkpoint-interval \(submission.checkpointInterval)

            """
        do {
            try AtomicFile.write(Array(text.utf8), to: script, mode: 0o600)
        } catch {
            throw .temporary("cannot write the batch script \(script): \(error)")
        }
        var arguments = ["--parsable", "--array=0-\(submission.taskCount - 1)" + (configuration.maxRunning.map { "%\($0)" } ?? ""),
                         "--job-name=sgdyn-\(submission.jobName)", "--comment=\(submission.token)",
                         "--requeue", "--export=NONE", "--open-mode=append",
                         // The job folder is the daemon's own (0700, checked): nothing can be planted there.
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
        state.withLock { state in
            state.submitting[submission.id] = Submitting(machine: SlurmSubmissionMachine(), token: submission.token, taskCount: submission.taskCount,
                                                         spoolFolder: submission.spoolFolder, sbatchArguments: arguments)
        }
        drive(submission.id)
        startPolling()
        // The job id comes later, as `.submissionIdentified` (or `.submissionFailed`).
        return nil
    }

    /// Runs a submission's machine until Slurm has it or it is over, in a task of its own.
    private func drive(_ id: SubmissionID) {
        Task { [self] in
            while true {
                let action = state.withLock { state -> SlurmSubmissionMachine.Action in
                    guard !state.shutDown else { return .done }
                    return state.submitting[id]?.machine.next(now: .now) ?? .done
                }
                switch action {
                case .done:
                    return
                case .wait(let until):
                    try? await Task.sleep(until: min(until, .now + .seconds(1)), clock: .continuous)
                case .run(.sbatch):
                    let arguments = state.withLock { $0.submitting[id]?.sbatchArguments } ?? []
                    let result = await sbatch(arguments)
                    let effects = state.withLock { $0.submitting[id]?.machine.sbatchEnded(result, now: .now) } ?? []
                    await perform(effects, for: id)
                case .run(.lookUp):
                    let (token, folder) = state.withLock { ($0.submitting[id]?.token ?? "", $0.submitting[id]?.spoolFolder ?? "") }
                    let result = await lookUp(token, marker: Self.startedMarker(spoolFolder: folder, submission: id))
                    let effects = state.withLock { $0.submitting[id]?.machine.lookUpEnded(result, now: .now) } ?? []
                    await perform(effects, for: id)
                }
            }
        }
    }

    /// The file each task of a submission appends its array's job id to when it starts.
    static func startedMarker(spoolFolder: String, submission: SubmissionID) -> String {
        spoolFolder + "/submission-\(submission.rawValue).started"
    }

    private func sbatch(_ arguments: [String]) async -> SlurmSubmissionMachine.SubmitResult {
        guard let result = await run("sbatch", arguments) else { return .unknown("cannot run sbatch") }
        guard result.succeeded, let id = result.standardOutput.split(separator: "\n").last?.split(separator: ";").first.map(String.init),
              !id.isEmpty, id.allSatisfy(\.isNumber)
        else {
            switch Self.classifySubmissionFailure(result) {
            case .permanent(let why): return .refused(why)
            case .temporary(let why): return .unknown(why)
            }
        }
        return .accepted(id)
    }

    /// The arrays with this comment that Slurm still knows (finished ones too), else those whose
    /// tasks left the started marker (an array that ran and ended before the look-up and that
    /// Slurm already forgot); or why the queue did not answer.
    private func lookUp(_ token: String, marker: String) async -> SlurmSubmissionMachine.LookUpResult {
        guard let entries = await listOwnArrays(allStates: true) else { return .failed("no answer") }
        let known = Set(entries.filter { $0.comment == token }.map(\.arrayJobID))
        if !known.isEmpty { return .found(Array(known)) }
        let started = (try? AtomicFile.read(marker, limit: 1 << 20)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return .found(Array(Set(started.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0.allSatisfy(\.isNumber) })))
    }

    private func perform(_ effects: [SlurmSubmissionMachine.Effect], for id: SubmissionID) async {
        for effect in effects {
            switch effect {
            case .follow(let jobID, let adopted):
                guard let submitting = state.withLock({ $0.submitting.removeValue(forKey: id) }) else { continue }
                state.withLock { state in
                    state.arrays[id] = TrackedArray(jobID: jobID, token: submitting.token, taskCount: submitting.taskCount,
                                                    spoolFolder: submitting.spoolFolder)
                }
                if adopted {
                    continuation.yield(.notice("found Slurm job \(jobID) of submission \(id) (\(submitting.token)) in the queue; following it",
                                               level: .notice))
                }
                continuation.yield(.submissionIdentified(id, externalID: jobID))
            case .cancel(let arrays):
                for array in arrays { _ = await run("scancel", [array]) }
            case .fail(let why):
                let taken = state.withLock { $0.submitting.removeValue(forKey: id) }
                if taken != nil { continuation.yield(.submissionFailed(id, reason: why)) }
            case .endUnrun(let why):
                guard let submitting = state.withLock({ $0.submitting.removeValue(forKey: id) }) else { continue }
                for task in 0..<submitting.taskCount {
                    continuation.yield(.taskEnded(id, task: task, .lost(why)))
                }
            case .notice(let message, let level):
                continuation.yield(.notice("submission \(id): \(message)", level: level))
            }
        }
    }

    /// sbatch refusing a request that will never be accepted (a partition that does not exist, a
    /// time limit over the partition's) is permanent; anything else (the controller down, a
    /// timeout) may pass.
    static func classifySubmissionFailure(_ result: CommandResult) -> ExecutorError {
        // sbatch's own lines already start with "sbatch: " (and "sbatch: error: "): not again.
        let message = result.message.hasPrefix("sbatch:") ? result.message : "sbatch: " + result.message
        let permanent = ["invalid partition", "requested time limit is invalid", "invalid account", "invalid qos",
                         "invalid job array specification", "node count specification invalid", "more processors requested than permitted",
                         "memory specification can not be satisfied", "invalid feature specification", "access/permission denied",
                         "requested node configuration is not available"]
        let text = result.message.lowercased()
        return permanent.contains(where: text.contains) && !result.timedOut ? .permanent(message) : .temporary(message)
    }

    // MARK: Stopping

    public func stop(_ submission: SubmissionID) async {
        if let effects = state.withLock({ $0.submitting[submission]?.machine.requestStop() }) {
            Task { await perform(effects, for: submission) }
            return
        }
        guard let id = state.withLock({ $0.arrays[submission]?.jobID }) else { return }
        Task { [self] in
            // Running tasks checkpoint and exit on USR1 (as before a time limit); pending ones go at once.
            _ = await run("scancel", ["--batch", "--signal=USR1", id])
            _ = await run("scancel", ["--state=PENDING", id])
        }
    }

    public func kill(_ submission: SubmissionID) async {
        if let effects = state.withLock({ $0.submitting[submission]?.machine.requestStop() }) {
            Task { await perform(effects, for: submission) }
            return
        }
        guard let id = state.withLock({ $0.arrays[submission]?.jobID }) else { return }
        Task { [self] in _ = await run("scancel", [id]) }
    }

    /// Ends one task at once (a hung worker).
    public func kill(_ submission: SubmissionID, task: Int) async {
        guard let id = state.withLock({ $0.arrays[submission]?.jobID }) else { return }
        Task { [self] in _ = await run("scancel", ["\(id)_\(task)"]) }
    }

    // MARK: Adopting

    public func adopt(_ submissions: [SubmissionRecord]) async {
        for submission in submissions {
            let spool = submission.spool ?? SpoolLayout(root: configuration.spool).jobFolder(job: submission.jobID.rawValue)
            if let jobID = submission.externalID {
                state.withLock { state in
                    state.arrays[submission.id] = TrackedArray(jobID: jobID, token: submission.token, taskCount: submission.tasks.count,
                                                               spoolFolder: spool)
                }
            } else {
                // The daemon stopped between recording it and learning its job id: look it up by token.
                state.withLock { state in
                    state.submitting[submission.id] = Submitting(machine: SlurmSubmissionMachine(adoptedAfterRestart: ()), token: submission.token,
                                                                 taskCount: submission.tasks.count, spoolFolder: spool, sbatchArguments: nil)
                }
                drive(submission.id)
            }
        }
        // Arrays of this store that no open submission accounts for are cancelled by the first look
        // at the queue (`reconcile`).
        startPolling()
    }

    /// Every array of this store in the queue (one entry per task), or nil when the controller
    /// does not answer.
    private func listOwnArrays(allStates: Bool = false) async -> [SlurmQueue.Entry]? {
        let states = allStates ? ["-t", "all"] : []
        guard let result = await run("squeue", ["-h", "-r", "-u", Self.userName] + states + ["-o", SlurmQueue.squeueFormat]), result.succeeded
        else { return nil }
        let prefix = storePrefix
        return SlurmQueue.parse(squeue: result.standardOutput).filter { $0.comment.hasPrefix(prefix) }
    }

    /// The daemon's user, whose jobs are listed.
    static let userName: String = {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return String(geteuid())
    }()

    public func shutDown() async {
        state.withLock { $0.shutDown = true }
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

    // MARK: Following

    /// One look at the queue: strays are cancelled, state changes reported, tasks that left it
    /// looked up at once and reported as ended.
    func poll() async {
        // Also with nothing followed: an array accepted late for a submission already over is found.
        let arrays = state.withLock { $0.arrays }
        guard let entries = await listOwnArrays() else {
            let first = state.withLock { state -> Bool in
                defer { if state.unreachableSince == nil { state.unreachableSince = .now } }
                return state.unreachableSince == nil
            }
            if first { continuation.yield(.notice("Slurm does not answer (squeue); following resumes when it does", level: .warning)) }
            return
        }
        if state.withLock({ $0.unreachableSince }) != nil {
            state.withLock { $0.unreachableSince = nil }
            continuation.yield(.notice("Slurm answers again", level: .notice))
        }
        await reconcile(entries)
        for (submission, array) in arrays {
            var states: [Int: String] = [:]
            for entry in entries where entry.arrayJobID == array.jobID { if let task = entry.taskID { states[task] = entry.state } }
            if let hopeless = entries.first(where: { $0.arrayJobID == array.jobID && $0.state == "PENDING"
                                                     && SlurmQueue.hopelessReasons.contains($0.reason) }) {
                _ = await run("scancel", [array.jobID])
                state.withLock { _ = $0.arrays.removeValue(forKey: submission) }
                continuation.yield(.submissionFailed(submission, reason: "Slurm will never start its tasks (pending reason \(hopeless.reason)); cancelled"))
                continue
            }
            let changed = states.filter { array.states[$0.key] != $0.value }
            state.withLock { state in
                state.arrays[submission]?.states = states
                state.arrays[submission]?.seenRunning.formUnion(states.filter { $0.value == "RUNNING" }.keys)
            }
            if !changed.isEmpty { continuation.yield(.unitStates(submission, changed.mapValues(ExecutorTaskState.init(word:)))) }
            // A task not in the queue has ended (or is about to be listed again): looked up at once,
            // so a task that fails before it is ever seen running is never missed, whatever MinJobAge.
            for task in 0..<array.taskCount where states[task] == nil && !array.ended.contains(task) {
                guard let end = await finalState(of: array, task: task) else { continue }
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

    /// Cancels arrays of this store that no submission follows (duplicates accepted late, arrays
    /// of submissions given up).
    private func reconcile(_ entries: [SlurmQueue.Entry]) async {
        let (followed, submitting) = state.withLock { state in
            (Dictionary(state.arrays.values.map { ($0.token, $0.jobID) }, uniquingKeysWith: { first, _ in first }),
             Set(state.submitting.values.map(\.token)))
        }
        let strays = SlurmQueueReconciliation.strays(queue: entries.map { ($0.arrayJobID, $0.comment) }, storePrefix: storePrefix,
                                                     followed: followed, submitting: submitting)
        for stray in strays {
            let result = await run("scancel", [stray.arrayJobID])
            continuation.yield(.notice("cancelled Slurm job \(stray.arrayJobID) (\(stray.token)): \(stray.why)"
                                       + (result?.succeeded == true ? "" : " (scancel: \(result?.message ?? "did not run"))"), level: .warning))
        }
    }

    /// How a task that left the queue ended: `scontrol` (and `sacct` where accounting exists)
    /// while Slurm remembers it; otherwise its output in the spool says whether it ran. Nil while
    /// it is still in the queue after all, or the controller does not answer.
    private func finalState(of array: TrackedArray, task: Int) async -> TaskEnd? {
        let output = SlurmTaskOutput.read(spoolFolder: array.spoolFolder, arrayJobID: array.jobID, task: task)
        guard let result = await run("scontrol", ["show", "job", "-o", "\(array.jobID)_\(task)"]) else { return nil }
        if result.succeeded, let (state, exit, signal) = SlurmQueue.parse(scontrol: result.standardOutput) {
            guard SlurmQueue.isFinal(state) else { return nil }
            return withOutput(SlurmQueue.taskEnd(state: state, exitStatus: exit, signal: signal, output: output), output, array: array, task: task)
        }
        // Anything but "Invalid job id" (forgotten) means the controller did not answer: ask again later.
        guard result.message.contains("Invalid job id") else { return nil }
        if let result = await run("sacct", ["-n", "-P", "-X", "-j", "\(array.jobID)_\(task)", "-o", "State,ExitCode"]), result.succeeded,
           let line = result.standardOutput.split(separator: "\n").first {
            let fields = line.split(separator: "|")
            let code = fields.count > 1 ? fields[1].split(separator: ":") : []
            let state = String(fields.first?.split(separator: " ").first ?? "UNKNOWN")
            return withOutput(SlurmQueue.taskEnd(state: state, exitStatus: code.first.flatMap { Int32($0) },
                                                 signal: code.count > 1 ? Int32(code[1]) : nil, output: output), output, array: array, task: task)
        }
        return withOutput(SlurmQueue.forgottenTaskEnd(seenRunning: array.seenRunning.contains(task), output: output), output, array: array, task: task)
    }

    /// A crashed task's output goes to the job's log (the spool is removed with the job).
    private func withOutput(_ end: TaskEnd, _ output: String?, array: TrackedArray, task: Int) -> TaskEnd {
        guard case .crashed = end, let output, !output.isEmpty else { return end }
        let submission = state.withLock { state in state.arrays.first { $0.value.jobID == array.jobID }?.key }
        if let submission { continuation.yield(.taskOutput(submission, task: task, output)) }
        return end
    }
}

/// A task's output file in the spool (`slurm-ARRAY_TASK.out`), read without following a symlink
/// and only its end.
enum SlurmTaskOutput {
    /// Bytes of the end of the output kept.
    static let tailBytes = 4096

    static func path(spoolFolder: String, arrayJobID: String, task: Int) -> String {
        spoolFolder + "/slurm-\(arrayJobID)_\(task).out"
    }

    static func read(spoolFolder: String, arrayJobID: String, task: Int) -> String? {
        let path = path(spoolFolder: spoolFolder, arrayJobID: arrayJobID, task: task)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let start = max(0, Int(info.st_size) - tailBytes)
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) - start)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start)) }
        guard count >= 0 else { return nil }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }

    /// The last line that says something, for a crash reason.
    static func lastLine(_ output: String) -> String? {
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let last = lines.last else { return nil }
        return String(last.prefix(300))
    }
}
