/// A hint from an `InboxWatcher`. Whatever the hint, the answer is to list the inbox again
/// (`InboxScanner.scan()`), because the directory is the truth; the one name a hint carries (a file
/// renamed in) only spares that file the quiet period.
public enum InboxHint: Sendable, Equatable {
    /// Something happened in the inbox; it may have new or changed entries.
    case directoryMayHaveChanged
    /// This entry was renamed into the inbox (inotify's IN_MOVED_TO): the drop protocol's last
    /// step, so the file is complete. Still a hint: the scan decides what the entry is.
    case renamedIn(InboxEntryName)
    /// The kernel's event queue overflowed and events were lost: rescan everything.
    case overflowRescan
    /// The watch cannot go on (the inbox was removed, moved or unmounted, or reading events
    /// failed). The stream finishes after this; rescan, and fall back to polling.
    case watchEnded(reason: String)
}

/// Tells the intake loop when the inbox may have changed.
///
/// Life cycle: `start()` once, then read `hints` (a single consumer) until `stop()`; the stream
/// finishes once the watcher has released everything. A stopped watcher cannot be restarted.
/// Hints are coalescible: a consumer that falls behind may miss some, never the last one.
public protocol InboxWatcher: AnyObject, Sendable {
    /// The inbox directory being watched.
    var directory: String { get }
    /// "inotify" or "polling", for the log.
    var mechanism: String { get }
    var hints: AsyncStream<InboxHint> { get }
    /// Begins watching; throws if the watch cannot be set up (the caller can fall back to polling).
    func start() throws
    /// Stops watching; returns at once, and `hints` finishes shortly after.
    func stop()
}

/// Why a watcher could not start.
public enum InboxWatcherError: Error, Sendable, Equatable, CustomStringConvertible {
    case alreadyStarted
    /// libinotifytools keeps one inotify instance per process, so only one inotify watcher can
    /// run at a time.
    case anotherInotifyWatcherActive
    case cannotWatch(directory: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyStarted:
            "the inbox watcher was already started (watchers are single-use)"
        case .anotherInotifyWatcherActive:
            "another inotify inbox watcher is active in this process (libinotifytools supports one)"
        case let .cannotWatch(directory, reason):
            "cannot watch \(directory) with inotify: \(reason)"
        }
    }
}
