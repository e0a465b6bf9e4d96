import Foundation
import SGDynJobs
import SGDynStore
#if canImport(Glibc)
import Glibc
#endif

/// Runs each submission as one `sgdyn worker` process on this machine, with as many threads as the
/// daemon gave it; at most `workers` threads in all. A worker is a separate process so that a trap
/// or an out-of-memory kill in one job never takes the daemon or other jobs down. Workers die with
/// the daemon (PR_SET_PDEATHSIG), so after a restart nothing of the previous daemon's runs is left
/// to adopt.
public final class LocalExecutor: Executor {
    public let kind = ExecutorKind.local
    public let scheduling = ExecutorScheduling.workerThreads
    /// Workers die with the daemon (PR_SET_PDEATHSIG).
    public let tasksOutliveDaemon = false
    /// The state folder's spool: workers run on this machine.
    public let spoolRoot: String? = nil
    public let events: AsyncStream<ExecutorEvent>
    private let continuation: AsyncStream<ExecutorEvent>.Continuation
    private let executable: String
    private let state = Locked<State>(State())

    private struct State {
        var workers: Int
        var running: [SubmissionID: (process: ChildProcess?, threads: Int)] = [:]
        init(workers: Int = 1) { self.workers = workers }
    }

    /// - Parameters:
    ///   - executable: this program (`sgdyn`), started as `sgdyn worker …`.
    ///   - workers: threads in all worker processes together.
    public init(executable: String, workers: Int) {
        self.executable = executable
        state.withLock { $0.workers = workers }
        (events, continuation) = AsyncStream.makeStream(of: ExecutorEvent.self)
    }

    /// New thread budget (SIGHUP); running workers keep theirs.
    public func setWorkers(_ workers: Int) {
        state.withLock { $0.workers = workers }
    }

    public func reconfigure(_ configuration: DaemonConfiguration) {
        setWorkers(configuration.workers)
    }

    /// One task (one worker process) with all the units, as many threads as it has units up to `free`.
    public func plan(_ units: [UnitRecord], free: Int) -> TaskPlan {
        TaskPlan(tasks: [units.map(\.id)], threadsPerTask: min(free, units.count))
    }

    public func freeSlots() async -> Int {
        state.withLock { state in state.workers - state.running.values.reduce(0) { $0 + $1.threads } }
    }

    public func maxTasksPerSubmission() async -> Int { 1 }

    public func submit(_ submission: PreparedSubmission) async throws(ExecutorError) -> String? {
        let threads = max(1, submission.threadsPerTask)
        // Reserve the threads before the process exists, so two submissions never both count them free.
        state.withLock { $0.running[submission.id] = (nil, threads) }
        var environment = ProcessInfo.processInfo.environment
        // Only the daemon talks to systemd; a worker that inherited the socket could confuse it.
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID"] { environment.removeValue(forKey: key) }
        environment[WorkerEnvironment.parentPID] = String(getpid())
        let id = submission.id
        let events = continuation
        do {
            let process = try await ChildProcess.spawn(
                executable: executable,
                arguments: ["worker", "--spool", submission.spoolFolder, "--submission", String(submission.id.rawValue), "--task", "0",
                            "--threads", String(threads), "--checkpoint-interval", String(submission.checkpointInterval)],
                environment: environment, newProcessGroup: true
            ) { [weak self] (termination: ProcessTermination) in
                self?.state.withLock { _ = $0.running.removeValue(forKey: id) }
                events.yield(.taskEnded(id, task: 0, LocalExecutor.taskEnd(termination)))
            }
            state.withLock { state in
                // It may already have ended (and removed itself).
                if state.running[id] != nil { state.running[id] = (process, threads) }
            }
            return String(process.pid)
        } catch {
            state.withLock { _ = $0.running.removeValue(forKey: id) }
            throw .temporary("cannot start a worker process: \(error)")
        }
    }

    /// How a worker's process end reads as a task end.
    static func taskEnd(_ termination: ProcessTermination) -> TaskEnd {
        switch termination {
        case .exited(let status) where status == ExitStatus.success.rawValue || status == ExitStatus.temporaryFailure.rawValue:
            return .exited(status)
        case .exited(let status):
            return .crashed("the worker process exited with status \(status)")
        case .signalled:
            return .crashed("the worker process \(termination)")
        }
    }

    public func stop(_ submission: SubmissionID) async {
        process(of: submission)?.send(SIGTERM)
    }

    public func kill(_ submission: SubmissionID) async {
        process(of: submission)?.send(SIGKILL)
    }

    /// A submission is one worker process: its one task is all of it.
    public func kill(_ submission: SubmissionID, task: Int) async {
        await kill(submission)
    }

    private func process(of submission: SubmissionID) -> ChildProcess? {
        state.withLock { $0.running[submission]?.process }
    }

    public func adopt(_ submissions: [SubmissionRecord]) async {
        // Workers die with the daemon that started them: nothing of them is left to follow.
        for submission in submissions {
            for task in submission.tasks.indices {
                continuation.yield(.taskEnded(submission.id, task: task, .lost("its daemon stopped while it ran")))
            }
        }
    }

    public func shutDown() async {
        continuation.finish()
    }
}

extension ExecutorKind {
    /// Worker processes on this machine. Stored tag: never change it.
    public static let local = ExecutorKind(rawValue: "local")
}

extension LocalExecutor {
    /// Always set up: `workers` threads on this machine.
    public static let registration = ExecutorRegistration(kind: .local) { context in
        LocalExecutor(executable: context.executable, workers: context.configuration.workers)
    }
}

/// Environment variables the daemon passes to its workers.
public enum WorkerEnvironment {
    /// The daemon's pid: a local worker checks, after asking to die with its parent, that its
    /// parent is still this one (it may have died in between).
    public static let parentPID = "SGDYN_PARENT_PID"
}
