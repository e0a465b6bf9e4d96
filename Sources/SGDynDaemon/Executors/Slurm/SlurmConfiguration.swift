import Foundation
import SGDynJobs

/// The Slurm executor's settings: the `"slurm"` object of the config file. Every key is declared
/// once, in `SlurmConfiguration.keys`.
public struct SlurmConfiguration: Sendable, Equatable {
    /// The partition tasks go to when a job names none (nil: the cluster's default).
    public var partition: String?
    /// Partitions a job may ask for with `"slurm": {"partition": …}`; empty: only `partition`.
    public var partitions: [String] = []
    public var account: String?
    public var qos: String?
    /// Each task's time limit when a job asks for none (nil: the partition's default).
    public var timeLimitSeconds: Int?
    /// The longest time limit a job may ask for (nil: `timeLimitSeconds`, or any when that is nil).
    public var maxTimeLimitSeconds: Int?
    /// CPUs per task, which are the worker threads of each task.
    public var cpusPerTask = 1
    /// `--mem-per-cpu` in MiB; nil: `--mem` from the job's own memory estimate.
    public var memoryPerCPUMiB: Int?
    /// Array throttle: at most this many tasks of one job run at once (`--array=…%N`).
    public var maxRunning: Int?
    /// A folder on the filesystem shared with the compute nodes, for the spool.
    public var spool: String
    /// The sgdyn binary's path as the compute nodes see it (nil: this program's path).
    public var worker: String?
    /// More `sbatch` arguments, given as they are (e.g. ["--constraint=avx2"]).
    public var extraSbatchArguments: [String] = []
    /// Units per array task; nil: chosen from the units' estimated run times (see `SlurmTaskPlan`).
    public var unitsPerTask: Int?
    /// A task gets SIGUSR1 this long before its time limit, checkpoints and stops; it is continued.
    public var signalSeconds = 120
    /// Seconds between two looks at the queue (`squeue`).
    public var pollInterval = 10.0
    /// Seconds any Slurm command may take before it is killed (and its answer taken as unknown).
    public var commandTimeout = 30.0
    /// Where `sbatch`, `squeue`, `scancel`, `scontrol` and `sacct` are (nil: on PATH).
    public var commandDirectory: String?

    public init(spool: String) { self.spool = spool }

    init(json value: JSONValue) throws(ConfigValueError) {
        guard case .object(let members) = value else { throw ConfigValueError("must be an object with at least \"spool\"") }
        guard let spoolValue = members.first(where: { $0.key == "spool" })?.value else {
            throw ConfigValueError("needs \"spool\": a folder shared with the compute nodes")
        }
        self.init(spool: try ConfigValue.path(spoolValue))
        for (key, member) in members {
            guard let entry = Self.keys.first(where: { $0.name == key }) else {
                throw ConfigValueError("has an unknown key '\(key)' (known: \(Self.keys.map(\.name).joined(separator: ", ")))")
            }
            do { try entry.apply(&self, member) } catch { throw ConfigValueError("key 'slurm.\(key)' \(error)") }
        }
        if let limit = timeLimitSeconds, let max = maxTimeLimitSeconds, limit > max {
            throw ConfigValueError("'time_limit' is longer than 'max_time_limit'")
        }
    }

    /// The same settings with the spool of a running daemon (the spool cannot move under it).
    func keeping(spool: String) -> SlurmConfiguration {
        var copy = self
        copy.spool = spool
        return copy
    }

    /// The partitions a job may name.
    public var allowedPartitions: [String] { partitions.isEmpty ? [partition].compactMap { $0 } : partitions }

    /// Checks a job's `slurm` request against what this configuration allows; errors name the key.
    public func check(_ request: SlurmRequest?, executor: ExecutorKind) throws(JobError) {
        guard executor == .slurm, let request else { return }
        if let asked = request.partition, !allowedPartitions.contains(asked) {
            throw JobError(allowedPartitions.isEmpty
                           ? "this daemon lets jobs choose no partition (its config sets none); remove the key"
                           : "partition \"\(asked)\" is not one this daemon may use (allowed: \(allowedPartitions.joined(separator: ", ")))",
                           key: "slurm.partition")
        }
        if let asked = request.timeLimitSeconds, let max = maxTimeLimitSeconds ?? timeLimitSeconds, asked > max {
            throw JobError("\(SlurmRequest.timeString(seconds: asked)) is longer than this daemon allows (\(SlurmRequest.timeString(seconds: max)))",
                           key: "slurm.time_limit")
        }
    }

    static let keys: [ConfigKey<SlurmConfiguration>] = [
        ConfigKey("spool", "a folder shared with the compute nodes", default: "required") { $0.spool = try ConfigValue.path($1) },
        ConfigKey("partition", "the partition tasks go to when a job names none", default: "the cluster's") {
            $0.partition = try ConfigValue.string($1)
        },
        ConfigKey("partitions", "the partitions a job may ask for", default: "only `partition`") {
            $0.partitions = try ConfigValue.strings($1)
        },
        ConfigKey("account", "sbatch --account") { $0.account = try ConfigValue.string($1) },
        ConfigKey("qos", "sbatch --qos") { $0.qos = try ConfigValue.string($1) },
        ConfigKey("time_limit", "each task's time limit when a job asks for none: a Slurm time (\"90\", \"1:30:00\", \"2-00:00:00\") or a number of minutes up to 10^9",
                  default: "the partition's") {
            $0.timeLimitSeconds = try ConfigValue.slurmTime($1)
        },
        ConfigKey("max_time_limit", "the longest time limit a job may ask for (as `time_limit`)", default: "`time_limit`") {
            $0.maxTimeLimitSeconds = try ConfigValue.slurmTime($1)
        },
        .integer("cpus_per_task", "CPUs, and so worker threads, per task", in: 1...1024, unit: "CPUs", default: "1") { $0.cpusPerTask = $1 },
        .integer("mem_per_cpu", "sbatch --mem-per-cpu", in: 1...(1 << 30), unit: "MiB",
                 default: "--mem from the job's own memory estimate") { $0.memoryPerCPUMiB = $1 },
        .integer("max_running", "at most this many tasks of one job at once (--array=…%N)", in: 1...1_000_000, unit: "tasks",
                 default: "no limit") { $0.maxRunning = $1 },
        ConfigKey("worker", "the sgdyn binary's path as the compute nodes see it", default: "this program") {
            $0.worker = try ConfigValue.path($1)
        },
        ConfigKey("extra_sbatch_args", "more sbatch arguments, as a list of strings") {
            $0.extraSbatchArguments = try ConfigValue.strings($1)
        },
        .integer("units_per_task", "units per array task", in: 1...1_000_000, unit: "units",
                 default: "chosen from their estimated run times") { $0.unitsPerTask = $1 },
        .integer("signal_seconds", "SIGUSR1 this long before a task's time limit: it checkpoints, stops and is continued",
                 in: 1...65_535, unit: "s", default: "120") { $0.signalSeconds = $1 },
        .number("poll_interval", "seconds between two looks at the queue", in: 0.1...3_600, unit: "s", default: "10") { $0.pollInterval = $1 },
        .number("command_timeout", "seconds a Slurm command (sbatch, squeue, scontrol, scancel, sacct) may take before it is killed; its answer is then unknown and looked up again",
                in: 1...3_600, unit: "s", default: "30") { $0.commandTimeout = $1 },
        ConfigKey("commands", "the folder holding sbatch, squeue, scancel, scontrol", default: "on PATH") {
            $0.commandDirectory = try ConfigValue.path($1)
        },
    ]
}
