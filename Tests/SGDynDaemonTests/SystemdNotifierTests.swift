import Foundation
@testable import SGDynDaemon
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket bound by the test, standing in for systemd's notification socket.
final class FakeNotifySocket {
    let address: String
    private let fd: Int32

    /// `address` is a path, or "@name" for the abstract namespace.
    init(address: String) throws {
        self.address = address
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0, let made = UnixDatagramSender.makeAddress(address) else {
            throw FileSystemFixtures.Failure(description: "cannot create a socket for \(address)")
        }
        var socketAddress = made.address
        let length = made.length
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        try FileSystemFixtures.check(bound, "bind \(address)")
        // Never wait forever for a datagram that does not come.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next datagram, or nil after the timeout.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count < 0 ? nil : String(decoding: buffer[0..<count], as: UTF8.self)
    }

    deinit {
        close(fd)
        if !address.hasPrefix("@") { unlink(address) }
    }
}

@Suite("SystemdNotifier")
struct SystemdNotifierTests {
    @Test func sendsEachNotificationAsADatagramInOrder() throws {
        let folder = try TemporaryFolder()
        let fake = try FakeNotifySocket(address: folder.file("notify.sock"))
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": fake.address])
        #expect(notifier.isEnabled)

        #expect(notifier.send(.ready))
        #expect(notifier.send(.status("3 queued, 1 running, 12 done")))
        #expect(notifier.send(.watchdog))
        #expect(notifier.send(.stopping))
        #expect(notifier.send(.extendTimeout(.seconds(20))))
        #expect(notifier.send(.status("checkpointing"), .watchdog))

        let received = (0..<6).map { _ in fake.receive() }
        #expect(received == [
            "READY=1", "STATUS=3 queued, 1 running, 12 done", "WATCHDOG=1", "STOPPING=1",
            "EXTEND_TIMEOUT_USEC=20000000", "STATUS=checkpointing\nWATCHDOG=1",
        ])
    }

    @Test func reachesAnAbstractNamespaceSocket() throws {
        let fake = try FakeNotifySocket(address: "@sgdyn-test-\(UUID().uuidString)")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": fake.address])
        #expect(notifier.send(.ready))
        #expect(fake.receive() == "READY=1")
    }

    @Test func isASilentNoOpWithoutNotifySocket() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        #expect(!notifier.send(.ready))
        #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]).isEnabled)
    }

    @Test func reportsFailureInsteadOfThrowing() throws {
        let folder = try TemporaryFolder()
        let nobodyListens = SystemdNotifier(environment: ["NOTIFY_SOCKET": folder.file("missing.sock")])
        #expect(nobodyListens.isEnabled)
        #expect(!nobodyListens.send(.watchdog))
        let tooLong = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 200)])
        #expect(!tooLong.send(.ready))
    }

    @Test func keepsAStatusOnOneLine() {
        #expect(SystemdNotification.status("a\nb\r\nc").assignment == "STATUS=a b c")
        #expect(SystemdNotification.extendTimeout(.milliseconds(1500)).assignment == "EXTEND_TIMEOUT_USEC=1500000")
    }

    @Test func readsTheWatchdogPeriodMeantForThisProcess() {
        #expect(SystemdNotifier.watchdogTimeout(environment: ["WATCHDOG_USEC": "30000000"], processID: 42) == .seconds(30))
        #expect(SystemdNotifier.watchdogTimeout(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], processID: 42) == .seconds(30))
        #expect(SystemdNotifier.watchdogTimeout(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"], processID: 42) == nil)
        #expect(SystemdNotifier.watchdogTimeout(environment: [:], processID: 42) == nil)
    }
}
