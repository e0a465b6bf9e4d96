import Foundation
@testable import SGDynDaemon
import Testing

@Suite("InboxScanner: quiet period")
struct InboxScannerQuietPeriodTests {
    @Test func waitsUntilSizeAndMtimeStayUnchangedForTheQuietPeriod() throws {
        let folder = try TemporaryFolder()
        let clock = ManualClock()
        var scanner = InboxScanner(inbox: folder.path, now: clock.now)
        let file = try folder.write("slow.json", "{\"N\":")

        var scan = try scanner.scan()
        #expect(scan.waiting.map(\.jobName) == ["slow"])
        #expect(scan.recheckAfter == .seconds(2))

        clock.advance(by: .seconds(1))
        try FileSystemFixtures.append(" 100", to: file)  // the writer is still going
        scan = try scanner.scan()
        #expect(scan.ready.isEmpty)
        #expect(scan.recheckAfter == .seconds(2))

        clock.advance(by: .milliseconds(1500))
        scan = try scanner.scan()
        #expect(scan.ready.isEmpty)
        #expect(scan.recheckAfter == .milliseconds(500))

        try FileSystemFixtures.append("}", to: file)
        clock.advance(by: .milliseconds(500))
        scan = try scanner.scan()
        #expect(scan.ready.isEmpty, "the last append restarted the quiet period")

        clock.advance(by: .seconds(2))
        scan = try scanner.scan()
        #expect(scan.ready.map(\.jobName) == ["slow"])
        #expect(scan.ready.first?.size == 10)
    }

    @Test func aChangedModificationTimeAloneRestartsTheQuietPeriod() throws {
        let folder = try TemporaryFolder()
        let clock = ManualClock()
        var scanner = InboxScanner(inbox: folder.path, now: clock.now)
        let file = try folder.write("touched.json", "{}")
        try FileSystemFixtures.setModificationTime(of: file, secondsSince1970: 1_600_000_000)
        _ = try scanner.scan()
        clock.advance(by: .seconds(2))
        try FileSystemFixtures.setModificationTime(of: file, secondsSince1970: 1_600_000_001)
        #expect(try scanner.scan().ready.isEmpty)
        clock.advance(by: .seconds(2))
        #expect(try scanner.scan().ready.map(\.jobName) == ["touched"])
    }

    @Test func aFileReplacedUnderTheSameNameStartsOver() throws {
        let folder = try TemporaryFolder()
        let staging = try folder.subfolder("staging")
        let inbox = try folder.subfolder("inbox")
        let clock = ManualClock()
        var scanner = InboxScanner(inbox: inbox, now: clock.now)
        let original = try TemporaryFolder.write(in: inbox, "job.json", "{\"a\":1}")
        try FileSystemFixtures.setModificationTime(of: original, secondsSince1970: 1_600_000_000)
        _ = try scanner.scan()
        clock.advance(by: .seconds(2))
        // Same size, same mtime, but a different file (inode).
        let replacement = try TemporaryFolder.write(in: staging, "job.json", "{\"b\":2}")
        try FileSystemFixtures.setModificationTime(of: replacement, secondsSince1970: 1_600_000_000)
        #expect(rename(replacement, original) == 0)
        #expect(try scanner.scan().ready.isEmpty)
    }

    @Test func theQuietPeriodIsConfigurable() throws {
        let folder = try TemporaryFolder()
        let clock = ManualClock()
        var scanner = InboxScanner(inbox: folder.path, quietPeriod: .seconds(5), now: clock.now)
        try folder.write("patient.json", "{}")
        _ = try scanner.scan()
        clock.advance(by: .seconds(2))
        let early = try scanner.scan()
        #expect(early.ready.isEmpty)
        #expect(early.recheckAfter == .seconds(3))
        clock.advance(by: .seconds(3))
        #expect(try scanner.scan().ready.map(\.jobName) == ["patient"])
    }

    @Test func aFileThatVanishesIsForgotten() throws {
        let folder = try TemporaryFolder()
        let clock = ManualClock()
        var scanner = InboxScanner(inbox: folder.path, now: clock.now)
        let file = try folder.write("flaky.json", "{}")
        _ = try scanner.scan()
        try FileManager.default.removeItem(atPath: file)
        clock.advance(by: .seconds(1))
        #expect(try scanner.scan().waiting.isEmpty)
        try folder.write("flaky.json", "{}")
        clock.advance(by: .seconds(1))
        // Seen again only now: the earlier sighting must not count towards its quiet period.
        #expect(try scanner.scan().ready.isEmpty)
    }

    @Test func withoutAQuietPeriodAFileIsTakenAtOnce() throws {
        let folder = try TemporaryFolder()
        var scanner = InboxScanner(inbox: folder.path, quietPeriod: .zero)
        try folder.write("now.json", "{}")
        #expect(try scanner.scan().ready.map(\.jobName) == ["now"])
    }

    @Test func aFileRenamedInIsTakenAtOnceAndOneWrittenInPlaceWaits() throws {
        let folder = try TemporaryFolder()
        let clock = ManualClock()
        var scanner = InboxScanner(inbox: folder.path, quietPeriod: .seconds(5), now: clock.now)
        try folder.write("renamed.json", "{}")
        try folder.write("copied.json", "{}")
        scanner.noteRenamedIn(InboxEntryName("renamed.json"))
        let scan = try scanner.scan()
        #expect(scan.ready.map(\.jobName) == ["renamed"] && scan.ready.first?.renamedIn == true)
        #expect(scan.waiting.map(\.jobName) == ["copied"])
        clock.advance(by: .seconds(5))
        let later = try scanner.scan()
        #expect(later.ready.map(\.jobName) == ["copied", "renamed"])
        #expect(later.ready.first { $0.jobName == "copied" }?.renamedIn == false)
        #expect(later.ready.first { $0.jobName == "copied" }?.unchangedFor == .seconds(5))
    }

    @Test func aRenameHintDoesNotSpareAFileThatChangesAfterwards() throws {
        let folder = try TemporaryFolder()
        let clock = ManualClock()
        var scanner = InboxScanner(inbox: folder.path, quietPeriod: .seconds(5), now: clock.now)
        let path = try folder.write("busy.json", "{")
        scanner.noteRenamedIn(InboxEntryName("busy.json"))
        #expect(try scanner.scan().ready.count == 1)
        // Written to again after the rename (not the drop protocol): the quiet period applies.
        try "{\"N\": 5}".write(toFile: path, atomically: false, encoding: .utf8)
        clock.advance(by: .seconds(1))
        #expect(try scanner.scan().ready.isEmpty)
    }
}
