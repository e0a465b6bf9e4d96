import Foundation
import Logging
@testable import SGDynDaemon
import SGDynJobs
import SGDynStore

extension ExecutorKind {
    /// The in-process executor of the tests (never stored by `sgdyn serve`).
    static let fake = ExecutorKind(rawValue: "fake")
}

/// What the fake does with one task when it is submitted or adopted.
enum FakeTask: Sendable, Equatable {
    /// Runs its units in-process with the worker's own code (`WorkerUnits`, `UnitThreads`), then
    /// ends as the worker process would (`exited(0)`, or `exited(75)` when asked to stop).
    case run
    /// Ends at once, as scripted, without running anything (a crash, a preemption).
    case end(TaskEnd)
    /// Reported running, but does nothing (no unit reports: a hung task) until it is stopped
    /// (`exited(75)`) or killed (`crashed`).
    case hold
}

/// The third executor: everything the daemon needs from an executor, in-process. It proves that
/// the `Executor` protocol and one `ExecutorRegistration` are all a new executor needs — the
/// daemon runs it without knowing its kind — and lets the tests run the real `Daemon` actor in
/// milliseconds-to-seconds without processes. It lives in the test target (not in SGDynDaemon)
/// because `sgdyn serve` must never run units in its own process (a trap in one would take the
/// daemon down); `@testable import` gives it the worker's internals, so the units it runs are
/// computed and reported by the same code as a real worker's.
final class FakeExecutor: Executor {
    let kind = ExecutorKind.fake
    let scheduling: ExecutorScheduling
    let tasksOutliveDaemon: Bool
    let spoolRoot: String?
    let events: AsyncStream<ExecutorEvent>
    private let continuation: AsyncStream<ExecutorEvent>.Continuation
    private let state: Locked<State>

    struct State {
        /// What the next submitted tasks do, in order; `.run` once it is used up.
        var script: [FakeTask]
        /// What adopted tasks do.
        var adoptedTasks: FakeTask = .run
        var tasks: [TaskKey: Running] = [:]
        /// Every task submitted or adopted, with what it did.
        var log: [(TaskKey, FakeTask)] = []
        var stopRequests: [SubmissionID] = []
        var kills: [TaskKey] = []
        /// Submissions killed as a whole (`kill(_:)`).
        var wholeKills: [SubmissionID] = []
        var adopted: [SubmissionID] = []
        var reconfigured = 0
        var shutDown = false
    }

    struct TaskKey: Hashable, Sendable {
        var submission: SubmissionID
        var task: Int
    }

    struct Running {
        var stop: StopFlag
        var held: Bool
        var threads: Int
    }

    /// Threads (slots) it has in all: each running task holds its `threadsPerTask`.
    let threadBudget: Int
    /// Whether `submit` returns the external id at once (a local worker's pid) or, as Slurm's
    /// sbatch, later through `submissionIdentified`.
    let identifiesLater: Bool

    init(scheduling: ExecutorScheduling = .ownQueue, tasksOutliveDaemon: Bool = true, spoolRoot: String?, script: [FakeTask] = [],
         threadBudget: Int = 8, identifiesLater: Bool = false) {
        self.scheduling = scheduling
        self.threadBudget = threadBudget
        self.identifiesLater = identifiesLater
        self.tasksOutliveDaemon = tasksOutliveDaemon
        self.spoolRoot = spoolRoot
        state = Locked(State(script: script))
        (events, continuation) = AsyncStream.makeStream(of: ExecutorEvent.self)
    }

    /// Its registration: what `ExecutorRegistry.standard` would hold for it.
    var registration: ExecutorRegistration {
        ExecutorRegistration(kind: .fake, make: { _ in self })
    }

    func snapshot() -> State { state.withLock { $0 } }

    func setAdoptedTasks(_ task: FakeTask) { state.withLock { $0.adoptedTasks = task } }

    /// Own queue: one unit per task (so a submission has several). Worker threads: one task.
    func plan(_ units: [UnitRecord], free: Int) -> TaskPlan {
        switch scheduling {
        case .ownQueue: TaskPlan(tasks: units.map { [$0.id] }, threadsPerTask: 1)
        case .workerThreads: TaskPlan(tasks: [units.map(\.id)], threadsPerTask: max(1, min(free, units.count)))
        }
    }

    func freeSlots() async -> Int {
        let busy = state.withLock { $0.tasks.values.reduce(0) { $0 + $1.threads } }
        return max(0, threadBudget - busy)
    }

    func maxTasksPerSubmission() async -> Int { threadBudget }

    func submit(_ submission: PreparedSubmission) async throws(ExecutorError) -> String? {
        for task in 0..<submission.taskCount {
            let what = state.withLock { state -> FakeTask in state.script.isEmpty ? .run : state.script.removeFirst() }
            start(TaskKey(submission: submission.id, task: task), what, spoolFolder: submission.spoolFolder, threads: submission.threadsPerTask)
        }
        let externalID = "fake-\(submission.id.rawValue)"
        guard identifiesLater else { return externalID }
        continuation.yield(.submissionIdentified(submission.id, externalID: externalID))
        return nil
    }

    private func start(_ key: TaskKey, _ what: FakeTask, spoolFolder: String, threads: Int) {
        let stop = StopFlag()
        state.withLock {
            $0.log.append((key, what))
            if case .end = what { return }
            $0.tasks[key] = Running(stop: stop, held: what == .hold, threads: threads)
        }
        switch what {
        case .end(let end):
            continuation.yield(.taskEnded(key.submission, task: key.task, end))
        case .hold:
            // It runs (as Slurm reports RUNNING), so the daemon watches it for silence.
            continuation.yield(.unitStates(key.submission, [key.task: .running]))
        case .run:
            let events = continuation
            let thread = Thread { [weak self] in
                let end = FakeExecutor.runTask(key, spoolFolder: spoolFolder, threads: threads, stop: stop)
                self?.state.withLock { _ = $0.tasks.removeValue(forKey: key) }
                events.yield(.taskEnded(key.submission, task: key.task, end))
            }
            thread.start()
        }
    }

    /// One task's units, computed on this thread as `sgdyn worker` would compute them.
    static func runTask(_ key: TaskKey, spoolFolder: String, threads: Int, stop: StopFlag) -> TaskEnd {
        let path = spoolFolder + "/submission-\(key.submission.rawValue).tasks"
        guard let bytes = try? AtomicFile.read(path, limit: 64 << 20),
              let tasks = try? SubmissionTasks(text: String(decoding: bytes, as: UTF8.self)), tasks.tasks.indices.contains(key.task)
        else { return .crashed("fake: no tasks file \(path)") }
        let run = WorkerUnits(spoolFolder: spoolFolder, token: tasks.token, entries: tasks.tasks[key.task], logger: Logger(label: "fake-worker"))
        UnitThreads(threads: threads, checkpointInterval: nil).run(run.threadedUnits(), events: { run.handle($0) }, stopRequested: { stop.isSet })
        if stop.isSet { return .exited(ExitStatus.temporaryFailure.rawValue) }
        return run.problems.isEmpty ? .exited(ExitStatus.success.rawValue) : .crashed("fake: \(run.problems)")
    }

    func stop(_ submission: SubmissionID) async {
        let held = state.withLock { state -> [TaskKey] in
            state.stopRequests.append(submission)
            var held: [TaskKey] = []
            for (key, running) in state.tasks where key.submission == submission {
                running.stop.set()
                if running.held { held.append(key) }
            }
            for key in held { state.tasks.removeValue(forKey: key) }
            return held
        }
        for key in held.sorted(by: { $0.task < $1.task }) {
            continuation.yield(.taskEnded(key.submission, task: key.task, .exited(ExitStatus.temporaryFailure.rawValue)))
        }
    }

    func kill(_ submission: SubmissionID) async {
        let keys = state.withLock { state in
            state.wholeKills.append(submission)
            return state.tasks.keys.filter { $0.submission == submission }
        }
        for key in keys.sorted(by: { $0.task < $1.task }) { await kill(submission, task: key.task) }
    }

    func kill(_ submission: SubmissionID, task: Int) async {
        let key = TaskKey(submission: submission, task: task)
        let running = state.withLock { state -> Running? in
            state.kills.append(key)
            return state.tasks.removeValue(forKey: key)
        }
        guard let running else { return }
        running.stop.set()
        continuation.yield(.taskEnded(submission, task: task, .crashed("fake: killed")))
    }

    func reconfigure(_ configuration: DaemonConfiguration) {
        state.withLock { $0.reconfigured += 1 }
    }

    func adopt(_ submissions: [SubmissionRecord]) async {
        let what = state.withLock { state -> FakeTask in
            state.adopted += submissions.map(\.id)
            return state.adoptedTasks
        }
        for submission in submissions {
            for task in submission.tasks.indices {
                start(TaskKey(submission: submission.id, task: task), what, spoolFolder: submission.spool ?? "", threads: 1)
            }
        }
    }

    func shutDown() async {
        // Held tasks "go on" (they outlive the daemon when it says so): nothing ends them here.
        state.withLock { $0.shutDown = true }
        continuation.finish()
    }
}
