/// Where a job is in its life.
///
///     queued ⇄ running ⇄ interrupted          work to do (a run is one submission of its units)
///        ↘        ↓        ↙
///          publishing                           the outcome is decided; its bundle is being written
///          ↙          ↘
///     unpublished     done | diverged | failed | cancelled | quarantined | rejected
///
/// `publishing` retries with backoff while the outbox refuses the bundle; `unpublished` is a
/// publication that retrying cannot fix (the runs' data stay in the store; `sgdyn publish NAME`
/// tries again). The six final states carry a bundle.
public enum JobState: String, Sendable, CaseIterable, Codable {
    case queued
    case running
    case interrupted
    case publishing
    case unpublished
    case done
    case diverged
    case failed
    case cancelled
    case quarantined
    case rejected

    /// States from which the scheduler may start a run.
    public static let runnable: Set<JobState> = [.queued, .interrupted]
    /// States in which the job still has work ahead of it (a duplicate submission is refused then).
    public static let active: Set<JobState> = [.queued, .running, .interrupted]
    /// States whose job has, or is about to have, its outcome decided; cancelling them does nothing.
    public static let settled: Set<JobState> = Set(JobOutcome.allCases.map(\.finalState)).union([.publishing, .unpublished])
}

/// What a job's bundle says happened (result.json `status`): decided when its work ends, kept while
/// the bundle is written.
public enum JobOutcome: String, Sendable, CaseIterable, Codable {
    /// Every unit finished.
    case done
    /// Every unit ended, and at least one diverged (non-finite order parameters or ε_g).
    case diverged
    /// The job could not run (e.g. its units could not be submitted anywhere).
    case failed
    case cancelled
    /// Its units crashed their workers too often; set aside so the other jobs can run.
    case quarantined
    /// The file was not a job.
    case rejected

    /// The job state once the bundle is written.
    public var finalState: JobState {
        switch self {
        case .done: .done
        case .diverged: .diverged
        case .failed: .failed
        case .cancelled: .cancelled
        case .quarantined: .quarantined
        case .rejected: .rejected
        }
    }

    /// result.json's `status` (quarantined jobs are reported as failed, with the reason).
    public var bundleStatus: String { self == .quarantined ? "failed" : rawValue }
}

/// Where one unit of work (a simulation or an ODE integration of one sweep point and seed) is.
public enum UnitState: String, Sendable, CaseIterable, Codable {
    case queued
    case running
    /// Stopped or lost with its run; it resumes from its last checkpoint.
    case interrupted
    /// Finished (possibly diverged): its result is stored.
    case done
    case failed
    case cancelled

    /// States from which a run may (re)start the unit.
    public static let runnable: Set<UnitState> = [.queued, .interrupted]
}

/// What a unit computes.
public enum UnitKind: String, Sendable, CaseIterable, Codable {
    case simulation
    case ode
}
