/// Where a job is in its life: `queued → running → done | failed | cancelled | quarantined`, plus
/// `interrupted` for a job whose run was stopped by a shutdown or a crash and that will resume.
public enum JobState: String, Sendable, CaseIterable, Codable {
    case queued
    case running
    case done
    case failed
    case cancelled
    case quarantined
    case interrupted

    /// States from which the scheduler may start a run.
    public static let runnable: Set<JobState> = [.queued, .interrupted]
    /// States in which the job still has work ahead of it (a duplicate submission is refused then).
    public static let active: Set<JobState> = [.queued, .running, .interrupted]

    /// True for the four outcomes after which the job never changes again.
    public var isTerminal: Bool { !JobState.active.contains(self) }
}

/// Where one unit of work (one sweep point × seed) is; it mirrors `JobState` without quarantine,
/// which is a verdict on a whole job.
public enum UnitState: String, Sendable, CaseIterable, Codable {
    case queued
    case running
    case done
    case failed
    case cancelled
    case interrupted

    /// States from which a worker may (re)start the unit.
    public static let runnable: Set<UnitState> = [.queued, .interrupted]
}
