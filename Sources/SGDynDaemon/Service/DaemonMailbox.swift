import SGDynJobs

/// Everything that wakes the daemon's loop, kept in two kinds so that no amount of inbox activity
/// can push out the daemon's own events:
///
/// - **Control events** (`DaemonControlEvent`: a task ended, a bundle written, an off-loop result,
///   a signal, shutdown) are queued without bound, in order, and are never dropped or merged. They
///   are few — at most a handful per unit or job — so the queue stays small in practice.
/// - **Inbox news** is coalesced: however many inotify events arrive between two passes of the
///   loop, they become one "look at the inbox" flag, plus the names renamed in (bounded: a name
///   beyond the bound only loses the quiet-period shortcut) and a watch that ended.
///
/// The loop takes everything that has accumulated at once (`next`), handles every control event,
/// then runs one pass. Any number of producers; one consumer (the daemon's loop).
final class DaemonMailbox: Sendable {
    private let state = Locked(State())

    /// Most renamed-in names remembered between two passes; beyond it a file waits its quiet period.
    static let renamedInLimit = 10_000

    private struct State {
        var control: [DaemonControlEvent] = []
        var inbox = InboxNews()
        var tick = false
        var waiter: CheckedContinuation<Void, Never>?
        var hasNews: Bool { !control.isEmpty || inbox.changed || tick }
    }

    /// Queues a control event; it is delivered exactly once, in order, whatever else happens.
    func post(_ event: DaemonControlEvent) {
        wakeConsumer { $0.control.append(event) }
    }

    /// Notes an inbox watcher's hint (coalesced with every other one not yet taken).
    func noteInbox(_ hint: InboxHint) {
        wakeConsumer { state in
            state.inbox.changed = true
            switch hint {
            case .renamedIn(let entry):
                if state.inbox.renamedIn.count < Self.renamedInLimit { state.inbox.renamedIn.insert(entry) }
            case .watchEnded(let reason):
                state.inbox.watchEnded = reason
            case .directoryMayHaveChanged, .overflowRescan:
                break
            }
        }
    }

    /// The one-second tick (and any other reason to run a pass with nothing new).
    func tick() {
        wakeConsumer { $0.tick = true }
    }

    private func wakeConsumer(_ change: (inout State) -> Void) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            change(&state)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits until there is something (or `timeout` passed, then possibly nothing) and takes all
    /// of it. One consumer only.
    func next(timeout: Duration? = nil) async -> DaemonWakeups {
        let timer = timeout.map { timeout in
            Task { [weak self] in
                try await Task.sleep(for: timeout)
                self?.wakeConsumer { _ in }
            }
        }
        defer { timer?.cancel() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                guard !state.hasNews else { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
        return take()
    }

    /// Takes whatever has accumulated without waiting.
    func take() -> DaemonWakeups {
        state.withLock { state in
            defer {
                state.control = []
                state.inbox = InboxNews()
                state.tick = false
            }
            return DaemonWakeups(control: state.control, inbox: state.inbox)
        }
    }
}

/// What the loop took from its mailbox in one go.
struct DaemonWakeups: Sendable {
    var control: [DaemonControlEvent]
    var inbox: InboxNews

    /// Adds what was taken later (control events stay in order).
    mutating func merge(_ later: DaemonWakeups) {
        control += later.control
        inbox.changed = inbox.changed || later.inbox.changed
        inbox.renamedIn.formUnion(later.inbox.renamedIn)
        inbox.watchEnded = later.inbox.watchEnded ?? inbox.watchEnded
    }
}

/// Off-loop work (`Daemon.offLoop`) that did not report back within its time.
struct OffLoopTimeout: Error, CustomStringConvertible {
    var label: String
    var timeout: Duration
    var description: String { "\(label) did not finish within \(Int(timeout.seconds)) s" }
}

/// Inbox watcher hints, coalesced.
struct InboxNews: Sendable, Equatable {
    /// Something happened in the inbox since the last pass: list it again.
    var changed = false
    /// Entries renamed in (the drop protocol's last step: they need no quiet period).
    var renamedIn: Set<InboxEntryName> = []
    /// The watch ended (the stream finished after it): fall back to polling.
    var watchEnded: String?
}

/// An event the daemon's loop must see, exactly once: never dropped, never merged.
enum DaemonControlEvent: Sendable {
    /// What an executor reports (a task ended, unit states, …). Executors' `events` streams are
    /// unbounded and forwarded here one by one.
    case executor(ExecutorEvent)
    /// An executor's event that could not be recorded yet (the store was locked or the disk
    /// full), taken up again after a delay (`Daemon.handle(_:attempt:)`).
    case executorRetry(ExecutorEvent, attempt: Int)
    /// A bundle writer ended (see `Daemon+Publishing`).
    case bundleWritten(PublishAttemptResult)
    /// The result of work the loop started off the loop (`Daemon.offLoop`): a closure run on the
    /// daemon's actor when the loop takes it.
    case offLoopResult(label: String, deliver: @Sendable (isolated Daemon) async -> Void)
    case reload
    case shutdown
}
