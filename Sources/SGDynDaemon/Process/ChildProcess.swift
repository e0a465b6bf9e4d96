import SGDynJobs
import CProcessControl
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public enum ProcessTermination: Sendable, Equatable, CustomStringConvertible {
    /// It called exit with this status.
    case exited(Int32)
    /// A signal ended it (a trap, the OOM killer, kill -9).
    case signalled(Int32)

    public var description: String {
        switch self {
        case .exited(let status): return "exited with status \(status)"
        case .signalled(let signal):
            return "was killed by signal \(signal)" + (signal == SIGKILL ? " (SIGKILL: out of memory, or killed)" : "")
        }
    }
}

/// A child process started with posix_spawn and followed through a pidfd, so that signalling it
/// can never reach another process that reused its number, and its end is noticed without
/// Foundation's `Process` (whose run loop needs a loopback socket, which the service's sandbox
/// does not allow).
///
/// Children are started by one long-lived thread (`ProcessSpawner`): a child that asked for
/// PR_SET_PDEATHSIG is killed when the *thread* that started it ends, and threads of the Swift
/// cooperative pool come and go. A thread per child waits for it to end and reaps it.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    private let pidfd: Int32
    private let state = Locked<State>(State())

    private struct State {
        var termination: ProcessTermination?
        var waiters: [CheckedContinuation<ProcessTermination, Never>] = []
        var onExit: (@Sendable (ProcessTermination) -> Void)?
    }

    init(pid: pid_t, pidfd: Int32, onExit: (@Sendable (ProcessTermination) -> Void)?) {
        self.pid = pid
        self.pidfd = pidfd
        state.withLock { $0.onExit = onExit }
        let thread = Thread { [self] in self.waitForEnd() }
        thread.name = "sgdyn-reaper"
        thread.stackSize = 1 << 18
        thread.start()
    }

    deinit { close(pidfd) }

    /// Starts `executable` with `arguments` (argv[1...]) and `environment`.
    /// - Parameters:
    ///   - newProcessGroup: puts the child in a process group of its own, so that a Ctrl-C in the
    ///     daemon's terminal reaches the daemon only (which stops its workers in order).
    ///   - standardOutput, standardError: descriptors to give the child as 1 and 2; nil inherits.
    ///   - onExit: called once, on the reaper thread, when the child has ended and been reaped.
    public static func spawn(
        executable: String, arguments: [String], environment: [String: String],
        newProcessGroup: Bool = false, standardOutput: Int32? = nil, standardError: Int32? = nil,
        onExit: (@Sendable (ProcessTermination) -> Void)? = nil
    ) async throws(SystemError) -> ChildProcess {
        let request = SpawnRequest(executable: executable, arguments: arguments, environment: environment,
                                   newProcessGroup: newProcessGroup, standardOutput: standardOutput, standardError: standardError)
        let (pid, pidfd) = try await ProcessSpawner.shared.spawn(request)
        return ChildProcess(pid: pid, pidfd: pidfd, onExit: onExit)
    }

    /// How it ended, once it has; nil while it runs.
    public var termination: ProcessTermination? { state.withLock { $0.termination } }

    /// Waits until the child has ended and returns how.
    public func waitForExit() async -> ProcessTermination {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> ProcessTermination? in
                if let termination = state.termination { return termination }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Sends `signal` unless the child has already ended (then it is a no-op).
    public func send(_ signal: Int32) {
        _ = sgdyn_pidfd_send_signal(pidfd, signal)
    }

    private func waitForEnd() {
        var exited: Int32 = 0
        var value: Int32 = 0
        let termination: ProcessTermination
        if sgdyn_pidfd_wait(pidfd, &exited, &value) == 0 {
            termination = exited != 0 ? .exited(value) : .signalled(value)
        } else {
            // Only possible if someone else reaped it; report it as killed, which makes the
            // caller resume the work from its checkpoints.
            termination = .signalled(SIGKILL)
        }
        let (waiters, onExit) = state.withLock { state in
            state.termination = termination
            defer { state.waiters = []; state.onExit = nil }
            return (state.waiters, state.onExit)
        }
        onExit?(termination)
        for waiter in waiters { waiter.resume(returning: termination) }
    }
}

/// What `ProcessSpawner` should start.
struct SpawnRequest: Sendable {
    var executable: String
    var arguments: [String]
    var environment: [String: String]
    var newProcessGroup: Bool
    var standardOutput: Int32?
    var standardError: Int32?
}

/// The one thread that starts every child process (see `ChildProcess`). It lives as long as the
/// process, so PR_SET_PDEATHSIG in a child fires only when the daemon itself ends.
final class ProcessSpawner: Sendable {
    static let shared = ProcessSpawner()

    private typealias Job = (SpawnRequest, CheckedContinuation<(pid_t, Int32), any Error>)
    private let queue = Locked<[Job]>([])
    private let available = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in self.serve() }
        thread.name = "sgdyn-spawner"
        thread.stackSize = 1 << 20
        thread.start()
    }

    func spawn(_ request: SpawnRequest) async throws(SystemError) -> (pid_t, Int32) {
        do {
            return try await withCheckedThrowingContinuation { continuation in
                queue.withLock { $0.append((request, continuation)) }
                available.signal()
            }
        } catch let error as SystemError {
            throw error
        } catch {
            throw SystemError("starting \(request.executable)", errno: EINVAL)
        }
    }

    private func serve() {
        while true {
            available.wait()
            guard let (request, continuation) = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            do {
                continuation.resume(returning: try Self.start(request))
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    private static func start(_ request: SpawnRequest) throws(SystemError) -> (pid_t, Int32) {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A child starts with every signal at its default action and none blocked, whatever this
        // process ignores or blocks (signal handling libraries ignore SIGTERM, SIGHUP, …).
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if request.newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let out = request.standardOutput { posix_spawn_file_actions_adddup2(&actions, out, 1) }
        if let err = request.standardError { posix_spawn_file_actions_adddup2(&actions, err, 2) }

        let argv = ([request.executable] + request.arguments).map { strdup($0) } + [nil]
        let envp = request.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, request.executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw SystemError("starting \(request.executable)", errno: status) }
        let pidfd = sgdyn_pidfd_open(pid)
        guard pidfd >= 0 else {
            let code = errno
            kill(pid, SIGKILL)
            var ignored: Int32 = 0
            waitpid(pid, &ignored, 0)
            throw SystemError("opening a pidfd for \(request.executable) (Linux ≥ 5.3 is needed)", errno: code)
        }
        _ = fcntl(pidfd, F_SETFD, FD_CLOEXEC)
        return (pid, pidfd)
    }
}
