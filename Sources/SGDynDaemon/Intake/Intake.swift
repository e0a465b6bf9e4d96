import Foundation
import Logging
import SGDynJobs

/// The daemon's hold on its inbox: the scanner (what is ready), the claimer (taking files into the
/// state folder), the watcher (when to look again), and the in-place files that do not parse yet.
struct Intake {
    let inbox: String
    var scanner: InboxScanner
    let claimer: InboxClaimer
    var watcher: (any InboxWatcher)?
    /// How long a file written in place may stay unparsable and unchanged before it is taken (and
    /// rejected): its writer may pause between pieces for longer than the quiet period.
    let incompleteWait: Duration
    /// Poll the inbox at this interval instead of choosing (`InboxWatcherFactory`): the
    /// in-process daemon tests, since libinotifytools allows one inotify watcher per process.
    let pollInterval: Duration?
    /// In-place files seen ready but not parsing, with when that was first logged.
    var held: [InboxEntryName: ContinuousClock.Instant] = [:]
    /// Files in the inbox that are not for the daemon (`x.txt`, `x.JSON`, `x.json.bak`): left
    /// alone — they may be a user's own — but logged once each and counted in systemd's STATUS=.
    var notJobFiles: Set<InboxEntryName> = []
    /// Claimed files whose admission is not recorded yet (being prepared, or a failed write).
    var unrecorded = UnrecordedClaims()

    /// Logs each file that is not a job file once (while it stays in the inbox).
    mutating func noteIgnored(_ ignored: [IgnoredInboxEntry], logger: Logger) {
        let current = Set(ignored.filter { $0.reason.hasPrefix("not a job file") }.map(\.entry))
        for entry in current.subtracting(notJobFiles).sorted(by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) {
            logger.notice("\(entry) in the inbox is not a job file (only NAME.json and NAME.cancel are read, NAME from A-Z a-z 0-9 . _ -); it is left alone")
        }
        notJobFiles = current
    }

    init(configuration: DaemonConfiguration, state: StateFolder) throws {
        inbox = configuration.inbox
        scanner = InboxScanner(inbox: configuration.inbox, quietPeriod: .seconds(configuration.quietPeriod))
        claimer = try InboxClaimer(inbox: configuration.inbox, claimedDirectory: state.claimed)
        incompleteWait = .seconds(configuration.incompleteWait)
        pollInterval = configuration.inboxPollInterval
    }

    mutating func startWatching(logger: Logger, mailbox: DaemonMailbox) {
        let (candidate, decision) = pollInterval.map { interval in
            (PollingInboxWatcher(directory: inbox, interval: interval) as any InboxWatcher,
             InboxWatcherFactory.Decision(mechanism: .polling, reason: "polling \(inbox) every \(interval) (set by a test)"))
        } ?? InboxWatcherFactory.makeWatcher(for: inbox)
        var chosen: any InboxWatcher = candidate
        do {
            try candidate.start()
        } catch {
            logger.warning("inotify watch on \(inbox) failed (\(error)); polling instead")
            chosen = PollingInboxWatcher(directory: inbox, interval: .seconds(2))
            try? chosen.start()
        }
        let level: Logger.Level = decision.mechanism == .polling ? .notice : .info
        logger.log(level: level, "watching the inbox with \(chosen.mechanism): \(decision.reason)")
        follow(chosen, mailbox: mailbox)
    }

    mutating func stopWatching() {
        watcher?.stop()
    }

    /// Acts on the watcher's coalesced hints: a rename spares its file the quiet period; a watch
    /// that ended is replaced by polling.
    mutating func note(_ news: InboxNews, logger: Logger, mailbox: DaemonMailbox) {
        for entry in news.renamedIn { scanner.noteRenamedIn(entry) }
        if let reason = news.watchEnded {
            logger.warning("the inbox watch ended (\(reason)); polling the inbox instead")
            watcher?.stop()
            let polling = PollingInboxWatcher(directory: inbox, interval: .seconds(2))
            try? polling.start()
            follow(polling, mailbox: mailbox)
        }
    }

    private mutating func follow(_ chosen: any InboxWatcher, mailbox: DaemonMailbox) {
        watcher = chosen
        let stream = chosen.hints
        Task {
            for await hint in stream { mailbox.noteInbox(hint) }
        }
    }

    /// Whether a ready file written in place should wait for more of it: it does not parse as JSON
    /// and has not been unchanged for `incompleteWait` yet. A file renamed in is complete: never.
    mutating func shouldWaitForMore(_ ready: ReadyJobFile, logger: Logger) -> Bool {
        guard !ready.renamedIn, ready.unchangedFor < incompleteWait else {
            held.removeValue(forKey: ready.entry)
            return false
        }
        let path = inbox + "/" + (ready.entry.string ?? "")
        guard ready.entry.string != nil, let bytes = try? ClaimedFileReader.readBytes(at: path) else { return false }
        do {
            _ = try JSONParser.parse(bytes)
            held.removeValue(forKey: ready.entry)
            return false
        } catch {
            if held[ready.entry] == nil {
                held[ready.entry] = .now
                logger.info("\(ready.entry) in the inbox does not parse yet (\(error.description)); waiting up to \(Int(incompleteWait.seconds)) s for its writer to finish it")
            }
            return true
        }
    }
}
