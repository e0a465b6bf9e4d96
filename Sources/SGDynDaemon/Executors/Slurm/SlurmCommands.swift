import Foundation
import SGDynJobs

/// The Slurm client commands sgdyn uses, run as child processes with a deadline. Their output
/// formats are those of Slurm 22.05 (Debian 12) and later; only plain `-o` formats and
/// `scontrol -o`, which have been stable for many releases, are parsed.
struct SlurmCommands: Sendable {
    let directory: String?
    let environment: [String: String]

    init(directory: String?) {
        self.directory = directory
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { environment.removeValue(forKey: key) }
        // sbatch passes its caller's umask to the job unless SLURM_UMASK is set: the tasks'
        // output files in the spool are private like everything else there.
        environment["SLURM_UMASK"] = "0077"
        self.environment = environment
    }

    func run(_ command: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws(SystemError) -> CommandResult {
        try await CommandRunner.run(path(of: command), arguments, environment: environment, timeout: timeout)
    }

    /// The command's full path: in `directory`, else the first match on PATH.
    func path(of command: String) -> String {
        if let directory { return directory + "/" + command }
        for folder in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = folder + "/" + command
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/" + command
    }
}

/// What `squeue` and `scontrol` say about array tasks.
enum SlurmQueue {
    /// One line of `squeue -h -r -o '%F|%K|%T|%r|%k'`: the array's job id (`%F`; `%A` is each
    /// task's own job id and `%a` the account), the task index, the state, the reason, and the
    /// comment last (it is printed raw, so it may contain the separator).
    struct Entry: Equatable {
        var arrayJobID: String
        var taskID: Int?
        var state: String
        var reason: String
        var comment: String
    }

    static let squeueFormat = "%F|%K|%T|%r|%k"

    /// Pending reasons that mean the task will never start (Slurm 22.05 accepts such jobs when
    /// EnforcePartLimits is off, and then leaves them pending for ever).
    static let hopelessReasons: Set<String> = [
        "PartitionTimeLimit", "PartitionConfig", "PartitionNodeLimit", "BadConstraints", "InvalidAccount", "InvalidQOS",
        "QOSMaxWallDurationPerJobLimit", "ReqNodeNotAvail, Reserved for maintenance",
    ]

    static func parse(squeue output: String) -> [Entry] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 5, !fields[0].isEmpty else { return nil }
            return Entry(arrayJobID: fields[0], taskID: Int(fields[1]), state: fields[2], reason: fields[3],
                         comment: fields[4...].joined(separator: "|"))
        }
    }

    /// `JobState` and `ExitCode` of `scontrol show job -o` (one line per record).
    static func parse(scontrol output: String) -> (state: String, exitStatus: Int32?, signal: Int32?)? {
        guard let line = output.split(separator: "\n").first else { return nil }
        var state: String?
        var exit: (Int32?, Int32?) = (nil, nil)
        for field in line.split(separator: " ") {
            if field.hasPrefix("JobState=") { state = String(field.dropFirst("JobState=".count)) }
            if field.hasPrefix("ExitCode=") {
                let parts = field.dropFirst("ExitCode=".count).split(separator: ":")
                exit = (parts.first.flatMap { Int32($0) }, parts.count > 1 ? Int32(parts[1]) : nil)
            }
        }
        guard let state else { return nil }
        return (state, exit.0, exit.1)
    }

    /// States a task leaves only by ending (`squeue` not listing it then means it is gone).
    static let finalStates: Set<String> = [
        "COMPLETED", "FAILED", "OUT_OF_MEMORY", "TIMEOUT", "DEADLINE", "NODE_FAIL", "BOOT_FAIL", "PREEMPTED", "CANCELLED",
        "REVOKED", "SPECIAL_EXIT",
    ]

    static func isFinal(_ state: String) -> Bool { finalStates.contains(state) }

    /// How a task that left the queue ended, from its final Slurm state; a crash's reason ends with
    /// the last line of the task's output when there is one (what the worker or the shell said).
    static func taskEnd(state: String, exitStatus: Int32?, signal: Int32?, output: String? = nil) -> TaskEnd {
        let said = output.flatMap(SlurmTaskOutput.lastLine).map { "; its output ends: \"\($0)\"" } ?? ""
        let mentionsMemory = output.map { text in
            let lower = text.lowercased()
            return lower.contains("oom-kill") || lower.contains("out of memory") || lower.contains("out-of-memory") || lower.contains("oom_kill")
        } ?? false
        switch state {
        case "COMPLETED":
            return .exited(0)
        case "FAILED":
            if let exitStatus, exitStatus == ExitStatus.temporaryFailure.rawValue { return .exited(exitStatus) }
            if mentionsMemory { return .crashed("the Slurm task ran out of memory" + said) }
            if signal == 9 {
                // Without accounting of memory use Slurm cannot tell; SIGKILL of a task that is not
                // being cancelled is most often the kernel's out-of-memory killer.
                return .crashed("the Slurm task was killed by SIGKILL (signal 9): most likely out of memory (the kernel's OOM killer or the node's memory limit), else an administrator" + said)
            }
            if let signal, signal != 0 { return .crashed("the Slurm task was killed by signal \(signal)" + said) }
            return .crashed("the Slurm task failed (exit status \(exitStatus.map(String.init) ?? "?"))" + said)
        case "OUT_OF_MEMORY":
            return .crashed("the Slurm task ran out of memory" + said)
        case "TIMEOUT", "DEADLINE":
            return .lost("the Slurm task reached its time limit before it could checkpoint")
        case "NODE_FAIL", "BOOT_FAIL":
            return .lost("the Slurm task's node failed")
        case "PREEMPTED":
            return .lost("the Slurm task was preempted")
        case "CANCELLED":
            return .lost("the Slurm task was cancelled")
        default:
            return .lost("the Slurm task ended in state \(state)")
        }
    }

    /// How a task ended that Slurm no longer remembers (it ended more than MinJobAge ago, and there
    /// is no accounting): a task that left output ran, and one without an outcome for every unit
    /// ended before its work was done — a crash (a wrong `worker` path, a spool it cannot write);
    /// the units' spool files say which units finished. A task that left nothing and was seen
    /// running is taken as lost (its node); one never seen running and without output never
    /// started properly either: a crash, so a task that fails at once is never requeued for ever.
    static func forgottenTaskEnd(seenRunning: Bool, output: String?) -> TaskEnd {
        if let output {
            let said = SlurmTaskOutput.lastLine(output).map { "; its output ends: \"\($0)\"" } ?? ""
            return .crashed("the Slurm task ended and Slurm no longer remembers how" + said)
        }
        if seenRunning {
            return .lost("Slurm no longer remembers the task (no accounting); its units' spool files tell what they did")
        }
        return .crashed("the Slurm task ended before it was ever seen running and left no output (can it write to the spool?)")
    }
}
