/// Where the daemon is in its life. The loop's behaviour follows from the phase alone: intake and
/// new runs only while `serving`; while `pausedForDisk` running work goes on but nothing new starts;
/// `draining` stops every worker and waits for their checkpoints; then `stopped`.
enum DaemonPhase: Sendable, Equatable, CustomStringConvertible {
    /// Opening the store, recovering, scanning once; systemd has not been told READY yet.
    case starting
    case serving
    /// The outbox or the state folder has less than the minimum free space.
    case pausedForDisk(path: String, freeBytes: Int64)
    /// SIGTERM: no intake, no new runs, workers asked to checkpoint and stop.
    case draining(deadline: ContinuousClock.Instant)
    case stopped

    /// Whether new files are taken from the inbox and new runs started.
    var acceptsWork: Bool { self == .serving }

    var description: String {
        switch self {
        case .starting: return "starting"
        case .serving: return "serving"
        case .pausedForDisk(let path, let free): return "paused: only \(free / 1_048_576) MiB free in \(path)"
        case .draining: return "stopping"
        case .stopped: return "stopped"
        }
    }
}
