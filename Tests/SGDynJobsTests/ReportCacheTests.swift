import Foundation
import Testing
@testable import SGDynJobs

@Suite("Report cache")
struct ReportCacheTests {
    /// An outbox with one real bundle (`tiny`, a two-point sweep) written by `BundleWriter`.
    static func outboxWithBundle() throws -> (outbox: URL, bundle: URL) {
        let outbox = BundleTests.temporaryFolder()
        return (outbox, try BundleTests.runBundle(into: outbox))
    }

    /// Replaces a bundle's result.json the way tools do (new file, renamed over the old one).
    static func replaceResult(in bundle: URL, _ change: (inout String) -> Void) throws {
        let url = bundle.appendingPathComponent("result.json")
        var text = try String(contentsOf: url, encoding: .utf8)
        change(&text)
        try Data(text.utf8).write(to: url, options: .atomic)
    }

    /// A moment far enough after the files were written that they are settled.
    static var later: Double { Date().timeIntervalSince1970 + 10 }

    @Test("a bundle is read once; later scans take it from the cache and give the same rows")
    func hit() throws {
        let (outbox, _) = try Self.outboxWithBundle()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let first = OutboxScanner.scan(outbox: outbox.path, cache: ReportCache(), now: Self.later)
        #expect(first.read == 1 && first.cache.entries.count == 1 && first.entries.count == 1)
        let second = OutboxScanner.scan(outbox: outbox.path, cache: first.cache, now: Self.later)
        #expect(second.read == 0 && second.entries == first.entries && second.cache == first.cache)
        #expect(first.entries[0].summary?.status == "done" && first.entries[0].thumbnail == "sweep.svg" && first.entries[0].page == "index.html")
    }

    @Test("a replaced result.json is read again and the row shows the new content")
    func changedResult() throws {
        let (outbox, bundle) = try Self.outboxWithBundle()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let first = OutboxScanner.scan(outbox: outbox.path, cache: ReportCache(), now: Self.later)
        try Self.replaceResult(in: bundle) { $0 = $0.replacingOccurrences(of: "\"status\": \"done\"", with: "\"status\": \"fail\"") }
        let second = OutboxScanner.scan(outbox: outbox.path, cache: first.cache, now: Self.later)
        #expect(second.read == 1 && second.entries[0].summary?.status == "fail")
        // A bundle removed from the outbox leaves the cache too (it stays small).
        try FileManager.default.removeItem(at: bundle)
        let third = OutboxScanner.scan(outbox: outbox.path, cache: second.cache, now: Self.later)
        #expect(third.entries.isEmpty && third.cache.entries.isEmpty)
    }

    @Test("files changed within the last seconds are not cached (a same-size rewrite in one clock tick could keep the key)")
    func unsettledNotCached() throws {
        let (outbox, _) = try Self.outboxWithBundle()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let now = Date().timeIntervalSince1970
        let scan = OutboxScanner.scan(outbox: outbox.path, cache: ReportCache(), now: now)
        #expect(scan.read == 1 && scan.entries.count == 1 && scan.cache.entries.isEmpty)
    }

    @Test("a cache entry under another key, a corrupt cache file or one of another format is never used")
    func neverTrusted() throws {
        let (outbox, _) = try Self.outboxWithBundle()
        defer { try? FileManager.default.removeItem(at: outbox) }
        var forged = ReportCache()
        forged.entries["tiny"] = .init(key: "0:0:0:0:0|-", summary: try BundleSummary(result: .object([("status", .string("forged"))])))
        let scan = OutboxScanner.scan(outbox: outbox.path, cache: forged, now: Self.later)
        #expect(scan.read == 1 && scan.entries[0].summary?.status == "done")

        let file = outbox.appendingPathComponent(ReportCache.fileName)
        try Data("{ not json".utf8).write(to: file)
        #expect(ReportCache.load(outbox: outbox.path) == ReportCache())
        var old = scan.cache
        old.format = ReportCache.format + 1
        try JSONEncoder().encode(old).write(to: file)
        #expect(ReportCache.load(outbox: outbox.path) == ReportCache())
        old.format = ReportCache.format
        old.sgdyn = "0.0.0-other"
        try JSONEncoder().encode(old).write(to: file)
        #expect(ReportCache.load(outbox: outbox.path) == ReportCache())
    }

    @Test("the cache is saved atomically (no temporary file left) and reads back equal")
    func saveAndLoad() throws {
        let (outbox, _) = try Self.outboxWithBundle()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let scan = OutboxScanner.scan(outbox: outbox.path, cache: ReportCache(), now: Self.later)
        try scan.cache.save(outbox: outbox.path)
        #expect(ReportCache.load(outbox: outbox.path) == scan.cache)
        let names = try FileManager.default.contentsOfDirectory(atPath: outbox.path).sorted()
        #expect(names == [ReportCache.fileName, "tiny"])
    }

    @Test("sgdyn report's writer: index.html written, cache kept, a refresh reads nothing again")
    func report() throws {
        let (outbox, _) = try Self.outboxWithBundle()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let first = try OutboxReport.write(outbox: outbox.path, activity: nil, now: Self.later)
        let second = try OutboxReport.write(outbox: outbox.path, activity: nil, now: Self.later)
        #expect(first.read == 1 && second.read == 0 && first.bundles == 1 && first.cacheProblem == nil)
        let page = try String(contentsOf: outbox.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(page.contains("<tr class=\"bundle\" data-group=\"done\">") && page.contains("href=\"tiny/index.html\""))
        #expect(throws: OutboxReportError.self) { try OutboxReport.write(outbox: outbox.appendingPathComponent("missing").path, activity: nil, now: 0) }
    }
}
