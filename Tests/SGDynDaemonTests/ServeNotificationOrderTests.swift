import Foundation
@testable import SGDynDaemon
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's side of the sd_notify contract, without systemd: `sgdyn serve` runs with
/// NOTIFY_SOCKET pointing at a socket bound by the test (and WATCHDOG_USEC set), and the test
/// checks the order of what arrives: READY=1 first (after start-up), STATUS= on changes, WATCHDOG=1
/// pings while it runs, STOPPING=1 on SIGTERM, then exit status 0.
@Suite("sgdyn serve notifications", .serialized)
struct ServeNotificationOrderTests {
    /// The sgdyn executable built beside the test bundle (`swift build --build-tests` builds both),
    /// or $SGDYN_BINARY.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["SGDYN_BINARY"] { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sgdyn").path
    }

    /// Every assignment received until `done` says so or `timeout` passes, one per line.
    private func collect(from socket: FakeNotifySocket, into received: inout [String], timeout: Duration,
                         until done: ([String]) -> Bool) {
        let deadline = ContinuousClock.now + timeout
        while !done(received), ContinuousClock.now < deadline {
            guard let datagram = socket.receive() else { continue }
            received += datagram.split(separator: "\n").map(String.init)
        }
    }

    @Test func readyStatusWatchdogThenStoppingOnSIGTERM() throws {
        let binary = Self.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "sgdyn is not built at \(binary)")
        let folder = try TemporaryFolder()
        let inbox = try folder.subfolder("inbox")
        let outbox = try folder.subfolder("outbox")
        let state = try folder.subfolder("state")
        let notify = try FakeNotifySocket(address: folder.file("notify.sock"))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--inbox", inbox, "--outbox", outbox, "--state", state, "--workers", "1"]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notify.address
        environment["WATCHDOG_USEC"] = "1000000"  // pings expected every 0.5 s
        environment.removeValue(forKey: "WATCHDOG_PID")
        environment.removeValue(forKey: "JOURNAL_STREAM")
        process.environment = environment
        let stderrPath = folder.file("stderr.txt")
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        var received: [String] = []
        // Start-up, then a job: its STATUS must change to count it as done.
        collect(from: notify, into: &received, timeout: .seconds(60)) { $0.contains("READY=1") }
        try #require(received.contains("READY=1"), "no READY=1 within 60 s; stderr: \(Self.read(stderrPath))")
        let job = #"{"N": 20, "K": 1, "M": 1, "t_max": 2, "points": 2, "seeds": 1}"#
        try Data(job.utf8).write(to: URL(fileURLWithPath: (inbox as NSString).appendingPathComponent(".tiny.json.tmp")))
        try FileManager.default.moveItem(atPath: (inbox as NSString).appendingPathComponent(".tiny.json.tmp"),
                                         toPath: (inbox as NSString).appendingPathComponent("tiny.json"))
        collect(from: notify, into: &received, timeout: .seconds(60)) { lines in
            lines.contains { $0.hasPrefix("STATUS=") && $0.contains("done 1") }
                && lines.filter { $0 == "WATCHDOG=1" }.count >= 3
        }
        #expect(kill(process.processIdentifier, SIGTERM) == 0)
        collect(from: notify, into: &received, timeout: .seconds(30)) { $0.contains("STOPPING=1") }
        let exited = runOnThread(timeout: .seconds(40)) { process.waitUntilExit() } != nil

        let ready = try #require(received.firstIndex(of: "READY=1"))
        let stopping = try #require(received.firstIndex(of: "STOPPING=1"), "no STOPPING=1 after SIGTERM: \(received)")
        #expect(ready < stopping)
        #expect(received.filter { $0 == "READY=1" }.count == 1)
        // Start-up finished before READY: the first STATUS after it counts jobs already.
        #expect(received[ready...].contains { $0.hasPrefix("STATUS=") })
        #expect(received[ready..<stopping].contains { $0.hasPrefix("STATUS=") && $0.contains("done 1") },
                "no STATUS= counting the finished job: \(received)")
        #expect(received[ready..<stopping].filter { $0 == "WATCHDOG=1" }.count >= 3)
        // Nothing claims readiness once stopping has begun.
        #expect(!received[stopping...].contains("READY=1"))
        #expect(exited, "sgdyn serve did not exit within 40 s of SIGTERM")
        if exited {
            #expect(process.terminationReason == .exit && process.terminationStatus == 0,
                    "exit \(process.terminationStatus); stderr: \(Self.read(stderrPath))")
        }
    }

    static func read(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }
}
