import Foundation
@testable import SGDynDaemon
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Serialized: libinotifytools allows one inotify watcher per process.
@Suite("Inbox watchers", .serialized)
struct InboxWatcherTests {
    @Test func inotifyHintsAfterAFileIsRenamedIntoTheInbox() async throws {
        let folder = try TemporaryFolder()
        let inbox = try folder.subfolder("inbox")
        let staging = try folder.subfolder("staging")
        let prepared = try TemporaryFolder.write(in: staging, "job.json", "{}")
        let watcher = InotifyInboxWatcher(directory: inbox)
        try watcher.start()
        defer { watcher.stop() }

        #expect(rename(prepared, inbox + "/job.json") == 0)
        let hint = await firstElement(of: watcher.hints, within: .seconds(10))
        // The rename names its file: the drop protocol's last step, so it skips the quiet period.
        #expect(hint == .renamedIn(InboxEntryName("job.json")))

        watcher.stop()
        #expect(await finishes(watcher.hints, within: .seconds(5)))
    }

    @Test func inotifyReportsThatTheWatchEndedWhenTheInboxIsRemoved() async throws {
        let folder = try TemporaryFolder()
        let inbox = try folder.subfolder("inbox")
        let watcher = InotifyInboxWatcher(directory: inbox)
        try watcher.start()
        defer { watcher.stop() }
        try FileManager.default.removeItem(atPath: inbox)
        let hint = await firstElement(of: watcher.hints, within: .seconds(10))
        guard case .watchEnded = hint else {
            Issue.record("expected watchEnded, got \(String(describing: hint))")
            return
        }
        #expect(await finishes(watcher.hints, within: .seconds(5)))
    }

    @Test func aNewWatcherDoesNotSeeAnEarlierWatchersLeftoverEvents() async throws {
        let folder = try TemporaryFolder()
        let removed = try folder.subfolder("removed")
        let earlier = InotifyInboxWatcher(directory: removed)
        try earlier.start()
        // Removal queues IN_DELETE_SELF and IN_IGNORED; the watcher stops reading after the first.
        try FileManager.default.removeItem(atPath: removed)
        #expect(await finishes(earlier.hints, within: .seconds(10)))

        let inbox = try folder.subfolder("inbox")
        let later = InotifyInboxWatcher(directory: inbox)
        try later.start()
        defer { later.stop() }
        try TemporaryFolder.write(in: inbox, "fresh.json", "{}")
        #expect(await firstElement(of: later.hints, within: .seconds(10)) == .directoryMayHaveChanged)
        later.stop()
        #expect(await finishes(later.hints, within: .seconds(5)))
    }

    @Test func onlyOneInotifyWatcherRunsAtATimeAndStoppingFreesTheSlot() async throws {
        let folder = try TemporaryFolder()
        let first = InotifyInboxWatcher(directory: folder.path)
        try first.start()
        #expect(throws: InboxWatcherError.alreadyStarted) { try first.start() }
        let second = InotifyInboxWatcher(directory: folder.path)
        #expect(throws: InboxWatcherError.anotherInotifyWatcherActive) { try second.start() }
        first.stop()
        #expect(await finishes(first.hints, within: .seconds(5)))

        let third = InotifyInboxWatcher(directory: folder.path)
        try third.start()
        try folder.write("after.json", "{}")
        #expect(await firstElement(of: third.hints, within: .seconds(10)) == .directoryMayHaveChanged)
        third.stop()
        #expect(await finishes(third.hints, within: .seconds(5)))
    }

    @Test func theInotifyDescriptorIsNotInheritedByWorkerProcesses() async throws {
        let folder = try TemporaryFolder()
        let watcher = InotifyInboxWatcher(directory: folder.path)
        try watcher.start()
        let descriptors = InotifyDescriptors.all()
        #expect(!descriptors.isEmpty)
        #expect(descriptors.allSatisfy(InotifyDescriptors.isCloseOnExec))
        watcher.stop()
        #expect(await finishes(watcher.hints, within: .seconds(5)))
        #expect(InotifyDescriptors.all().isEmpty)
    }

    @Test func inotifyCannotWatchAMissingDirectoryAndReleasesTheLibrary() async throws {
        let missing = InotifyInboxWatcher(directory: "/nonexistent/sgdyn-inbox")
        #expect(throws: InboxWatcherError.self) { try missing.start() }
        let folder = try TemporaryFolder()
        let next = InotifyInboxWatcher(directory: folder.path)
        try next.start()
        next.stop()
        #expect(await finishes(next.hints, within: .seconds(5)))
    }

    @Test func eventMasksMapToHints() {
        // Values from <sys/inotify.h>.
        #expect(InotifyInboxWatcher.hint(forEventMask: 0x0000_4000) == .overflowRescan)  // IN_Q_OVERFLOW
        #expect(InotifyInboxWatcher.hint(forEventMask: 0x0000_0080) == .directoryMayHaveChanged)  // IN_MOVED_TO
        #expect(InotifyInboxWatcher.hint(forEventMask: 0x0000_0008) == .directoryMayHaveChanged)  // IN_CLOSE_WRITE
        #expect(InotifyInboxWatcher.hint(forEventMask: 0x0000_0400) == .watchEnded(reason: "the inbox was removed"))
        #expect(InotifyInboxWatcher.hint(forEventMask: 0x0000_2000) == .watchEnded(reason: "the inbox's filesystem was unmounted"))
        #expect(InotifyInboxWatcher.eventMask & 0x0000_0080 != 0)  // IN_MOVED_TO is watched
        #expect(InotifyInboxWatcher.eventMask & 0x0000_0008 != 0)  // IN_CLOSE_WRITE is watched
    }

    @Test func pollingHintsPeriodicallyAndFinishesOnStop() async throws {
        let watcher = PollingInboxWatcher(directory: "/unused", interval: .milliseconds(50))
        try watcher.start()
        let clock = ContinuousClock()
        let started = clock.now
        var received = 0
        for await hint in watcher.hints {
            #expect(hint == .directoryMayHaveChanged)
            received += 1
            if received == 3 { break }
            if clock.now - started > .seconds(10) { break }
        }
        #expect(received == 3)
        #expect(clock.now - started >= .milliseconds(150))
        watcher.stop()
        #expect(await finishes(watcher.hints, within: .seconds(5)))
        #expect(throws: InboxWatcherError.alreadyStarted) { try watcher.start() }
    }
}

@Suite("Inbox watcher choice")
struct InboxWatcherFactoryTests {
    @Test(arguments: [
        (UInt32(0x6969), "NFS"), (0xFF53_4D42, "CIFS"), (0xFE53_4D42, "SMB2"), (0x517B, "SMB"), (0x6573_5546, "FUSE"),
    ])
    func pollsOnFilesystemsWhereInotifyIsBlind(_ magic: UInt32, _ name: String) {
        let decision = InboxWatcherFactory.decide(for: .success(InboxFilesystem(magic: magic)), inbox: "/srv/inbox")
        #expect(decision.mechanism == .polling)
        #expect(decision.reason.contains(name))
        #expect(decision.reason.contains("/srv/inbox"))
    }

    @Test(arguments: [UInt32(0xEF53), 0x0102_1994, 0x5846_5342, 0x794C_7630])
    func usesInotifyOnLocalFilesystems(_ magic: UInt32) {
        #expect(InboxWatcherFactory.decide(for: .success(InboxFilesystem(magic: magic)), inbox: "/x").mechanism == .inotify)
    }

    @Test func pollsWhenTheFilesystemCannotBeDetermined() {
        let decision = InboxWatcherFactory.decide(for: InboxFilesystem.of("/nonexistent/sgdyn"), inbox: "/nonexistent/sgdyn")
        #expect(decision.mechanism == .polling)
        #expect(decision.reason.contains("could not be determined"))
    }

    @Test func readsTheRealFilesystemType() throws {
        // procfs is always procfs (PROC_SUPER_MAGIC): proves statfs's f_type is read correctly.
        #expect(try InboxFilesystem.of("/proc").get().magic == 0x9FA0)
        let folder = try TemporaryFolder()
        let (watcher, decision) = InboxWatcherFactory.makeWatcher(for: folder.path)
        // The test machine's temporary folder is on a local filesystem.
        #expect(decision.mechanism == .inotify)
        #expect(watcher is InotifyInboxWatcher)
        #expect(watcher.mechanism == "inotify")
        let blind = InboxWatcherFactory.decide(for: .success(InboxFilesystem(magic: 0x6969)), inbox: folder.path)
        #expect(blind.mechanism == .polling)
    }
}
