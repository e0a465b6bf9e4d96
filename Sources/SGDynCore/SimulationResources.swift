/// What one simulation run holds in memory and writes as a checkpoint, computed from its
/// parameters alone so that job validation can bound it before anything runs (the counterpart of
/// `ODEResources`). Heap sizes follow glibc's malloc, which every array of a run goes through.
public enum SimulationResources {
    /// Bytes glibc's malloc takes for a request of `bytes`: 8 bytes of header, rounded up to 16,
    /// at least 32; requests from 128 KiB on (the default mmap threshold) are mapped whole pages
    /// with a 16-byte header. (Above that threshold glibc may serve a request from the heap
    /// instead, which takes less, so this stays an upper bound.)
    public static func heapBytes(_ bytes: Int) -> Int {
        bytes >= 128 << 10 ? (bytes + 16 + 4095) & ~4095 : max(32, (bytes + 8 + 15) & ~15)
    }

    /// Heap bytes of a Swift array of `count` elements of `size` bytes: a 32-byte header, then
    /// the elements.
    public static func arrayBytes(_ count: Int, size: Int = 8) -> Int {
        count == 0 ? 0 : heapBytes(32 + size * count)
    }

    /// Bytes one record (`SimulationRecord`, or an ODE's record, which is smaller) takes as a
    /// run holds it: its own Q, R and v arrays (T and v* are shared by all records of a run),
    /// and twice its slot in the records array, which grows by doubling.
    public static func recordBytes(K: Int, M: Int) -> Int {
        arrayBytes(K * K) + arrayBytes(K * M) + arrayBytes(K) + 2 * MemoryLayout<SimulationRecord>.stride
    }

    /// An upper bound on the number of records of a run: one per output time (t = 0 and
    /// `points` more), and never more than one per step.
    public static func recordCount(_ p: SimulationParameters) -> Int {
        min(p.points + 1, p.totalSteps + 1)
    }

    /// The exact size of `Simulation.snapshot()` for a run with these parameters holding
    /// `records` records: the header and parameters (135 bytes), the step, W (K×N), v (K), the
    /// records (Q, R, v, t, ε_g and the optional errors each), the divergence (format version 2:
    /// an optional time and step, 18 bytes) and the 32-byte SHA-256.
    /// Format version 3 (parameters using the newer keys) adds the parameters' extension block,
    /// two optional errors per record and the early stop (33 bytes).
    public static func snapshotBytes(_ p: SimulationParameters, records: Int) -> Int {
        let extended = p.usesExtensions
        let header = 8 + 8 + 119 + (extended ? ByteWriter.parameterExtensionBytes(p) : 0)
        let perRecord = 3 * 8 + (8 + 8 * p.K * p.K) + (8 + 8 * p.K * p.M) + (8 + 8 * p.K) + 9 + 9 + (extended ? 18 : 0)
        let divergence = 9 + 9 + (extended ? 33 : 0) + dataBlockBytes(p) + (p.data == nil ? 0 : 32)
        return header + 8 + (8 + 8 * p.K * p.N) + (8 + 8 * p.K) + 8 + records * perRecord + divergence + 32
    }

    /// The data-set block of the parameters' extensions: five length-prefixed paths and two counts.
    public static func dataBlockBytes(_ p: SimulationParameters) -> Int {
        guard let data = p.data else { return 0 }
        return ([data.folder] + data.files.map(\.path)).reduce(16) { $0 + 8 + $1.utf8.count }
    }

    /// The size of the run's last (largest) checkpoint, with every record.
    public static func largestSnapshotBytes(_ p: SimulationParameters) -> Int {
        snapshotBytes(p, records: recordCount(p))
    }

    /// Memory of one running simulation, apart from its records: the teacher B (M×N) and the
    /// student W (K×N), two sample buffers of B×N (the pending update's samples and the step's
    /// new ones), one sample for the training and Monte-Carlo errors, the training set's
    /// permutation (two during a reshuffle), the record steps and the small per-step buffers.
    public static func weightBytes(_ p: SimulationParameters) -> Int {
        let N = p.N, K = p.K, M = p.M, B = p.batchSize
        return arrayBytes(M * N) + arrayBytes(K * N) + 2 * arrayBytes(B * N) + arrayBytes(N)
            + 2 * arrayBytes(p.trainingSetSize ?? 0, size: 4) + arrayBytes(p.points + 1)
            + arrayBytes(B * K) + arrayBytes(B * (K + M) + B + 2 * K) + arrayBytes(M * M) + arrayBytes(M) + arrayBytes(K)
            + dataSetBytes(p)
    }

    /// A real data set's values, (P + P_test)·(N + 1) doubles (counted for every run, though runs
    /// of one process share it: a bound, not an estimate), plus a copy while it is read.
    public static func dataSetBytes(_ p: SimulationParameters) -> Int {
        guard let data = p.data else { return 0 }
        return 2 * arrayBytes(data.values(N: p.N))
    }

    /// What making and storing a checkpoint adds for a moment: while it is written, a copy of W
    /// (the pending update is applied to a copy) and the snapshot's buffer with the larger one it
    /// grows into; while it is stored, the snapshot, the `Data` copy the daemon's worker hands
    /// SQLite and SQLite's own copy. W and three snapshots bound both moments.
    public static func checkpointBytes(_ p: SimulationParameters) -> Int {
        arrayBytes(p.K * p.N) + 3 * heapBytes(largestSnapshotBytes(p))
    }

    /// The most one run can hold at once: its weights and buffers, all its records, and a
    /// checkpoint being made. (Drawing the initial weights holds one K×N array more than the
    /// run does, less than a checkpoint adds.)
    public static func runBytes(_ p: SimulationParameters) -> Int {
        weightBytes(p) + recordCount(p) * recordBytes(K: p.K, M: p.M) + checkpointBytes(p)
    }
}
