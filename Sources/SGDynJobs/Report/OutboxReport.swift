#if canImport(Glibc)
import Glibc
#endif

/// Why the outbox index could not be written at all (the only failure `sgdyn report` reports).
public struct OutboxReportError: Error, CustomStringConvertible {
    public var description: String
}

/// Writes an outbox's `index.html`: scans the bundles (with the cache), renders the page and
/// replaces the file atomically, then keeps the cache for next time. Anything wrong with a
/// bundle becomes a row that says so; only failing to write index.html is an error.
public enum OutboxReport {
    /// What one run did, for the command's output and the benchmark.
    public struct Outcome: Sendable {
        public var path: String
        public var bundles: Int
        public var unreadable: Int
        /// result.json files read (not served from the cache).
        public var read: Int
        public var bytes: Int
        /// Set when the cache could not be saved (the index is written all the same).
        public var cacheProblem: String?
    }

    public static let fileName = "index.html"

    @discardableResult
    public static func write(outbox: String, activity: DaemonActivity?, now: Double, useCache: Bool = true) throws(OutboxReportError) -> Outcome {
        var info = stat()
        guard stat(outbox, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw OutboxReportError(description: "no outbox folder at \(outbox)")
        }
        AtomicFile.removeStale(in: outbox, olderThan: 3600, now: now)
        let cache = useCache ? ReportCache.load(outbox: outbox) : ReportCache()
        let scan = OutboxScanner.scan(outbox: outbox, cache: cache, now: now)
        let page = Array(OutboxIndexPage.html(entries: scan.entries, activity: activity, now: now).utf8)
        let path = outbox + "/" + fileName
        var existing = stat()
        if lstat(path, &existing) == 0, (existing.st_mode & S_IFMT) == S_IFDIR {
            // Only an sgdyn older than BundleNaming.reserved wrote a bundle there; moving it is
            // the owner's decision, not the report's.
            throw OutboxReportError(description: "cannot write \(path): it is a folder (a bundle named index.html, written by an older sgdyn); "
                                    + "rename it, e.g. to index.html-1, and run sgdyn report again")
        }
        do {
            try AtomicFile.write(page, to: path)
        } catch {
            throw OutboxReportError(description: "cannot write \(path): \(error)")
        }
        var cacheProblem: String?
        if useCache, scan.cache != cache {
            do {
                try scan.cache.save(outbox: outbox)
            } catch {
                cacheProblem = "cannot save the report cache: \(error)"
            }
        }
        return Outcome(path: path, bundles: scan.entries.count, unreadable: scan.entries.filter { $0.summary == nil }.count,
                       read: scan.read, bytes: page.count, cacheProblem: cacheProblem)
    }
}
