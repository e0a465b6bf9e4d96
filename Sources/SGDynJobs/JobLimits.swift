/// Resource limits checked before a job is accepted: a job over any of them is rejected with the
/// numbers and the key most responsible. Sized for the shared 2-core, 24 GiB machine running
/// several jobs at once; README ("Limits") states them, and what was measured against them.
public enum JobLimits {
    /// Sweep points × seeds.
    public static let maxRuns = 10_000
    /// Memory of one run (`SimulationResources.runBytes`): weights, samples, its records and a
    /// checkpoint being made. Two workers at this size leave most of the machine to others.
    public static let maxBytesPerRun = 2 << 30
    /// One checkpoint (`SimulationResources.largestSnapshotBytes`). The daemon keeps two per
    /// run in SQLite, whose blobs may not exceed 1e9 bytes, and hashes each one; 256 MiB keeps
    /// a checkpoint to about a second of work and well inside the blob limit.
    public static let maxSnapshotBytes = 256 << 20
    /// The ODE right-hand side's workspace (`ODEResources.workspaceBytes`), which grows like K⁴.
    public static let maxODEWorkspaceBytes = 1 << 30
    /// Every record of every run and ODE integration of a job, which publishing holds at once.
    public static let maxJobRecordBytes = 512 << 20
    /// The result bundle (`BundleSizeEstimate`): it is built in memory before it is written.
    public static let maxBundleBytes = 1 << 30
    /// Output times per run.
    public static let maxPoints = 100_000
    /// Monte-Carlo test-set size.
    public static let maxTestSet = 1_000_000
    /// SGD steps per run (keeps step counts exact in a Double and far from overflow).
    public static let maxStepsPerRun = 1 << 50
    /// Hidden units of one network.
    public static let maxUnits = 1024

    /// A byte count for messages: "3.1 GiB", "12.5 MiB", "800 KiB", "96 B".
    static func format(_ bytes: Double) -> String {
        let units = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, name) in units where bytes >= Double(size) {
            let x = bytes / Double(size)
            return x >= 10 ? "\(whole(x)) \(name)" : "\((x * 10).rounded() / 10) \(name)"
        }
        return "\(whole(bytes)) B"
    }

    /// `x` rounded, as an integer where it is one: estimates of absurd jobs (N and batch_size of
    /// 10¹⁵) exceed Int, and converting those traps.
    static func whole(_ x: Double) -> String {
        abs(x) < 1e15 ? "\(Int(x.rounded()))" : "\(x.rounded())"
    }

    static func format(_ bytes: Int) -> String { format(Double(bytes)) }
}
