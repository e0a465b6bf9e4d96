/// Resource limits checked before a job is accepted: a job over any of them is rejected with the
/// numbers and the key most responsible. Sized for the shared 2-core, 24 GiB machine running
/// several jobs at once; docs/operations.md ("Limits") states them, and what was measured against them.
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
    /// The ODE right-hand side's workspace (`ODEResources.workspaceBytes`), O((K+M)²) doubles:
    /// out of reach below `maxUnits`, kept so that the bound stays checked if the workspace grows.
    public static let maxODEWorkspaceBytes = 1 << 30
    /// One evaluation of the ODE right-hand side (`ODEResources.rightHandSideCost`), in seconds
    /// on one core. An adaptive integration to t = 1000 makes some 10⁴–6·10⁴ evaluations, so
    /// this keeps one integration to a night (erf: K up to about 150; ReLU: K + M ≤ 40, where
    /// the per-set table ends and each evaluation jumps to seconds).
    public static let maxODEEvaluationSeconds = 0.25
    /// Every record of every run and ODE integration of a job, which publishing holds at once.
    public static let maxJobRecordBytes = 512 << 20
    /// The result bundle (`BundleSizeEstimate`): it is built in memory before it is written.
    public static let maxBundleBytes = 1 << 30
    /// What making the bundle holds at once (`JobResourceEstimate.publishBytes`): every record,
    /// every file, and the largest file twice more while it is formatted. The same bound as one
    /// run, so that no process sgdyn starts for a job needs much more than 2 GiB.
    public static let maxPublishBytes = 2 << 30
    /// Output times per run.
    public static let maxPoints = 100_000
    /// Monte-Carlo test-set size.
    public static let maxTestSet = 1_000_000
    /// SGD steps per run (keeps step counts exact in a Double and far from overflow).
    public static let maxStepsPerRun = 1 << 50
    /// One `.npy` file of a data set (job key `data`): MNIST's 60000×784 training inputs are
    /// 359 MiB as float64. What a run holds of its data set counts against `maxBytesPerRun` too.
    public static let maxDataFileBytes = 1 << 30
    /// One CSV file of a data set: intake reads its lines once to count rows and columns, and a
    /// worker parses it as text; larger data sets belong in `.npy` files.
    public static let maxCSVDataBytes = 128 << 20
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

    /// A byte count over `limit`, with as many more digits (up to three decimals) as it takes
    /// not to print as the limit itself: "256.01 MiB, over the limit of 256 MiB".
    static func format(_ bytes: Int, over limit: Int) -> String {
        let plain = format(bytes), limitText = format(limit)
        guard plain == limitText, bytes > limit else { return plain }
        let units = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        guard let (size, name) = units.first(where: { Double(limit) >= Double($0.0) }) else { return "\(bytes) B" }
        let x = Double(bytes) / Double(size)
        for scale in [10.0, 100, 1000] where (x * scale).rounded() / scale != (Double(limit) / Double(size)) {
            return "\((x * scale).rounded() / scale) \(name)"
        }
        return "\(bytes) B"
    }

    /// A duration for messages, to three figures so that a value just over a limit does not
    /// print as the limit: "38 s", "0.251 s", "1.25 ms", "40 µs".
    static func formatSeconds(_ seconds: Double) -> String {
        func rounded(_ x: Double) -> String {
            x >= 10 ? "\(Int(x.rounded()))" : x >= 1 ? "\((x * 100).rounded() / 100)" : "\((x * 1000).rounded() / 1000)"
        }
        if seconds >= 1e5 { return "\(rounded(seconds / 3600)) h" }
        if seconds >= 0.1 { return "\(rounded(seconds)) s" }
        if seconds >= 1e-4 { return "\(rounded(seconds * 1e3)) ms" }
        return "\(rounded(seconds * 1e6)) µs"
    }
}
