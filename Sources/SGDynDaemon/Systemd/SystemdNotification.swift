/// One sd_notify(3) assignment the daemon sends to systemd.
public enum SystemdNotification: Sendable, Equatable {
    /// Start-up finished (database open, recovery done, first inbox scan finished).
    case ready
    /// A one-line status for `systemctl status`, e.g. "3 queued, 1 running, 12 done".
    case status(String)
    /// The watchdog ping; send it from the loop whose liveness it proves.
    case watchdog
    /// Shutdown has begun.
    case stopping
    /// Ask for more time before systemd's start/stop timeout fires (e.g. while checkpointing).
    case extendTimeout(Duration)

    /// The `KEY=VALUE` line. A status is flattened to one line, since a newline would end the
    /// assignment and start another.
    public var assignment: String {
        switch self {
        case .ready: "READY=1"
        case let .status(text): "STATUS=" + text.split(whereSeparator: \.isNewline).joined(separator: " ")
        case .watchdog: "WATCHDOG=1"
        case .stopping: "STOPPING=1"
        case let .extendTimeout(duration): "EXTEND_TIMEOUT_USEC=\(Self.microseconds(duration))"
        }
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
    }
}
