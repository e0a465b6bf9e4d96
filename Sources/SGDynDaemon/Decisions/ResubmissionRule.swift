import SGDynJobs

/// When units are handed to an executor again, and in what pieces: the decisions, as values, that
/// `schedule` and `submit` follow (issue 19, item 2).
///
/// On Slurm the other tasks of a job go on while a unit whose task ended waits, so it is
/// resubmitted at once, in an array of its own — unless the job is being cancelled or has crashed
/// too often. A job larger than one array (MaxArraySize) or than the cluster's room (MaxJobCount)
/// goes in several arrays; each waits for room for half an array, so a large job goes in few,
/// large arrays rather than an array of one task each time one ends. A submission the executor
/// cannot take now (`ExecutorError.temporary`) leaves the job queued to be tried again; one it can
/// never take (`.permanent`) fails the job — once no other run of it goes on.
struct ResubmissionRule: Sendable, Equatable {
    var crashPolicy = CrashPolicy()

    /// Whether a running job's waiting units are resubmitted while its other runs go on.
    func resubmits(cancelRequested: Bool, crashes: Int) -> Bool {
        !cancelRequested && crashPolicy.verdict(crashes: crashes) == .resume
    }

    /// Whether there is room enough to start another array: half an array (at least one task).
    static func hasRoom(free: Int, maximumTasksPerArray: Int) -> Bool {
        free >= max(1, maximumTasksPerArray / 2)
    }

    /// How much of a planned submission goes now.
    enum Cut: Sendable, Equatable {
        /// All its tasks.
        case all
        /// Only the first this many; the rest of the units stay queued for the next array.
        case first(Int)
        /// None: wait for room (scheduling stops until the next cycle).
        case wait
    }

    /// - Parameters:
    ///   - tasks: the tasks planned for the runnable units.
    ///   - free: how many more tasks the executor takes now.
    ///   - arrayLimit: the most tasks one submission may hold.
    ///   - splits: whether the executor's submissions are arrays that can be cut (a local worker
    ///     is one task, sized to its free threads beforehand).
    static func cut(tasks: Int, free: Int, arrayLimit: Int, splits: Bool) -> Cut {
        let room = min(free, arrayLimit)
        guard splits, tasks > room else { return .all }
        guard room >= max(1, arrayLimit / 2) else { return .wait }
        return .first(max(1, room))
    }

    /// What follows a submission the executor refused.
    enum AfterRefusal: Sendable, Equatable {
        /// Logged at warning; the job stays queued (requeued when no other run of it goes on) and
        /// scheduling stops until the next cycle.
        case retryLater(requeue: Bool)
        /// Logged at error; the job fails (at once when no other run of it goes on, else once they
        /// have ended and this comes back). Scheduling goes on with other jobs.
        case failJob(now: Bool)
    }

    /// - Parameter alone: no other run of the job goes on.
    static func afterRefusal(_ error: ExecutorError, alone: Bool) -> AfterRefusal {
        switch error {
        case .temporary: return .retryLater(requeue: alone)
        case .permanent: return .failJob(now: alone)
        }
    }

    /// A submission that can never run (a task pending for ever for a reason no retry can fix,
    /// such as `PartitionTimeLimit`): its job fails once none of its runs is active any more.
    static func failsJobAfterUnrunnableSubmission(activeRuns: Int) -> Bool {
        activeRuns == 0
    }
}
