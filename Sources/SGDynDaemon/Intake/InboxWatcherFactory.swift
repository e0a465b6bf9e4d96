import SGDynJobs

/// Picks the inbox watcher for a directory: inotify where it works, polling on NFS, CIFS/SMB and
/// FUSE (where inotify never fires for remote changes), with the reason for the log.
public enum InboxWatcherFactory {
    /// Which kind of watcher, and why, in a sentence for the log.
    public struct Decision: Sendable, Equatable {
        /// Which `InboxWatcher` implementation.
        public enum Mechanism: String, Sendable { case inotify, polling }
        public var mechanism: Mechanism
        public var reason: String
    }

    /// The watcher the daemon should use for `inbox`, not yet started, and the decision behind it.
    /// If `start()` of an inotify watcher throws, fall back to `PollingInboxWatcher` yourself.
    public static func makeWatcher(
        for inbox: String, pollInterval: Duration = .seconds(2)
    ) -> (watcher: any InboxWatcher, decision: Decision) {
        let decision = decide(for: InboxFilesystem.of(inbox), inbox: inbox)
        switch decision.mechanism {
        case .inotify: return (InotifyInboxWatcher(directory: inbox), decision)
        case .polling: return (PollingInboxWatcher(directory: inbox, interval: pollInterval), decision)
        }
    }

    /// The decision for a filesystem lookup result; a pure function, so every branch is testable.
    public static func decide(for filesystem: Result<InboxFilesystem, SystemError>, inbox: String) -> Decision {
        switch filesystem {
        case let .success(filesystem) where filesystem.supportsInotify:
            Decision(mechanism: .inotify, reason: "watching \(inbox) with inotify (it is on \(filesystem.name))")
        case let .success(filesystem):
            Decision(
                mechanism: .polling,
                reason: "polling \(inbox): it is on \(filesystem.name), where inotify does not report changes made elsewhere")
        case let .failure(error):
            Decision(mechanism: .polling, reason: "polling \(inbox): its filesystem could not be determined (\(error))")
        }
    }
}
