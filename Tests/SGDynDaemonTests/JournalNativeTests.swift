import Foundation
import Logging
@testable import SGDynDaemon
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket bound by the test at a path of its own, standing in for journald's native
/// socket (/run/systemd/journal/socket): it receives what the handler sends and decodes it.
final class FakeJournalSocket {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0, let made = UnixDatagramSender.makeAddress(path) else {
            throw FileSystemFixtures.Failure(description: "cannot create a socket for \(path)")
        }
        var address = made.address
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, made.length) }
        }
        try FileSystemFixtures.check(bound, "bind \(path)")
        // A test must fail, not hang, when an entry never comes.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The raw bytes of the next datagram, or nil after `timeout` seconds.
    func receiveBytes(timeout seconds: Int = 5) -> [UInt8]? {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count < 0 ? nil : Array(buffer[0..<count])
    }

    /// The next entry as name → values (a name may repeat), or nil (timeout, or not decodable).
    func receiveEntry(timeout seconds: Int = 5) -> [String: [String]]? {
        guard let bytes = receiveBytes(timeout: seconds), let fields = JournalNativeSender.decode(bytes) else { return nil }
        var entry: [String: [String]] = [:]
        for field in fields { entry[field.name, default: []].append(String(decoding: field.value, as: UTF8.self)) }
        return entry
    }

    deinit {
        close(fd)
        unlink(path)
    }
}

@Suite("Native journal protocol")
struct JournalNativeTests {
    private func logger(journal: JournalNativeSender?, sink: CapturingSink, level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "sgdyn.test") { label in
            JournalLogHandler(
                label: label, style: .journal, sink: sink,
                nativeJournal: journal.map { .sender($0) } ?? .off, metadataProvider: nil)
        }
        logger.logLevel = level
        return logger
    }

    @Test func encodesFieldsAsTextOrWithALengthWhenTheValueHasANewline() {
        let payload = JournalNativeSender.encode([
            JournalField("MESSAGE", "hello"),
            JournalField("SGDYN_PATH", "a\nb"),
            JournalField("_PID", "1"),  // trusted fields are journald's to set: left out
            JournalField("bad name", "x"),
        ])
        let expected: [UInt8] = Array("MESSAGE=hello\nSGDYN_PATH\n".utf8) + [3, 0, 0, 0, 0, 0, 0, 0]
            + Array("a\nb\n".utf8)
        #expect(payload == expected)
        #expect(JournalNativeSender.decode(payload) == [JournalField("MESSAGE", "hello"), JournalField("SGDYN_PATH", "a\nb")])
        #expect(JournalNativeSender.decode(Array("MESSAGE\n".utf8) + [9, 0]) == nil)
    }

    @Test func namesFieldsAfterMetadataKeys() {
        #expect(JournalField.name(forMetadataKey: "job") == "SGDYN_JOB")
        #expect(JournalField.name(forMetadataKey: "state") == "SGDYN_STATE")
        #expect(JournalField.name(forMetadataKey: "exit-code") == "SGDYN_EXIT_CODE")
        #expect(JournalField.name(forMetadataKey: "Wörker") == "SGDYN_W_RKER")
        #expect(JournalField.name(forMetadataKey: String(repeating: "x", count: 60)) == nil)
        #expect(JournalField.isValidName("MESSAGE") && !JournalField.isValidName("9LIVES") && !JournalField.isValidName(""))
    }

    @Test func sendsJobLinesWithStructuredFields() throws {
        let folder = try TemporaryFolder()
        let journal = try FakeJournalSocket(path: folder.file("journal.sock"))
        let sender = try #require(JournalNativeSender(socketPath: journal.path))
        let sink = CapturingSink()
        var log = logger(journal: sender, sink: sink)
        log[metadataKey: "job"] = "sweep-1"
        log.notice("job finished", metadata: ["state": "done", "runs": "6"])

        let entry = try #require(journal.receiveEntry())
        #expect(entry["MESSAGE"] == ["[sgdyn.test] job finished job=sweep-1 runs=6 state=done"])
        #expect(entry["PRIORITY"] == ["5"])
        #expect(entry["SYSLOG_IDENTIFIER"] == ["sgdyn"])
        #expect(entry["SGDYN_JOB"] == ["sweep-1"])
        #expect(entry["SGDYN_STATE"] == ["done"])
        #expect(entry["SGDYN_RUNS"] == ["6"])
        #expect(entry["SGDYN_LOGGER"] == ["sgdyn.test"])
        #expect(entry["CODE_FILE"]?.first?.hasSuffix("JournalNativeTests.swift") == true)
        #expect(entry["CODE_LINE"]?.first.flatMap { Int($0) } != nil)
        // Sent natively, so not also on stderr (journald would show it twice).
        #expect(sink.lines.isEmpty)
    }

    @Test func givesEachLevelItsSyslogPriority() throws {
        let folder = try TemporaryFolder()
        let journal = try FakeJournalSocket(path: folder.file("journal.sock"))
        let sender = try #require(JournalNativeSender(socketPath: journal.path))
        let log = logger(journal: sender, sink: CapturingSink())
        log.critical("c")
        log.error("e")
        log.warning("w")
        log.notice("n")
        log.info("i")
        log.debug("d")
        log.trace("t")
        let priorities = (0..<7).map { _ in journal.receiveEntry()?["PRIORITY"]?.first }
        #expect(priorities == ["2", "3", "4", "5", "6", "7", "7"])
    }

    @Test func keepsExactValuesInFieldsAndOneLineInTheMessage() throws {
        let folder = try TemporaryFolder()
        let journal = try FakeJournalSocket(path: folder.file("journal.sock"))
        let sender = try #require(JournalNativeSender(socketPath: journal.path))
        let log = logger(journal: sender, sink: CapturingSink())
        log.error("cannot read\nfile", metadata: ["job": "two words", "path": "in\nbox"])
        let entry = try #require(journal.receiveEntry())
        #expect(entry["MESSAGE"] == ["[sgdyn.test] cannot read\\nfile job=\"two words\" path=in\\nbox"])
        #expect(entry["SGDYN_JOB"] == ["two words"])
        #expect(entry["SGDYN_PATH"] == ["in\nbox"])
    }

    @Test func fallsBackToThePrefixedLineWhenNobodyListens() throws {
        let folder = try TemporaryFolder()
        let sender = try #require(JournalNativeSender(socketPath: folder.file("no-journal.sock")))
        let sink = CapturingSink()
        logger(journal: sender, sink: sink).error("disk full", metadata: ["job": "alpha"])
        #expect(sink.lines == ["<3>[sgdyn.test] disk full job=alpha"])
    }

    @Test func fallsBackToThePrefixedLineForAnEntryTooBigForADatagram() throws {
        let folder = try TemporaryFolder()
        let journal = try FakeJournalSocket(path: folder.file("journal.sock"))
        let sink = CapturingSink()
        let sender = try #require(JournalNativeSender(socketPath: journal.path))
        let log = logger(journal: sender, sink: sink)
        let huge = String(repeating: "x", count: 1 << 20)
        log.warning("huge", metadata: ["blob": .string(huge)])
        log.info("after")
        #expect(sink.lines.count == 1)
        #expect(sink.lines.first?.hasPrefix("<4>[sgdyn.test] huge blob=xxx") == true)
        // The next record goes natively again.
        #expect(journal.receiveEntry()?["MESSAGE"] == ["[sgdyn.test] after"])
    }

    @Test func isDetectedOnlyWhenStderrIsTheJournalAndTheSocketExists() throws {
        let folder = try TemporaryFolder()
        let journal = try FakeJournalSocket(path: folder.file("journal.sock"))
        let notASocket = try folder.write("plain-file", "")
        let stream = try folder.write("stderr-stand-in", "")
        let fd = open(stream, O_WRONLY | O_CLOEXEC)
        #expect(fd >= 0)
        defer { close(fd) }
        let (device, inode) = FileSystemFixtures.deviceAndInode(of: fd)
        let matching = ["JOURNAL_STREAM": "\(device):\(inode)"]

        let found = JournalNativeSender.detect(fileDescriptor: fd, environment: matching, socketPath: journal.path)
        #expect(found?.socketPath == journal.path)
        #expect(JournalNativeSender.detect(fileDescriptor: fd, environment: [:], socketPath: journal.path) == nil)
        #expect(JournalNativeSender.detect(fileDescriptor: fd, environment: ["JOURNAL_STREAM": "\(device):\(inode + 1)"], socketPath: journal.path) == nil)
        #expect(JournalNativeSender.detect(fileDescriptor: fd, environment: matching, socketPath: folder.file("missing.sock")) == nil)
        #expect(JournalNativeSender.detect(fileDescriptor: fd, environment: matching, socketPath: notASocket) == nil)

        // End to end: a detected sender carries a record to the stand-in journal.
        let sink = CapturingSink()
        let detected = try #require(found)
        logger(journal: detected, sink: sink).info("hello", metadata: ["job": "j", "state": "running"])
        let entry = try #require(journal.receiveEntry())
        #expect(entry["SGDYN_JOB"] == ["j"] && entry["SGDYN_STATE"] == ["running"] && entry["PRIORITY"] == ["6"])
        #expect(sink.lines.isEmpty)
    }

    @Test func automaticModeNeverBypassesAnInjectedSink() {
        let sink = CapturingSink()
        let handler = JournalLogHandler(label: "x", style: .journal, sink: sink, nativeJournal: .automatic, metadataProvider: nil)
        #expect(handler.journal == nil)
        let file = JournalLogHandler(label: "x", style: .plain, sink: FileDescriptorLogSink(fileDescriptor: 7), metadataProvider: nil)
        #expect(file.journal == nil)
    }
}
