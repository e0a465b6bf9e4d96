import Foundation
import SGDynStore

/// How a worker process ended.
public enum WorkerExit: Sendable, Equatable, CustomStringConvertible {
    /// Exit status 0: every unit of the job is done.
    case completed
    /// Exit status 75: stopped on request (shutdown or cancel) after checkpointing.
    case stopped
    /// Any other exit status.
    case failed(status: Int32)
    /// Killed by a signal (a trap, the OOM killer, kill -9).
    case crashed(signal: Int32)

    /// sysexits.h EX_TEMPFAIL: the worker stopped on request and can resume.
    public static let stoppedStatus: Int32 = 75

    public var description: String {
        switch self {
        case .completed: return "completed"
        case .stopped: return "stopped after checkpointing"
        case .failed(let status): return "exited with status \(status)"
        case .crashed(let signal): return "was killed by signal \(signal)" + (signal == SIGKILL ? " (SIGKILL: out of memory or killed)" : "")
        }
    }
}

/// A running `sgdyn worker` child process that runs one job's units.
public final class WorkerProcess: Sendable {
    public let jobID: JobID
    public let jobName: String
    public let threads: Int
    private let process: Process

    /// Starts `executable worker --state … --job ID --threads T --checkpoint-interval S`;
    /// `onExit` is called once, on another thread, when the process ends.
    public init(executable: String, configuration: DaemonConfiguration, jobID: JobID, jobName: String, threads: Int,
                onExit: @escaping @Sendable (WorkerExit) -> Void) throws {
        self.jobID = jobID
        self.jobName = jobName
        self.threads = threads
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["worker", "--state", configuration.state, "--job", String(jobID.rawValue),
                             "--threads", String(threads), "--checkpoint-interval", String(configuration.checkpointInterval)]
        var environment = ProcessInfo.processInfo.environment
        // Only the daemon talks to systemd; a worker that inherited the socket could confuse it.
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        environment.removeValue(forKey: "WATCHDOG_USEC")
        environment.removeValue(forKey: "WATCHDOG_PID")
        process.environment = environment
        process.terminationHandler = { finished in
            switch finished.terminationReason {
            case .uncaughtSignal: onExit(.crashed(signal: finished.terminationStatus))
            default:
                switch finished.terminationStatus {
                case 0: onExit(.completed)
                case WorkerExit.stoppedStatus: onExit(.stopped)
                default: onExit(.failed(status: finished.terminationStatus))
                }
            }
        }
        try process.run()
        self.process = process
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Asks the worker to checkpoint and stop (SIGTERM).
    public func requestStop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    /// Ends the worker at once (SIGKILL); its last checkpoints remain.
    public func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
