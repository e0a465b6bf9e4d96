import SGDynJobs

/// An `InboxWatcher` that hints `directoryMayHaveChanged` every `interval`, for filesystems where
/// inotify never fires (NFS, CIFS/SMB, FUSE) or when inotify cannot be set up. The timer is a task
/// sleeping in the cooperative pool, which blocks nothing.
public final class PollingInboxWatcher: InboxWatcher {
    public let directory: String
    public let interval: Duration
    public var mechanism: String { "polling" }
    public let hints: AsyncStream<InboxHint>
    private let continuation: AsyncStream<InboxHint>.Continuation
    private let timer = Locked<TimerState>(.notStarted)

    private enum TimerState {
        case notStarted
        case running(Task<Void, Never>)
        case stopped
    }

    public init(directory: String, interval: Duration = .seconds(2)) {
        precondition(interval > .zero, "the polling interval must be positive")
        self.directory = directory
        self.interval = interval
        (hints, continuation) = AsyncStream.makeStream(of: InboxHint.self, bufferingPolicy: .bufferingNewest(8))
    }

    public func start() throws {
        try timer.withLock { state in
            guard case .notStarted = state else { throw InboxWatcherError.alreadyStarted }
            let continuation = continuation
            let interval = interval
            state = .running(Task {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { break }
                    continuation.yield(.directoryMayHaveChanged)
                }
                continuation.finish()
            })
        }
    }

    public func stop() {
        timer.withLock { state in
            switch state {
            case .notStarted: continuation.finish()
            case let .running(task): task.cancel()
            case .stopped: break
            }
            state = .stopped
        }
    }
}
