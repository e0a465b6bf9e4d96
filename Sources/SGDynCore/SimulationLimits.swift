/// The largest runs sgdyn's decoders accept. Snapshots, finished runs' records and work units
/// come back from SQLite or a shared spool, where a damaged or crafted file may claim any sizes:
/// parameters beyond these are refused before anything is allocated for them, so no such file
/// can make a worker or the daemon trap on an overflowing size or allocate without bound.
///
/// They are the job limits (SGDynJobs' `JobLimits`, which a test checks lie within them) or
/// multiples of them, so everything sgdyn wrote decodes. The run's memory is the job limit
/// itself: a run holds its buffers (up to 1 GiB each) as soon as it is restored, and a crafted
/// snapshot should make a worker allocate no more than a valid job could.
public enum SimulationLimits {
    /// Hidden units of one network (jobs: 1024).
    public static let maxUnits = 1 << 12
    /// Output times per run (jobs: 100,000).
    public static let maxPoints = 1 << 20
    /// SGD steps per run, t_max·N (jobs: 2⁵⁰); 2⁵² keeps every step count exact in a Double.
    public static let maxSteps = 1 << 52
    /// Monte-Carlo test-set size (jobs: 10⁶).
    public static let maxTestSet = 1 << 24
    /// Memory of one run, `SimulationResources.runBytes` (jobs: the same 2 GiB).
    public static let maxRunBytes = 2 << 30
    /// The ODE right-hand side's workspace, `ODEResources.workspaceBytes` (jobs: 1 GiB).
    public static let maxODEWorkspaceBytes = 2 << 30
}
