import SGDynJobs
import Foundation
import Logging
@testable import SGDynDaemon
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Keeps every line a handler writes.
final class CapturingSink: LogSink {
    private let captured = Locked<[String]>([])
    var lines: [String] { captured.withLock { $0 } }
    func write(line: String) { captured.withLock { $0.append(line) } }
}

@Suite("JournalLogHandler")
struct LogHandlerTests {
    private func logger(style: LogLineFormatter.Style, sink: CapturingSink, level: Logger.Level = .trace) -> Logger {
        let fixed = Date(timeIntervalSince1970: 1_704_164_645.678)  // 2024-01-02T03:04:05.678Z
        var logger = Logger(label: "sgdyn.test") { label in
            JournalLogHandler(label: label, style: style, sink: sink, metadataProvider: nil, clock: { fixed })
        }
        logger.logLevel = level
        return logger
    }

    @Test func prefixesEachLevelWithItsSyslogPriorityForTheJournal() {
        let sink = CapturingSink()
        let log = logger(style: .journal, sink: sink)
        log.critical("c")
        log.error("e")
        log.warning("w")
        log.notice("n")
        log.info("i")
        log.debug("d")
        log.trace("t")
        #expect(sink.lines == [
            "<2>[sgdyn.test] c", "<3>[sgdyn.test] e", "<4>[sgdyn.test] w", "<5>[sgdyn.test] n",
            "<6>[sgdyn.test] i", "<7>[sgdyn.test] d", "<7>[sgdyn.test] t",
        ])
    }

    @Test func writesPlainTimestampedLinesOnATerminal() {
        let sink = CapturingSink()
        let log = logger(style: .plain, sink: sink)
        log.error("bundle write failed", metadata: ["attempt": "2", "job": "alpha"])
        log.critical("disk full")
        #expect(sink.lines == [
            "2024-01-02T03:04:05.678Z error    [sgdyn.test] bundle write failed job=alpha attempt=2",
            "2024-01-02T03:04:05.678Z critical [sgdyn.test] disk full",
        ])
    }

    @Test func keepsEveryRecordOnOneLine() {
        let sink = CapturingSink()
        let log = logger(style: .journal, sink: sink)
        log.error("first\nsecond\r\nthird\u{1B}[31m", metadata: ["path": "a\nb"])
        #expect(sink.lines.count == 1)
        let line = sink.lines[0]
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1B}"))
        #expect(line == "<3>[sgdyn.test] first\\nsecond\\r\\nthird\\u{1b}[31m path=a\\nb")
    }

    @Test func rendersMetadataWithTheJobFirstAndQuotesWhereNeeded() {
        let sink = CapturingSink()
        var log = logger(style: .journal, sink: sink)
        log[metadataKey: "worker"] = "3"
        log.warning("slow", metadata: ["aaa": "x", "job": "sweep-1", "reason": "two words", "eq": "a=b", "empty": ""])
        #expect(sink.lines == [
            "<4>[sgdyn.test] slow job=sweep-1 aaa=x empty=\"\" eq=\"a=b\" reason=\"two words\" worker=3",
        ])
    }

    @Test func respectsTheLogLevel() {
        let sink = CapturingSink()
        let log = logger(style: .journal, sink: sink, level: .notice)
        log.info("hidden")
        log.notice("shown")
        #expect(sink.lines == ["<5>[sgdyn.test] shown"])
    }

    @Test func detectsTheJournalOnlyWhenJournalStreamMatchesTheDescriptor() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("stderr-stand-in", "")
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        #expect(fd >= 0)
        defer { close(fd) }
        let (device, inode) = FileSystemFixtures.deviceAndInode(of: fd)

        let matching = ["JOURNAL_STREAM": "\(device):\(inode)"]
        #expect(JournalLogHandler.detectStyle(fileDescriptor: fd, environment: matching) == .journal)
        #expect(JournalLogHandler.detectStyle(fileDescriptor: fd, environment: [:]) == .plain)
        #expect(JournalLogHandler.detectStyle(fileDescriptor: fd, environment: ["JOURNAL_STREAM": "\(device):\(inode + 1)"]) == .plain)
        #expect(JournalLogHandler.detectStyle(fileDescriptor: fd, environment: ["JOURNAL_STREAM": "garbage"]) == .plain)

        // End to end: the detected style decides the prefix.
        for (environment, expected) in [(matching, "<6>[sgdyn.test] hello"), ([:], "2024-01-02T03:04:05.678Z info     [sgdyn.test] hello")] {
            let sink = CapturingSink()
            let style = JournalLogHandler.detectStyle(fileDescriptor: fd, environment: environment)
            logger(style: style, sink: sink).info("hello")
            #expect(sink.lines == [expected])
        }
    }

    @Test func fileDescriptorSinkNeverInterleavesLinesFromThreads() throws {
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        let sink = FileDescriptorLogSink(fileDescriptor: pipeEnds[1])
        let threads = 8
        let linesPerThread = 40
        // Longer than PIPE_BUF (4096), where the kernel no longer keeps concurrent writes whole.
        let payloadLength = 20_000

        let readerFD = pipeEnds[0]
        let collected = Locked<[UInt8]>([])
        let readerDone = DispatchSemaphore(value: 0)
        Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(readerFD, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                collected.withLock { $0.append(contentsOf: buffer[0..<count]) }
            }
            readerDone.signal()
        }.start()

        let writers = DispatchGroup()
        for thread in 0..<threads {
            writers.enter()
            Thread {
                let letter = Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(thread)))
                for index in 0..<linesPerThread {
                    sink.write(line: "\(thread)-\(index):" + String(repeating: letter, count: payloadLength))
                }
                writers.leave()
            }.start()
        }
        #expect(writers.wait(timeout: .now() + 60) == .success)
        close(pipeEnds[1])
        #expect(readerDone.wait(timeout: .now() + 60) == .success)
        close(pipeEnds[0])

        let lines = String(decoding: collected.withLock { $0 }, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == threads * linesPerThread)
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let thread = Int(parts[0].split(separator: "-")[0]) else {
                Issue.record("mangled line prefix")
                continue
            }
            let letter = Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(thread)))
            #expect(parts[1].count == payloadLength && parts[1].allSatisfy { $0 == letter })
        }
    }
}
