/// What the daemon was doing when the index was written, as the job store says: the jobs still
/// ahead (running, queued, waiting to resume) with their progress, and how many jobs are in each
/// state. Filled in by `sgdyn report --state` from the store (read-only); the index shows it at
/// the top.
public struct DaemonActivity: Sendable {
    /// One running or waiting job.
    public struct Job: Sendable {
        public var name: String
        public var state: String
        public var priority: Int
        /// Fraction of all steps done, 0…1.
        public var progress: Double
        public var stepsPerSecond: Double?
        public var etaSeconds: Double?
        public var latestEg: Double?
        public var unitsRunning: Int
        public var unitsDone: Int
        public var unitCount: Int
        public var attempts: Int
        public var cancelRequested: Bool
        /// Who submitted it, when recorded.
        public var submitter: String?

        public init(name: String, state: String, priority: Int, progress: Double, stepsPerSecond: Double?, etaSeconds: Double?,
                    latestEg: Double?, unitsRunning: Int, unitsDone: Int, unitCount: Int, attempts: Int, cancelRequested: Bool,
                    submitter: String? = nil) {
            self.submitter = submitter
            self.name = name
            self.state = state
            self.priority = priority
            self.progress = progress
            self.stepsPerSecond = stepsPerSecond
            self.etaSeconds = etaSeconds
            self.latestEg = latestEg
            self.unitsRunning = unitsRunning
            self.unitsDone = unitsDone
            self.unitCount = unitCount
            self.attempts = attempts
            self.cancelRequested = cancelRequested
        }
    }

    /// Running jobs first, then the waiting ones in the order they will run.
    public var jobs: [Job]
    /// Jobs per state (every state the store has), for the summary line.
    public var counts: [(state: String, count: Int)]
    /// Set when the store could not be read; the index says so instead of the jobs.
    public var problem: String?

    public init(jobs: [Job], counts: [(state: String, count: Int)], problem: String? = nil) {
        self.jobs = jobs
        self.counts = counts
        self.problem = problem
    }

    public static func unavailable(_ problem: String) -> DaemonActivity {
        DaemonActivity(jobs: [], counts: [], problem: problem)
    }
}
