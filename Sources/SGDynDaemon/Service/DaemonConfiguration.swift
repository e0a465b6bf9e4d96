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
    /// Where new jobs' units run: a kind of `ExecutorRegistry.standard`.
    public var executor = ExecutorKind.local
    /// The Slurm executor's settings (required with `"executor": "slurm"`).
    public var slurm: SlurmConfiguration?
    /// Members of this group administer the daemon (besides root and the daemon's own user): they
    /// may cancel anyone's job and set any priority.
    public var adminGroup: String?
    /// The highest priority a job of a submitter who is not an administrator runs with; higher
    /// requests are lowered to it (with a warning in the job's log).
    public var maxPriority = 0
    /// Not a config key: in-process tests poll the inbox (libinotifytools allows one inotify
    /// watcher per process, which the watcher tests need); nil chooses as `InboxWatcherFactory` says.
    var inboxPollInterval: Duration?

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

    /// What `sgdyn serve` was given on its command line; it wins over the config file, at start
    /// and on every SIGHUP.
    public var commandLine = CommandLineSettings()

    /// The configuration a start gives: the defaults, the config file's values over them, the
    /// command line's over those; every value checked against its range.
    public static func starting(configFile: String?, commandLine: CommandLineSettings) throws(ConfigurationError) -> DaemonConfiguration {
        var c = DaemonConfiguration()
        if let configFile { c = try c.applying(configFile: configFile) }
        try commandLine.check()
        commandLine.apply(to: &c)
        c.commandLine = commandLine
        try c.validate(path: configFile ?? "the command line")
        return c
    }

    /// The configuration a SIGHUP gives: the file read as a restart would read it (a key removed
    /// from the file goes back to its default), with the same command line over it.
    public func reloading(configFile path: String) throws(ConfigurationError) -> DaemonConfiguration {
        try Self.starting(configFile: path, commandLine: commandLine)
    }

    /// Takes the settings that may change while running (for new jobs); folders need a restart,
    /// and so does an executor that was not set up at start (`available`).
    public mutating func adoptReloadable(from reloaded: DaemonConfiguration, available: Set<ExecutorKind>) {
        workers = reloaded.workers
        checkpointInterval = reloaded.checkpointInterval
        minFreeBytes = reloaded.minFreeBytes
        quietPeriod = reloaded.quietPeriod
        incompleteWait = reloaded.incompleteWait
        stallWarning = reloaded.stallWarning
        stallKill = reloaded.stallKill
        adminGroup = reloaded.adminGroup
        maxPriority = reloaded.maxPriority
        if available.contains(reloaded.executor) { executor = reloaded.executor }
        if let new = reloaded.slurm, let old = slurm { slurm = new.keeping(spool: old.spool) }
    }

    func validate(path: String) throws(ConfigurationError) {
        let registry = ExecutorRegistry.standard
        guard let registration = registry.registration(for: executor) else {
            throw ConfigurationError("\(path): key 'executor' must be \(registry.kindList { "\"\($0)\"" }), got \"\(executor)\"")
        }
        if !registration.isConfigured(self) {
            throw ConfigurationError("\(path): \"executor\": \"\(executor)\" needs \(registration.requirement)")
        }
        guard stallKill > stallWarning else {
            throw ConfigurationError("\(path): key 'stall_kill' (\(stallKill) s) must be longer than 'stall_warning' (\(stallWarning) s)")
        }
    }

    /// The keys of the config file, each with how it is read, what it means, its default and — for
    /// every number — its range: the one table of the daemon's settings (docs/configuration.md is
    /// rendered from it, `ConfigDocsTests` keeps the page current). A value outside its range is
    /// refused naming the key, at start and on SIGHUP, so no setting can reach a trap.
    public static let keys: [ConfigKey<DaemonConfiguration>] = [
        ConfigKey("inbox", "folder jobs are dropped into", default: "`inbox`") { $0.inbox = try ConfigValue.path($1) },
        ConfigKey("outbox", "folder bundles are written to", default: "`outbox`") { $0.outbox = try ConfigValue.path($1) },
        ConfigKey("state", "the daemon's own folder: job store, claimed files, logs, local spool", default: "`state`") {
            $0.state = try ConfigValue.path($1)
        },
        .integer("workers", "threads in all local worker processes together", in: 1...4096, unit: "threads", default: "all cores",
                 commandLine: "--workers") { $0.workers = $1 },
        .number("checkpoint_interval", "seconds between checkpoints of a running unit", in: 0.001...86_400, unit: "s", default: "60",
                commandLine: "--checkpoint-interval") { $0.checkpointInterval = $1 },
        .number("min_free_mb", "intake and new runs pause below this much free space in the outbox or state folder",
                in: 1...Double(1 << 40), unit: "MiB", default: "256") { $0.minFreeBytes = Int64($1 * 1_048_576) },
        .number("quiet_period", "seconds a file written in place must stay unchanged before it is taken (files renamed in are taken at once)",
                in: 0.01...3_600, unit: "s", default: "2") { $0.quietPeriod = $1 },
        .number("incomplete_wait", "seconds a file written in place that does not parse may stay unchanged before it is taken and rejected",
                in: 0.01...86_400, unit: "s", default: "60") { $0.incompleteWait = $1 },
        .number("stall_warning", "seconds a running unit may be silent (no heartbeat, counted from when it started computing) before a warning",
                in: 1...604_800, unit: "s", default: "600") { $0.stallWarning = $1 },
        .number("stall_kill", "seconds of silence before the unit's worker (or Slurm task) is killed and the unit resumed; longer than `stall_warning`",
                in: 2...2_592_000, unit: "s", default: "1800") { $0.stallKill = $1 },
        .number("rescan_interval", "accepted for compatibility with sgdyn 0.1.0; no effect (the inbox is listed every second)",
                in: 0.001...86_400, unit: "s", default: "none") { _, _ in },
        ConfigKey("executor", "\(ExecutorRegistry.standard.kindList { "`\"\($0)\"`" }): where new jobs' units run", default: "`\"local\"`") {
            $0.executor = ExecutorKind(rawValue: try ConfigValue.string($1))
        },
        ConfigKey("slurm", "the Slurm executor's settings (an object; its keys are in the next table)", default: "none") {
            $0.slurm = try SlurmConfiguration(json: $1)
        },
        ConfigKey("admin_group", "a group whose members administer the daemon besides root and its own user: they may cancel anyone's job and set any priority", default: "none") {
            $0.adminGroup = try ConfigValue.groupName($1)
        },
        .integer("max_priority", "the highest priority a job of a submitter who is not an administrator runs with; higher requests are lowered to it",
                 in: -1_000_000...1_000_000, unit: "", default: "0") { $0.maxPriority = $1 },
    ]

    /// Checks a value given on the command line (`--workers`, `--checkpoint-interval`) against the
    /// range of its config key; the error names the option.
    public static func checkCommandLine(_ option: String, _ value: Double) throws(ConfigurationError) {
        guard let key = keys.first(where: { $0.commandLine == option }), let range = key.range else { return }
        guard range.contains(value) else {
            throw ConfigurationError("\(option) \(range.requirement), got \(value)")
        }
    }
}

/// The values given to `sgdyn serve` as options (`--inbox`, `--workers`, …).
public struct CommandLineSettings: Sendable, Equatable {
    public var inbox: String?
    public var outbox: String?
    public var state: String?
    public var workers: Int?
    public var checkpointInterval: Double?

    public init(inbox: String? = nil, outbox: String? = nil, state: String? = nil, workers: Int? = nil, checkpointInterval: Double? = nil) {
        self.inbox = inbox
        self.outbox = outbox
        self.state = state
        self.workers = workers
        self.checkpointInterval = checkpointInterval
    }

    /// The numbers against the ranges of their config keys.
    public func check() throws(ConfigurationError) {
        if let workers { try DaemonConfiguration.checkCommandLine("--workers", Double(workers)) }
        if let checkpointInterval { try DaemonConfiguration.checkCommandLine("--checkpoint-interval", checkpointInterval) }
    }

    func apply(to c: inout DaemonConfiguration) {
        if let inbox { c.inbox = inbox }
        if let outbox { c.outbox = outbox }
        if let state { c.state = state }
        if let workers { c.workers = workers }
        if let checkpointInterval { c.checkpointInterval = checkpointInterval }
    }
}

/// The range of a numeric setting, stated in docs/configuration.md and enforced when it is read.
public struct ConfigRange: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    /// Whole numbers only.
    public var integer: Bool
    public var unit: String

    public func contains(_ x: Double) -> Bool {
        x.isFinite && x >= lower && x <= upper && (!integer || x == x.rounded())
    }

    /// "must be an integer from 1 to 4096 (threads)", "must be a number from 0.01 to 3600 (s)".
    public var requirement: String {
        "must be \(integer ? "an integer" : "a number") from \(Self.text(lower)) to \(Self.text(upper))\(unit.isEmpty ? "" : " (\(unit))")"
    }

    /// The range as the docs show it: "1 – 4,096 threads".
    public var documented: String { "\(Self.grouped(lower)) – \(Self.grouped(upper))\(unit.isEmpty ? "" : " \(unit)")" }

    static func text(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }

    static func grouped(_ x: Double) -> String {
        guard x == x.rounded(), abs(x) < 1e15 else { return String(x) }
        let digits = String(Int64(x))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0, i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}

/// One key of a JSON config object: its name, what it means, its default, its range (numbers),
/// and how it sets a value.
public struct ConfigKey<Target>: Sendable {
    public let name: String
    public let help: String
    /// The default, as the docs show it.
    public let defaultText: String
    /// Numbers only: what a value may be.
    public let range: ConfigRange?
    /// The command-line option of `sgdyn serve` that sets the same value, if any.
    public let commandLine: String?
    /// Sets the value; throws `ConfigValueError`.
    let apply: @Sendable (inout Target, JSONValue) throws -> Void

    init(_ name: String, _ help: String, default defaultText: String = "none", range: ConfigRange? = nil, commandLine: String? = nil,
         _ apply: @escaping @Sendable (inout Target, JSONValue) throws -> Void) {
        self.name = name
        self.help = help
        self.defaultText = defaultText
        self.range = range
        self.commandLine = commandLine
        self.apply = apply
    }

    /// A number within `range`.
    static func number(_ name: String, _ help: String, in range: ClosedRange<Double>, unit: String, default defaultText: String,
                       commandLine: String? = nil, _ set: @escaping @Sendable (inout Target, Double) -> Void) -> ConfigKey {
        let bounds = ConfigRange(lower: range.lowerBound, upper: range.upperBound, integer: false, unit: unit)
        return ConfigKey(name, help, default: defaultText, range: bounds, commandLine: commandLine) { target, value in
            set(&target, try ConfigValue.number(value, bounds))
        }
    }

    /// A whole number within `range`.
    static func integer(_ name: String, _ help: String, in range: ClosedRange<Int>, unit: String, default defaultText: String,
                        commandLine: String? = nil, _ set: @escaping @Sendable (inout Target, Int) -> Void) -> ConfigKey {
        let bounds = ConfigRange(lower: Double(range.lowerBound), upper: Double(range.upperBound), integer: true, unit: unit)
        return ConfigKey(name, help, default: defaultText, range: bounds, commandLine: commandLine) { target, value in
            set(&target, Int(try ConfigValue.number(value, bounds)))
        }
    }
}

/// What is wrong with a config value ("must be a positive number, got -1"); the caller adds where.
public struct ConfigValueError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Readers of config values.
enum ConfigValue {
    /// A number within `range` (finite; whole when the range says so).
    static func number(_ value: JSONValue, _ range: ConfigRange) throws(ConfigValueError) -> Double {
        guard case .number(let text) = value, let x = Double(text), range.contains(x) else {
            throw ConfigValueError("\(range.requirement), got \(value.literal)")
        }
        return x
    }

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

    /// A group name as groupadd(8) accepts it: letters, digits, '_', '-', '.', not starting with '-'.
    static func groupName(_ value: JSONValue) throws(ConfigValueError) -> String {
        guard case .string(let s) = value, !s.isEmpty, s.count <= 64, !s.hasPrefix("-"),
              s.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) })
        else { throw ConfigValueError("must be a group name (letters, digits, '_', '-', '.'), got \(value.literal)") }
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
