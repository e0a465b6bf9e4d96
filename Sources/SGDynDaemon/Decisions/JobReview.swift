import SGDynStore

/// What a job does next once a run of it ended or was asked to end: the decision, as a value, from
/// what the store says of the job and its units (issue 19, item 2).
///
/// While some of the job still runs (other Slurm arrays, other tasks), only cancellation and the
/// crash count matter: reading every unit of a 10,000-unit job at each task's end would cost the
/// loop seconds. Once nothing runs, the outcome follows in a fixed order — a cancel wins over
/// everything (what finished is published), then quarantine, then a failed unit, then all done —
/// and a job with units left goes back to the queue to resume.
struct JobReview: Sendable, Equatable {
    var crashPolicy = CrashPolicy()

    /// What to do while runs of the job go on.
    enum WhileRunning: Sendable, Equatable {
        /// Let them run.
        case wait
        /// Stop every run not already stopping, for this reason (cancel or quarantine).
        case stopRuns(StopReason)
    }

    func whileRunning(crashes: Int, cancelRequested: Bool) -> WhileRunning {
        guard crashPolicy.verdict(crashes: crashes) == .quarantine || cancelRequested else { return .wait }
        return .stopRuns(cancelRequested ? .cancel : .quarantine)
    }

    /// What the store says of a job of which nothing runs.
    struct Observation: Sendable, Equatable {
        var cancelRequested = false
        /// Its state is `running` (not queued: a queued job is left alone unless it can end).
        var running = true
        /// The most crashes of any one unit, and the error of the last unit with that many.
        var crashes = 0
        var lastCrashError: String?
        /// The job's own last error.
        var jobError: String?
        /// The first failed unit (its index and error).
        var firstFailed: FailedUnit?
        var allDone = false
        var diverged = 0
        /// The run that just ended was a local batch whose every unit finished (`LocalBatch`).
        var batchFinished = false
        /// The daemon is shutting down (SIGTERM).
        var draining = false
    }

    /// A unit that could not be computed.
    struct FailedUnit: Sendable, Equatable {
        var index: Int
        var error: String?
    }

    /// The job's next step.
    enum Decision: Sendable, Equatable {
        /// It ends `cancelled`; what finished is published.
        case cancel
        /// It ends `quarantined`, with this reason.
        case quarantine(reason: String)
        /// It ends `failed`, with this reason.
        case fail(reason: String)
        /// Every unit ended: it is published, `diverged` when any unit diverged, else `done`.
        case publish(diverged: Int)
        /// Its next batch runs (not an interruption).
        case nextBatch
        /// It goes back to the queue, interrupted, and resumes from its checkpoints.
        case resume(byShutdown: Bool)
        /// Nothing to do (a queued job with units left).
        case none
    }

    func decide(_ job: Observation) -> Decision {
        if job.cancelRequested { return .cancel }
        if crashPolicy.verdict(crashes: job.crashes) == .quarantine {
            let last = job.lastCrashError ?? job.jobError ?? "its worker died"
            return .quarantine(reason: "a unit ended without finishing \(job.crashes) times (last: \(last)); quarantined so the other jobs can run")
        }
        if let failed = job.firstFailed {
            return .fail(reason: "unit \(failed.index) could not be computed: \(failed.error ?? "unknown error")")
        }
        if job.allDone { return .publish(diverged: job.diverged) }
        guard job.running else { return .none }
        return job.batchFinished ? .nextBatch : .resume(byShutdown: job.draining)
    }
}
