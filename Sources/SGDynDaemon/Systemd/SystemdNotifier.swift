import Foundation
import Logging

/// Speaks systemd's notification protocol (sd_notify) without libsystemd: each call sends its
/// assignments as one datagram to the AF_UNIX socket named in $NOTIFY_SOCKET. Without that
/// variable (not started by systemd, or not `Type=notify`) every call is a silent no-op.
///
/// Calls never throw and never block: a failure returns false and is logged (at debug, since
/// watchdog pings are frequent), so it is safe in the scheduler's hot loop.
public struct SystemdNotifier: Sendable {
    /// The socket address from $NOTIFY_SOCKET, or nil when notifications are off.
    public let socketAddress: String?
    private let logger: Logger?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger? = nil) {
        let address = environment["NOTIFY_SOCKET"]
        socketAddress = (address?.isEmpty ?? true) ? nil : address
        self.logger = logger
    }

    /// Whether notifications go anywhere.
    public var isEnabled: Bool { socketAddress != nil }

    /// Sends `notifications` together, in order, as one datagram. True when it was sent; false
    /// when notifications are off, nothing was given, or sending failed.
    @discardableResult
    public func send(_ notifications: [SystemdNotification]) -> Bool {
        guard let socketAddress, !notifications.isEmpty else { return false }
        let message = notifications.map(\.assignment).joined(separator: "\n")
        switch UnixDatagramSender.send(Array(message.utf8), to: socketAddress) {
        case .success:
            return true
        case let .failure(error):
            logger?.debug("sd_notify failed", metadata: ["message": "\(message)", "error": "\(error)"])
            return false
        }
    }

    @discardableResult
    public func send(_ notifications: SystemdNotification...) -> Bool { send(notifications) }

    /// The watchdog period systemd expects pings within ($WATCHDOG_USEC), when the watchdog is on
    /// and meant for this process ($WATCHDOG_PID, if set, is ours). Ping at half of it.
    public static func watchdogTimeout(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        processID: Int32 = getpid()
    ) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], Int32(pid) != processID { return nil }
        return .microseconds(microseconds)
    }
}
