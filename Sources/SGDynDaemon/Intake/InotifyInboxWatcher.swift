import SGDynJobs
import CInotifyTools
import Foundation
import Synchronization

/// An `InboxWatcher` over inotify, through libinotifytools — the only file that knows about it.
///
/// libinotifytools keeps a single inotify instance in process-wide static state and is not
/// thread-safe, so at most one of these runs per process, and only its own thread calls the
/// library after setup. That thread is a dedicated one: `inotifytools_next_events` blocks in
/// select(2), which must never happen on the Swift cooperative pool. The read uses a one-second
/// timeout (the library's finest) so that `stop()` takes effect within about a second.
public final class InotifyInboxWatcher: InboxWatcher {
    public let directory: String
    public var mechanism: String { "inotify" }
    public let hints: AsyncStream<InboxHint>
    private let continuation: AsyncStream<InboxHint>.Continuation
    private let lifeCycle = Locked<LifeCycle>(.notStarted)
    private let stopRequested = Atomic<Bool>(false)

    private enum LifeCycle { case notStarted, running, stopped }

    /// True while some watcher owns libinotifytools' process-wide state.
    private static let libraryInUse = Locked<Bool>(false)

    /// What gets watched: entries finished, moved in, created, deleted or changed in metadata, and
    /// the inbox itself going away. Queue overflow (IN_Q_OVERFLOW) is always reported by the kernel.
    static let eventMask: UInt32 = UInt32(
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    public init(directory: String) {
        self.directory = directory
        (hints, continuation) = AsyncStream.makeStream(of: InboxHint.self, bufferingPolicy: .bufferingNewest(4096))
    }

    /// Sets up the watch on the calling thread (quick, non-blocking), then hands the library to a
    /// dedicated thread that reads events until `stop()`.
    public func start() throws {
        try lifeCycle.withLock { state in
            guard state == .notStarted else { throw InboxWatcherError.alreadyStarted }
            try Self.libraryInUse.withLock { inUse in
                guard !inUse else { throw InboxWatcherError.anotherInotifyWatcherActive }
                try Self.setUpWatch(directory)
                inUse = true
            }
            state = .running
        }
        let thread = Thread { [self] in readEvents() }
        thread.name = "sgdyn-inotify"
        thread.start()
    }

    public func stop() {
        let previous = lifeCycle.withLock { state in
            defer { state = .stopped }
            return state
        }
        switch previous {
        // The reading thread finishes the stream once it has released the library.
        case .running: stopRequested.store(true, ordering: .releasing)
        case .notStarted: continuation.finish()
        case .stopped: break
        }
    }

    private static func setUpWatch(_ directory: String) throws {
        guard inotifytools_initialize() != 0 else {
            throw InboxWatcherError.cannotWatch(
                directory: directory, reason: SystemError.message(for: inotifytools_error()))
        }
        InotifyDescriptors.markAllCloseOnExec()
        discardStaleEvents()
        guard inotifytools_watch_file(directory, Int32(bitPattern: eventMask)) != 0 else {
            let reason = SystemError.message(for: inotifytools_error())
            inotifytools_cleanup()
            throw InboxWatcherError.cannotWatch(directory: directory, reason: reason)
        }
    }

    /// libinotifytools keeps events it read but did not hand out in static buffers, even across
    /// inotifytools_cleanup(), and would return them from the next session's first read (e.g. the
    /// IN_IGNORED that follows the IN_DELETE_SELF a previous watcher stopped at). A fresh instance
    /// has no watch yet, so everything a non-blocking read returns now is stale.
    private static func discardStaleEvents() {
        var discarded = 0
        while discarded < 100_000, inotifytools_next_events(0, 1) != nil { discarded += 1 }
    }

    /// The dedicated thread's loop: it alone touches the library until it cleans up.
    private func readEvents() {
        defer {
            inotifytools_cleanup()
            Self.libraryInUse.withLock { $0 = false }
            continuation.finish()
        }
        while !stopRequested.load(ordering: .acquiring) {
            guard let event = inotifytools_next_events(1, 1) else {
                let code = inotifytools_error()
                if code == 0 || code == EINTR { continue }  // timeout, or a signal
                continuation.yield(.watchEnded(reason: "reading inotify events failed: \(SystemError.message(for: code))"))
                return
            }
            let hint = Self.hint(forEventMask: event.pointee.mask)
            if hint == .directoryMayHaveChanged, event.pointee.mask & UInt32(IN_MOVED_TO) != 0, let name = Self.name(of: event) {
                continuation.yield(.renamedIn(name))
            } else {
                continuation.yield(hint)
            }
            if case .watchEnded = hint { return }
        }
    }

    /// The entry name an event carries (the kernel pads it with NULs to `len` bytes).
    static func name(of event: UnsafeMutablePointer<inotify_event>) -> InboxEntryName? {
        let length = Int(event.pointee.len)
        guard length > 0 else { return nil }
        let start = UnsafeRawPointer(event).advanced(by: MemoryLayout<inotify_event>.size).assumingMemoryBound(to: UInt8.self)
        let bytes = Array(UnsafeBufferPointer(start: start, count: length).prefix { $0 != 0 })
        return bytes.isEmpty ? nil : InboxEntryName(bytes: bytes)
    }

    /// What an inotify event means for the intake loop.
    static func hint(forEventMask mask: UInt32) -> InboxHint {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 { return .overflowRescan }
        if mask & UInt32(IN_DELETE_SELF | IN_IGNORED) != 0 { return .watchEnded(reason: "the inbox was removed") }
        if mask & UInt32(IN_MOVE_SELF) != 0 { return .watchEnded(reason: "the inbox was moved or renamed") }
        if mask & UInt32(IN_UNMOUNT) != 0 { return .watchEnded(reason: "the inbox's filesystem was unmounted") }
        return .directoryMayHaveChanged
    }
}
