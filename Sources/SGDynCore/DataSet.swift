/// Where a run's real data set lives (job key `data`): four files beneath a data folder, and the
/// sizes intake read from their headers. A run with a data set has no teacher (M = 0 in its
/// parameters): it learns the given labels, and ε_g is measured on the given test set.
///
/// Only the reference travels in work units, checkpoints and results; the values are read by the
/// process that runs the unit (`DataSet`), never by the daemon.
public struct DataSetReference: Sendable, Equatable, Hashable, Codable {
    /// The data folder, an absolute path (the daemon's `data_folder`, a Slurm node's
    /// `slurm.data_folder`, or `sgdyn run --data`).
    public var folder: String
    /// Paths relative to `folder`: inputs P×N and labels P of the training and the test set.
    public var trainInputs: String
    public var trainLabels: String
    public var testInputs: String
    public var testLabels: String
    /// P, the training samples, and the test samples, as intake read them.
    public var trainCount: Int
    public var testCount: Int

    public init(folder: String, trainInputs: String, trainLabels: String, testInputs: String, testLabels: String,
                trainCount: Int, testCount: Int) {
        self.folder = folder
        self.trainInputs = trainInputs
        self.trainLabels = trainLabels
        self.testInputs = testInputs
        self.testLabels = testLabels
        self.trainCount = trainCount
        self.testCount = testCount
    }

    /// The four files with the job keys that name them (`data.train_inputs`, …), in that order.
    public var files: [(key: String, path: String)] {
        [("data.train_inputs", trainInputs), ("data.train_labels", trainLabels),
         ("data.test_inputs", testInputs), ("data.test_labels", testLabels)]
    }

    /// Doubles a run holds for the data set: (P + P_test)·(N + 1).
    public func values(N: Int) -> Int { (trainCount + testCount) * (N + 1) }
}

/// A data set in memory: what a unit reads through `DataSetReference` before it starts. Shared by
/// every run of a process that uses the same files (immutable, so a class costs no copies).
public final class DataSet: Sendable {
    public let N: Int
    /// Training inputs, P×N row-major, and labels (P).
    public let trainInputs: [Double]
    public let trainLabels: [Double]
    /// Test inputs, P_test×N row-major, and labels.
    public let testInputs: [Double]
    public let testLabels: [Double]
    /// SHA-256 of the four arrays' values (little-endian bits, in the order above): a resumed run
    /// checks it against the one in its checkpoint, so it never continues on changed data.
    public let digest: [UInt8]

    public init(N: Int, trainInputs: [Double], trainLabels: [Double], testInputs: [Double], testLabels: [Double]) {
        precondition(N >= 1 && trainInputs.count == N * trainLabels.count && testInputs.count == N * testLabels.count,
                     "data set shapes do not fit")
        self.N = N
        self.trainInputs = trainInputs
        self.trainLabels = trainLabels
        self.testInputs = testInputs
        self.testLabels = testLabels
        var hasher = SHA256()
        for array in [trainInputs, trainLabels, testInputs, testLabels] {
            hasher.update(Array("\(array.count);".utf8))
            array.withUnsafeBytes { hasher.update($0) }
        }
        digest = hasher.finalize()
    }

    public var trainCount: Int { trainLabels.count }
    public var testCount: Int { testLabels.count }

    /// Whether it has the sizes the reference promises.
    public func matches(_ reference: DataSetReference, N: Int) -> Bool {
        self.N == N && trainCount == reference.trainCount && testCount == reference.testCount
    }
}
