import Foundation
@testable import SGDynDaemon
import SGDynJobs
import Testing
#if canImport(Glibc)
import Glibc
#endif

struct ScanDidNotReturn: Error {}

/// Scans on another thread with a deadline: a scan that blocks (on a FIFO, say) fails the test
/// instead of hanging the suite.
func scanWithDeadline(_ scanner: inout InboxScanner) throws -> InboxScan {
    let copy = scanner
    guard let (updated, result) = runOnThread(timeout: .seconds(10), { () -> (InboxScanner, Result<InboxScan, any Error>) in
        var working = copy
        let result = Result { try working.scan() }
        return (working, result)
    }) else { throw ScanDidNotReturn() }
    scanner = updated
    return try result.get()
}

@Suite("InboxScanner: hostile entries")
struct InboxScannerHostileTests {
    @Test func sortsEveryKindOfHostileEntryWithoutHanging() throws {
        let folder = try TemporaryFolder()
        let inbox = try folder.subfolder("inbox")
        let outside = try folder.subfolder("outside")
        let target = try TemporaryFolder.write(in: outside, "target.json", "{}")

        try TemporaryFolder.write(in: inbox, "good.json", "{\"N\": 10}")
        try TemporaryFolder.write(in: inbox, "exactly-limit.json", String(repeating: " ", count: 1 << 20))
        try TemporaryFolder.write(in: inbox, "huge.json", String(repeating: " ", count: (1 << 20) + 1))
        try TemporaryFolder.write(in: inbox, "empty.json", "")
        try FileSystemFixtures.symlink(at: inbox + "/link.json", to: target)
        try FileSystemFixtures.symlink(at: inbox + "/dangling.json", to: outside + "/nothing-here")
        try FileSystemFixtures.fifo(at: inbox + "/pipe.json")
        try FileSystemFixtures.symlink(at: inbox + "/link-to-pipe.json", to: inbox + "/pipe.json")
        try FileSystemFixtures.hardLink(at: inbox + "/linked.json", to: target)
        try FileManager.default.createDirectory(atPath: inbox + "/folder.json", withIntermediateDirectories: false)
        let socketFD = try FileSystemFixtures.boundSocket(at: inbox + "/socket.json")
        defer { close(socketFD) }
        try TemporaryFolder.write(in: inbox, "bad name!.json", "{}")
        try FileSystemFixtures.file(named: [0xFF, 0xFE] + Array(".json".utf8), in: inbox, contents: "{}")
        try TemporaryFolder.write(in: inbox, ".hidden.json", "{}")
        try TemporaryFolder.write(in: inbox, ".drop.json.tmp", "{")
        try TemporaryFolder.write(in: inbox, "copying.json.part", "{")
        try TemporaryFolder.write(in: inbox, "README.md", "read me")
        try TemporaryFolder.write(in: inbox, "good.cancel", "")

        let clock = ManualClock()
        var scanner = InboxScanner(inbox: inbox, now: clock.now)
        let first = try scanWithDeadline(&scanner)

        let reasons = Dictionary(uniqueKeysWithValues: first.rejected.map { ($0.entry.description, $0.reason) })
        #expect(reasons["huge.json"] == .tooLarge(size: (1 << 20) + 1, limit: 1 << 20))
        #expect(reasons["link.json"] == .symbolicLink)
        #expect(reasons["dangling.json"] == .symbolicLink)
        #expect(reasons["link-to-pipe.json"] == .symbolicLink)
        #expect(reasons["pipe.json"] == .fifo)
        #expect(reasons["linked.json"] == .hardLinks(count: 2))
        #expect(reasons["folder.json"] == .directory)
        #expect(reasons["socket.json"] == .socket)
        if case .unsafeName = reasons["bad name!.json"] {} else { Issue.record("bad name!.json: \(String(describing: reasons["bad name!.json"]))") }
        #expect(reasons["\\xff\\xfe.json"] == .unsafeName("the name is not valid UTF-8"))
        #expect(first.rejected.count == 10)
        #expect(first.rejected.allSatisfy { $0.isNew })
        #expect(first.ready.isEmpty)  // nothing is taken on first sight
        #expect(Set(first.waiting.map(\.jobName)) == ["good", "exactly-limit", "empty"])
        #expect(first.recheckAfter == .seconds(2))
        #expect(Set(first.ignored.map(\.entry.description)) == [".hidden.json", ".drop.json.tmp", "copying.json.part", "README.md"])
        #expect(first.cancelRequests.map(\.jobName) == ["good"])

        clock.advance(by: .seconds(2))
        let second = try scanWithDeadline(&scanner)
        #expect(second.ready.map(\.jobName) == ["exactly-limit", "good"])
        #expect(second.ready.first { $0.jobName == "good" }?.size == 9)
        #expect(second.waiting.isEmpty)
        #expect(second.recheckAfter == nil)
        let empty = second.rejected.first { $0.entry.description == "empty.json" }
        #expect(empty?.reason == .empty)
        #expect(empty?.isNew == true)
        // Already-reported entries are flagged so the log is not flooded on every scan.
        #expect(second.rejected.filter { $0.isNew }.map(\.entry.description) == ["empty.json"])
        #expect(second.rejected.count == 11)
    }

    @Test func rejectionMessagesAreForPeople() {
        #expect(InboxRejection.tooLarge(size: 2_000_000, limit: 1_048_576).description
            == "is 2000000 bytes; job files may be at most 1048576 bytes")
        #expect(InboxRejection.fifo.description.contains("named pipe"))
        #expect(InboxRejection.hardLinks(count: 3).description.contains("3 hard links"))
    }

    @Test func aMissingInboxIsAnErrorNotACrash() {
        var scanner = InboxScanner(inbox: "/nonexistent/sgdyn-inbox")
        #expect(throws: SystemError.self) { try scanner.scan() }
    }
}

extension TemporaryFolder {
    @discardableResult
    static func write(in folder: String, _ name: String, _ contents: String) throws -> String {
        let target = (folder as NSString).appendingPathComponent(name)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }
}
