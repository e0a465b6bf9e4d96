/// Resource limits checked before a job is accepted (jobs.md: a job over them is rejected with
/// the numbers). Sized for a shared 2-core, 24 GiB machine running several jobs at once.
public enum JobLimits {
    /// Sweep points × seeds.
    public static let maxRuns = 10_000
    /// Memory of one run: weights (K+M)·N, two sample buffers 2·B·N, the training-set permutation.
    public static let maxBytesPerRun = 2 << 30
    /// Output times per run.
    public static let maxPoints = 100_000
    /// Monte-Carlo test-set size.
    public static let maxTestSet = 1_000_000
    /// SGD steps per run (keeps step counts exact in a Double and far from overflow).
    public static let maxStepsPerRun = 1 << 50
    /// Hidden units of one network.
    public static let maxUnits = 1024
}
