import Foundation

/// What `sgdyn report` remembers between runs so that it reads each bundle's result.json once,
/// not at every refresh: per bundle folder, the summary it read and the key it read it under.
/// The key is made of the identity, size, modification and change times of result.json and
/// manifest.json; a bundle copied in, replaced or edited changes it (the change time cannot be
/// set by anyone; files changed in the last seconds are not cached, see
/// `OutboxScanner.settleSeconds`), so a stale entry is never used. Kept in the outbox as one hidden JSON file,
/// replaced atomically; a missing, unreadable or foreign cache is ignored, never trusted.
public struct ReportCache: Codable, Sendable, Equatable {
    /// One bundle: its key and what reading it gave.
    public struct Entry: Codable, Sendable, Equatable {
        public var key: String
        public var summary: BundleSummary?
        public var problem: String?
    }

    /// Bumped whenever `BundleSummary` or the way it is read changes.
    public static let format = 2
    public static let fileName = ".sgdyn-report-cache.json"

    public var format: Int
    public var sgdyn: String
    public var entries: [String: Entry]

    public init(entries: [String: Entry] = [:]) {
        format = Self.format
        sgdyn = SGDynVersion.string
        self.entries = entries
    }

    /// The cache in `outbox`, or an empty one when there is none, it cannot be read, or it was
    /// written by another format or version.
    public static func load(outbox: String) -> ReportCache {
        guard let data = FileManager.default.contents(atPath: outbox + "/" + fileName),
              let cache = try? JSONDecoder().decode(ReportCache.self, from: data),
              cache.format == format, cache.sgdyn == SGDynVersion.string else { return ReportCache() }
        return cache
    }

    /// Writes the cache atomically into `outbox`.
    public func save(outbox: String) throws(SystemError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else {
            throw SystemError("encoding the report cache for \(outbox)", errno: EINVAL)
        }
        try AtomicFile.write([UInt8](data), to: outbox + "/" + Self.fileName)
    }

    /// The entry of `folder` if it was read under `key`.
    public func entry(_ folder: String, key: String) -> Entry? {
        guard let entry = entries[folder], entry.key == key else { return nil }
        return entry
    }
}
