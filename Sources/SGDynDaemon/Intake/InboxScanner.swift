#if canImport(Glibc)
import SGDynJobs
import Glibc
#endif
import Foundation

/// Lists the inbox and sorts every entry into ready / waiting / rejected / cancel / ignored.
///
/// The directory listing is the truth; watcher hints only say when to call `scan()` again. A job
/// file is ready once its size and modification time (and inode) have been seen unchanged across
/// scans spanning `quietPeriod`, so a file copied in place (cp, scp) is not taken half-written.
/// The scanner remembers what it saw between calls, so keep one instance per inbox; it is a value
/// type for a single owner (the intake loop).
public struct InboxScanner: Sendable {
    public let inbox: String
    public let quietPeriod: Duration
    public let maximumJobFileBytes: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private var observations: [InboxEntryName: Observation] = [:]
    private var reportedRejections: [InboxEntryName: InboxRejection] = [:]
    /// Entries the watcher saw renamed into the inbox (inotify's IN_MOVED_TO): the drop protocol's
    /// last step, after which the file is complete, so they are ready at once — as long as they
    /// keep the fingerprint the first scan after the rename saw (nil until then).
    private var renamedIn: [InboxEntryName: FileFingerprint?] = [:]

    private struct Observation {
        var fingerprint: FileFingerprint
        var unchangedSince: ContinuousClock.Instant
    }

    /// 1 MiB, the job file limit of jobs.md.
    public static let defaultMaximumJobFileBytes = 1 << 20

    /// - Parameters:
    ///   - quietPeriod: how long a job file's size and mtime must stay unchanged before it is taken.
    ///   - now: the monotonic clock; injectable so tests can step time.
    public init(
        inbox: String,
        quietPeriod: Duration = .seconds(2),
        maximumJobFileBytes: Int = InboxScanner.defaultMaximumJobFileBytes,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.inbox = inbox
        self.quietPeriod = quietPeriod
        self.maximumJobFileBytes = maximumJobFileBytes
        self.now = now
    }

    /// Notes that `entry` was renamed into the inbox: it is complete and needs no quiet period.
    public mutating func noteRenamedIn(_ entry: InboxEntryName) {
        renamedIn[entry] = .some(nil)
    }

    /// One pass over the inbox. Throws only when the inbox itself cannot be listed; a bad entry
    /// never makes it throw.
    public mutating func scan() throws -> InboxScan {
        let directoryFD = try InboxDirectory.open(inbox)
        defer { close(directoryFD) }
        let names = try InboxDirectory.entryNames(of: directoryFD, path: inbox).sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        let scanTime = now()
        var result = InboxScan()
        var seenJobFiles = Set<InboxEntryName>()

        for name in names {
            switch JobFileNaming.classify(name) {
            case let .ignored(reason):
                result.ignored.append(IgnoredInboxEntry(entry: name, reason: reason))
            case let .unsafe(reason):
                result.rejected.append(rejection(name, .unsafeName(reason)))
            case let .cancel(jobName):
                switch InboxEntryInspector.inspect(name, inDirectory: directoryFD, sizeLimit: maximumJobFileBytes) {
                case .regularFile: result.cancelRequests.append(CancelRequest(entry: name, jobName: jobName))
                case let .rejected(reason): result.rejected.append(rejection(name, reason))
                case .vanished: break
                }
            case let .job(jobName):
                switch InboxEntryInspector.inspect(name, inDirectory: directoryFD, sizeLimit: maximumJobFileBytes) {
                case .vanished:
                    break
                case let .rejected(reason):
                    result.rejected.append(rejection(name, reason))
                case let .regularFile(fingerprint):
                    seenJobFiles.insert(name)
                    judgeStability(name, jobName: jobName, fingerprint: fingerprint, at: scanTime, into: &result)
                }
            }
        }
        // Forget what is gone, so a file dropped again later under the same name starts afresh.
        observations = observations.filter { seenJobFiles.contains($0.key) }
        renamedIn = renamedIn.filter { seenJobFiles.contains($0.key) }
        let stillRejected = Set(result.rejected.map(\.entry))
        reportedRejections = reportedRejections.filter { stillRejected.contains($0.key) }
        result.recheckAfter = result.waiting.map { max(.zero, $0.readyAt - scanTime) }.min()
        return result
    }

    private mutating func judgeStability(
        _ name: InboxEntryName, jobName: String, fingerprint: FileFingerprint, at scanTime: ContinuousClock.Instant,
        into result: inout InboxScan
    ) {
        let since: ContinuousClock.Instant
        if let previous = observations[name], previous.fingerprint == fingerprint {
            since = previous.unchangedSince
        } else {
            since = scanTime
            observations[name] = Observation(fingerprint: fingerprint, unchangedSince: scanTime)
        }
        var renamed = false
        if let recorded = renamedIn[name] {
            if let recorded {
                renamed = recorded == fingerprint
            } else {
                renamedIn[name] = fingerprint
                renamed = true
            }
        }
        let readyAt = renamed ? scanTime : since + quietPeriod
        // A change is only noticed by a scan, so (unless there is no quiet period at all, or the
        // file was renamed in whole) a file must be seen unchanged by at least two scans.
        let seenByTwoScans = since < scanTime || quietPeriod == .zero || renamed
        guard seenByTwoScans, readyAt <= scanTime else {
            result.waiting.append(WaitingJobFile(entry: name, jobName: jobName, size: fingerprint.size, readyAt: max(readyAt, scanTime)))
            return
        }
        if fingerprint.size == 0 {
            result.rejected.append(rejection(name, .empty))
            return
        }
        result.ready.append(ReadyJobFile(
            entry: name, jobName: jobName, size: fingerprint.size, modificationDate: fingerprint.modificationDate,
            unchangedFor: scanTime - since, renamedIn: renamed))
    }

    private mutating func rejection(_ name: InboxEntryName, _ reason: InboxRejection) -> RejectedInboxEntry {
        let isNew = reportedRejections[name] != reason
        reportedRejections[name] = reason
        return RejectedInboxEntry(entry: name, reason: reason, isNew: isNew)
    }
}
