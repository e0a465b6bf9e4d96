/// Where the daemon and its workers put the files they exchange (see `UnitReport`), under one spool
/// folder: the state folder's `spool/` for local workers, a folder on the filesystem shared with
/// the compute nodes for Slurm.
///
///     SPOOL/job-<job id>/submission-<submission id>.tasks    the units of each task (daemon)
///     SPOOL/job-<job id>/unit-<unit id>/attempt-<n>/
///         work.unit       what to compute (daemon; `WorkUnit.encoded()`)
///         resume          the checkpoint to resume from, when there is one (daemon)
///         checkpoint      the latest checkpoint (worker)
///         progress        the heartbeat (worker)
///         outcome         how the run ended (worker, last)
///
/// Each (re)start of a unit gets a new attempt folder, so a worker the daemon gave up on (a Slurm
/// task thought lost that comes back) can never overwrite what its successor reports.
public struct SpoolLayout: Sendable, Equatable {
    public let root: String

    public init(root: String) { self.root = root }

    public func jobFolder(job: Int64) -> String { root + "/job-\(job)" }

    public func tasksFile(job: Int64, submission: Int64) -> String { jobFolder(job: job) + "/submission-\(submission).tasks" }

    public func unitFolder(job: Int64, unit: Int64) -> String { jobFolder(job: job) + "/unit-\(unit)" }

    public func attemptFolder(job: Int64, unit: Int64, attempt: Int) -> UnitSpoolFolder {
        Self.attemptFolder(jobFolder: jobFolder(job: job), unit: unit, attempt: attempt)
    }

    /// A unit's attempt folder inside a job folder (as recorded with a submission).
    public static func attemptFolder(jobFolder: String, unit: Int64, attempt: Int) -> UnitSpoolFolder {
        UnitSpoolFolder(path: jobFolder + "/unit-\(unit)/attempt-\(attempt)")
    }
}

/// One attempt of one unit in the spool: the files daemon and worker exchange about it.
public struct UnitSpoolFolder: Sendable, Equatable {
    public let path: String

    public init(path: String) { self.path = path }

    public var work: String { path + "/work.unit" }
    public var resume: String { path + "/resume" }
    public var checkpoint: String { path + "/checkpoint" }
    public var progress: String { path + "/progress" }
    public var outcome: String { path + "/outcome" }
}

/// The units each task of a submission runs, as the daemon writes them for the workers: a first
/// line `token TOKEN` (the submission's, which workers write into every report), then one line
/// per task, `unit-id@attempt` separated by spaces.
public struct SubmissionTasks: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var unit: Int64
        public var attempt: Int

        public init(unit: Int64, attempt: Int) {
            self.unit = unit
            self.attempt = attempt
        }
    }

    public var token: String
    public var tasks: [[Entry]]

    public init(token: String, tasks: [[Entry]]) {
        self.token = token
        self.tasks = tasks
    }

    /// One line per task after the token line, each ended by a newline (so no tasks is the token
    /// line alone, and one empty task an empty line: both read back as written).
    public var text: String {
        "token \(token)\n" + tasks.map { $0.map { "\($0.unit)@\($0.attempt)" }.joined(separator: " ") + "\n" }.joined()
    }

    /// What a submission token may hold: the daemon makes them of letters, digits and `-`
    /// (`sgdyn-STORE-jJOB-RANDOM`); anything else in a tasks file is damage or forgery.
    static func isValidToken(_ token: Substring) -> Bool {
        !token.isEmpty && token.utf8.count <= 128
            && token.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    public init(text: String) throws(SpoolDecodingError) {
        var tasks: [[Entry]] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
        guard let first = lines.first, first.hasPrefix("token ") else { throw .malformed("no token line") }
        let named = first.dropFirst("token ".count)
        guard Self.isValidToken(named) else { throw .malformed("token '\(named.prefix(40))'") }
        token = String(named)
        lines = lines.dropFirst()
        for line in lines {
            var task: [Entry] = []
            for item in line.split(separator: " ") {
                let parts = item.split(separator: "@")
                guard parts.count == 2, let unit = Int64(parts[0]), let attempt = Int(parts[1]), unit > 0, attempt > 0 else {
                    throw .malformed("task entry '\(item)'")
                }
                task.append(Entry(unit: unit, attempt: attempt))
            }
            tasks.append(task)
        }
        self.tasks = tasks
    }
}
