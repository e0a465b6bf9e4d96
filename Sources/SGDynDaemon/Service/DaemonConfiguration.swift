import Foundation
import SGDynJobs

/// Where the daemon works and how hard: from the command line, a JSON config file, or both
/// (command-line values win). Re-read on SIGHUP.
public struct DaemonConfiguration: Sendable, Equatable {
    public var inbox: String
    public var outbox: String
    public var state: String
    /// Simulation threads in all worker processes together.
    public var workers: Int
    /// Seconds between checkpoints of a running simulation.
    public var checkpointInterval: Double
    /// Intake pauses when the outbox or state folder has less free space than this.
    public var minFreeBytes: Int64
    /// How long a job file written in place must stay unchanged before it is taken.
    public var quietPeriod: Double
    /// Seconds between rescans of the inbox when nothing was heard from the watcher.
    public var rescanInterval: Double

    public init(inbox: String = "inbox", outbox: String = "outbox", state: String = "state",
                workers: Int = ProcessInfo.processInfo.activeProcessorCount, checkpointInterval: Double = 60,
                minFreeBytes: Int64 = 256 << 20, quietPeriod: Double = 2, rescanInterval: Double = 30) {
        self.inbox = inbox
        self.outbox = outbox
        self.state = state
        self.workers = workers
        self.checkpointInterval = checkpointInterval
        self.minFreeBytes = minFreeBytes
        self.quietPeriod = quietPeriod
        self.rescanInterval = rescanInterval
    }

    /// Keys of the config file (JSON object), all optional.
    public static let fileKeys = ["inbox", "outbox", "state", "workers", "checkpoint_interval", "min_free_mb",
                                  "quiet_period", "rescan_interval"]

    /// Applies the values of a config file over `self`; unknown keys and bad values are errors
    /// that name the key.
    public func applying(configFile path: String) throws -> DaemonConfiguration {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let document: JSONValue
        do { document = try JSONParser.parse(bytes) } catch { throw ConfigurationError("\(path): \(error.description)") }
        guard case .object(let members) = document else { throw ConfigurationError("\(path): the config file must be a JSON object") }
        var c = self
        for (key, value) in members {
            func number() throws -> Double {
                guard case .number(let text) = value, let x = Double(text), x.isFinite, x > 0 else {
                    throw ConfigurationError("\(path): key '\(key)' must be a positive number, got \(value.literal)")
                }
                return x
            }
            func string() throws -> String {
                guard case .string(let s) = value, !s.isEmpty else {
                    throw ConfigurationError("\(path): key '\(key)' must be a folder path, got \(value.literal)")
                }
                return s
            }
            switch key {
            case "inbox": c.inbox = try string()
            case "outbox": c.outbox = try string()
            case "state": c.state = try string()
            case "workers":
                let n = try number()
                guard n == n.rounded(), n <= 4096 else { throw ConfigurationError("\(path): key 'workers' must be an integer from 1 to 4096") }
                c.workers = Int(n)
            case "checkpoint_interval": c.checkpointInterval = try number()
            case "min_free_mb": c.minFreeBytes = Int64(try number() * 1_048_576)
            case "quiet_period": c.quietPeriod = try number()
            case "rescan_interval": c.rescanInterval = try number()
            default:
                throw ConfigurationError("\(path): unknown key '\(key)' (known: \(Self.fileKeys.joined(separator: ", ")))")
            }
        }
        return c
    }

    /// The database file in the state folder.
    public var databasePath: String { (state as NSString).appendingPathComponent("sgdyn.sqlite") }
    /// Per-job log files, copied into each bundle as log.txt.
    public var logsDirectory: String { (state as NSString).appendingPathComponent("logs") }
    /// Claimed files that were rejected, kept so nothing a user drops is lost.
    public var rejectedDirectory: String { (state as NSString).appendingPathComponent("rejected") }
    /// Space given up to the job store when the disk fills (see `Daemon.checkFreeSpace`).
    public var reservePath: String { (state as NSString).appendingPathComponent("space-reserve") }
    /// Test-only fault switch: while this file exists the scheduler loop hangs (for the watchdog test).
    public var hangSwitchPath: String { (state as NSString).appendingPathComponent(".fault-hang-scheduler") }
    /// Test-only fault switch: while this file exists every worker process crashes after start.
    public var crashSwitchPath: String { (state as NSString).appendingPathComponent(".fault-crash-worker") }
}

/// A bad configuration (file or command line), with the key at fault.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
