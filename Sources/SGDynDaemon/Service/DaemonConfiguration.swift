import Foundation
import SGDynJobs

/// Where the daemon works and how: from the command line, a JSON config file, or both (command-line
/// values win at start; SIGHUP re-reads the file). Every key of the file is declared once, in
/// `DaemonConfiguration.keys`, with its reader and its help text.
public struct DaemonConfiguration: Sendable, Equatable {
    public var inbox = "inbox"
    public var outbox = "outbox"
    public var state = "state"
    /// Threads in all local worker processes together.
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Seconds between checkpoints of a running unit.
    public var checkpointInterval = 60.0
    /// Intake pauses when the outbox or state folder has less free space than this.
    public var minFreeBytes: Int64 = 256 << 20
    /// How long a job file written in place must stay unchanged before it is taken.
    public var quietPeriod = 2.0
    /// How long a file written in place that does not parse may stay unchanged before it is taken
    /// (and rejected): its writer may pause for longer than the quiet period.
    public var incompleteWait = 60.0
    /// Seconds without a report from a running unit before a warning.
    public var stallWarning = 600.0
    /// Seconds without a report before its worker (or Slurm task) is killed and the unit resumed.
    public var stallKill = 1800.0
    /// "local" or "slurm": where new jobs' units run.
    public var executor = "local"
    /// The Slurm executor's settings (required with `"executor": "slurm"`).
    public var slurm: SlurmConfiguration?

    public init() {}

    /// Applies the values of a config file over `self`; unknown keys and bad values are errors
    /// that name the key.
    public func applying(configFile path: String) throws(ConfigurationError) -> DaemonConfiguration {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw ConfigurationError("cannot read the config file \(path): \(error.localizedDescription)")
        }
        return try applying(configJSON: bytes, path: path)
    }

    /// Applies the values of a config file's bytes over `self` (`path` only names the file in
    /// errors): the part of `applying(configFile:)` that reads untrusted bytes, which the fuzz
    /// target `fuzz-daemon-config` drives without a file.
    public func applying(configJSON bytes: [UInt8], path: String) throws(ConfigurationError) -> DaemonConfiguration {
        let document: JSONValue
        do { document = try JSONParser.parse(bytes) } catch { throw ConfigurationError("\(path): \(error.description)") }
        guard case .object(let members) = document else { throw ConfigurationError("\(path): the config file must be a JSON object") }
        var c = self
        for (key, value) in members {
            guard let entry = Self.keys.first(where: { $0.name == key }) else {
                throw ConfigurationError("\(path): unknown key '\(key)' (known: \(Self.keys.map(\.name).joined(separator: ", ")))")
            }
            do { try entry.apply(&c, value) } catch { throw ConfigurationError("\(path): key '\(key)' \(error)") }
        }
        try c.validate(path: path)
        return c
    }

    /// The configuration a SIGHUP gives: the file re-read over the current values.
    public func reloading(configFile path: String) throws(ConfigurationError) -> DaemonConfiguration {
        try applying(configFile: path)
    }

    /// Takes the settings that may change while running (for new jobs); folders need a restart,
    /// and so does an executor that was not set up at start (`available`).
    public mutating func adoptReloadable(from reloaded: DaemonConfiguration, available: Set<String>) {
        workers = reloaded.workers
        checkpointInterval = reloaded.checkpointInterval
        minFreeBytes = reloaded.minFreeBytes
        quietPeriod = reloaded.quietPeriod
        incompleteWait = reloaded.incompleteWait
        stallWarning = reloaded.stallWarning
        stallKill = reloaded.stallKill
        if available.contains(reloaded.executor) { executor = reloaded.executor }
        if let new = reloaded.slurm, let old = slurm { slurm = new.keeping(spool: old.spool) }
    }

    func validate(path: String) throws(ConfigurationError) {
        guard ["local", "slurm"].contains(executor) else {
            throw ConfigurationError("\(path): key 'executor' must be \"local\" or \"slurm\", got \"\(executor)\"")
        }
        if executor == "slurm", slurm == nil {
            throw ConfigurationError("\(path): \"executor\": \"slurm\" needs a \"slurm\" object with at least \"spool\" (a folder shared with the compute nodes)")
        }
        guard stallKill > stallWarning else {
            throw ConfigurationError("\(path): key 'stall_kill' (\(stallKill) s) must be longer than 'stall_warning' (\(stallWarning) s)")
        }
    }

    /// The keys of the config file, each with how it is read and what it means.
    public static let keys: [ConfigKey<DaemonConfiguration>] = [
        ConfigKey("inbox", "folder jobs are dropped into") { $0.inbox = try ConfigValue.path($1) },
        ConfigKey("outbox", "folder bundles are written to") { $0.outbox = try ConfigValue.path($1) },
        ConfigKey("state", "the daemon's own folder: job store, claimed files, logs, local spool") { $0.state = try ConfigValue.path($1) },
        ConfigKey("workers", "threads in all local worker processes together (default: all cores)") {
            $0.workers = try ConfigValue.integer($1, in: 1...4096)
        },
        ConfigKey("checkpoint_interval", "seconds between checkpoints of a running unit (default 60)") {
            $0.checkpointInterval = try ConfigValue.positive($1)
        },
        ConfigKey("min_free_mb", "intake and new runs pause below this much free space in the outbox or state folder (default 256)") {
            $0.minFreeBytes = Int64(try ConfigValue.positive($1, max: Double(1 << 40)) * 1_048_576)
        },
        ConfigKey("quiet_period", "seconds a file written in place must stay unchanged before it is taken (default 2; files renamed in are taken at once)") {
            $0.quietPeriod = try ConfigValue.positive($1)
        },
        ConfigKey("incomplete_wait", "seconds a file written in place that does not parse may stay unchanged before it is taken and rejected (default 60)") {
            $0.incompleteWait = try ConfigValue.positive($1)
        },
        ConfigKey("stall_warning", "seconds without a report from a running unit before a warning (default 600)") {
            $0.stallWarning = try ConfigValue.positive($1)
        },
        ConfigKey("stall_kill", "seconds without a report before the unit's worker is killed and the unit resumed (default 1800)") {
            $0.stallKill = try ConfigValue.positive($1)
        },
        ConfigKey("rescan_interval", "accepted for compatibility with sgdyn 0.1.0; no effect (the inbox is listed every second)") {
            _ = try ConfigValue.positive($1); _ = $0
        },
        ConfigKey("executor", "\"local\" (default) or \"slurm\": where new jobs' units run") { $0.executor = try ConfigValue.string($1) },
        ConfigKey("slurm", "the Slurm executor's settings (see docs/operations.md, \"Running on a Slurm cluster\")") {
            $0.slurm = try SlurmConfiguration(json: $1)
        },
    ]
}

/// One key of a JSON config object: its name, what it means, and how it sets a value.
public struct ConfigKey<Target>: Sendable {
    public let name: String
    public let help: String
    /// Sets the value; throws `ConfigValueError`.
    let apply: @Sendable (inout Target, JSONValue) throws -> Void

    init(_ name: String, _ help: String, _ apply: @escaping @Sendable (inout Target, JSONValue) throws -> Void) {
        self.name = name
        self.help = help
        self.apply = apply
    }
}

/// What is wrong with a config value ("must be a positive number, got -1"); the caller adds where.
public struct ConfigValueError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Readers of config values.
enum ConfigValue {
    static func positive(_ value: JSONValue) throws(ConfigValueError) -> Double {
        guard case .number(let text) = value, let x = Double(text), x.isFinite, x > 0 else {
            throw ConfigValueError("must be a positive number, got \(value.literal)")
        }
        return x
    }

    /// A positive number up to `max`: for values converted to integers afterwards, where a huge
    /// one (1e300) would trap the daemon reading its config, also on SIGHUP.
    static func positive(_ value: JSONValue, max: Double) throws(ConfigValueError) -> Double {
        let x = try positive(value)
        guard x <= max else { throw ConfigValueError("must be a positive number up to \(Int(max)), got \(value.literal)") }
        return x
    }

    static func integer(_ value: JSONValue, in range: ClosedRange<Int>) throws(ConfigValueError) -> Int {
        guard case .number(let text) = value, let x = Double(text), x == x.rounded(), x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            throw ConfigValueError("must be an integer from \(range.lowerBound) to \(range.upperBound), got \(value.literal)")
        }
        return Int(x)
    }

    static func string(_ value: JSONValue) throws(ConfigValueError) -> String {
        guard case .string(let s) = value, !s.isEmpty else { throw ConfigValueError("must be a non-empty string, got \(value.literal)") }
        return s
    }

    static func path(_ value: JSONValue) throws(ConfigValueError) -> String {
        guard case .string(let s) = value, !s.isEmpty else { throw ConfigValueError("must be a folder path, got \(value.literal)") }
        return s
    }

    static func strings(_ value: JSONValue) throws(ConfigValueError) -> [String] {
        guard case .array(let items) = value else { throw ConfigValueError("must be a list of strings, got \(value.literal)") }
        var out: [String] = []
        for item in items { out.append(try string(item)) }
        return out
    }

    /// A Slurm time ("MM", "HH:MM:SS", "D-HH:MM", … or a number of minutes) in seconds.
    static func slurmTime(_ value: JSONValue) throws(ConfigValueError) -> Int {
        if case .number = value { return Int(try positive(value, max: 1e9) * 60) }
        guard case .string(let s) = value, let seconds = SlurmRequest.seconds(fromTimeString: s), seconds > 0 else {
            throw ConfigValueError("must be a Slurm time such as \"90\", \"1:30:00\" or \"2-00:00:00\" (or a number of minutes), got \(value.literal)")
        }
        return seconds
    }
}

/// A bad configuration (file or command line), with the key at fault.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
