import Foundation
import SGDynCore
import Testing
@testable import SGDynJobs

/// Jobs on a real data set (issue 21 item 7, job key `data`): a small data set written by the
/// test, runs whose test error is checked against a direct computation, and every bad input
/// rejected with the key that names it.
@Suite("Data-set jobs")
struct DataSetJobTests {
    static let N = 20

    /// A linearly separable set: x i.i.d. N(0, 1) from a fixed LCG + Box–Muller, y = sign(w*·x)
    /// for a fixed w*. Deterministic, so every run of the test sees the same files.
    static func makeSet(rows: Int, offset: UInt64) -> (x: [Double], y: [Double]) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ offset
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / 9_007_199_254_740_992
        }
        func normal() -> Double { (-2 * Foundation.log(uniform())).squareRoot() * Foundation.cos(2 * Double.pi * uniform()) }
        let teacher = (0..<N).map { Double($0 % 5) - 2 + 0.25 }
        var x: [Double] = [], y: [Double] = []
        for _ in 0..<rows {
            let row = (0..<N).map { _ in normal() }
            x += row
            y.append(zip(row, teacher).reduce(0) { $0 + $1.0 * $1.1 } >= 0 ? 1 : -1)
        }
        return (x, y)
    }

    static func csv(_ values: [Double], columns: Int) -> String {
        stride(from: 0, to: values.count, by: columns).map { start in
            values[start..<(start + columns)].map { "\($0)" }.joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }

    /// A data folder with the set as `.npy` (in `npy/`) and as CSV (in `csv/`): 300 training and
    /// 200 test rows.
    static func dataFolder() throws -> URL {
        let folder = BundleTests.temporaryFolder()
        let train = makeSet(rows: 300, offset: 1), test = makeSet(rows: 200, offset: 2)
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("npy"), withIntermediateDirectories: true)
        try fm.createDirectory(at: folder.appendingPathComponent("csv"), withIntermediateDirectories: true)
        for (name, values, shape) in [("train_x", train.x, [300, N]), ("train_y", train.y, [300]), ("test_x", test.x, [200, N]),
                                      ("test_y", test.y, [200])] {
            try Data(NPYFile.encode(values, shape: shape)).write(to: folder.appendingPathComponent("npy/\(name).npy"))
            try csv(values, columns: shape.count == 2 ? N : 1).write(to: folder.appendingPathComponent("csv/\(name).csv"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    static func job(_ dir: String, extra: String = "") -> String {
        #"{"name": "mnistlike", "N": 20, "K": 2, "task": "classify", "lr": 0.3, "t_max": 15, "points": 12, "seeds": 2, "store_weights": true, "train_second_layer": true, "data": {"train_inputs": "\#(dir)/train_x.\#(dir)", "train_labels": "\#(dir)/train_y.\#(dir)", "test_inputs": "\#(dir)/test_x.\#(dir)", "test_labels": "\#(dir)/test_y.\#(dir)"}\#(extra)}"#
    }

    static func parse(_ text: String, folder: URL?) throws(JobError) -> JobSpec {
        try JobParser.parse(Array(text.utf8), defaultName: "j", dataFolder: folder?.path)
    }

    @Test("a classification run on a data set: eg and cerr on the test set equal a direct computation from the final weights; .npy and CSV give the same bits")
    func run() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try Self.parse(Self.job("npy"), folder: folder)
        let p = spec.points[0].parameters
        #expect(p.M == 0 && p.data?.trainCount == 300 && p.data?.testCount == 200 && p.trainingSetSize == 300)
        let outcomes = try JobRunner.run(spec, threads: 2).runs
        let test = Self.makeSet(rows: 200, offset: 2)
        for run in outcomes {
            let W = try #require(run.finalWeights), v = try #require(run.finalSecondLayer)
            var squared = 0.0, wrong = 0
            for row in 0..<200 {
                var phi = 0.0
                for k in 0..<2 {
                    let dot = (0..<Self.N).reduce(0.0) { $0 + W[k * Self.N + $1] * test.x[row * Self.N + $1] }
                    phi += v[k] * Foundation.erf(dot / Double(Self.N).squareRoot() / 2.squareRoot())
                }
                squared += 0.5 * (test.y[row] - phi) * (test.y[row] - phi)
                if (phi >= 0) != (test.y[row] >= 0) { wrong += 1 }
            }
            let last = try #require(run.records.last)
            // The same sums over N = 20 and 200 rows in another order (the kernel's SIMD lanes):
            // agreement to 1e-12 relative; the count of wrong signs is exact unless a φ is within
            // rounding of 0, which these weights do not come near.
            #expect(abs(last.eg - squared / 200) <= 1e-12 * max(1, squared / 200))
            #expect(last.classificationError == Double(wrong) / 200)
            // Learning happens: a linearly separable set with K = 2 is mostly classified after t = 15.
            #expect(last.classificationError! < 0.25 && last.classificationError! < run.records[0].classificationError!)
            #expect(last.trainingError != nil && last.trainingClassificationError != nil)
            #expect(last.orderParameters.R.isEmpty && last.orderParameters.T.isEmpty)
        }
        let timing = Timing(startedAt: Date(), finishedAt: Date(), steps: 0)
        let files = ResultBundle.simulation(spec: spec, jobBytes: Array(Self.job("npy").utf8), outcomes: outcomes, timing: timing, log: [])
        let csv = String(decoding: try #require(files.first { $0.path == "seed-0.csv" }).bytes, as: UTF8.self)
        #expect(csv.hasPrefix("t,eg,Q11,Q12,Q22,v1,v2,et,cerr,cerr_train,step\n"))
        #expect(!files.contains { $0.path.hasSuffix("B.npy") || $0.path.hasSuffix("vstar.npy") })
        let result = ResultDocument(json: try JSONParser.parse(try #require(files.first { $0.path == "result.json" }).bytes))
        #expect(result.dataSet == ResultDocument.DataSetInfo(trainSamples: 300, testSamples: 200, inputs: 20))
        #expect(result.job?["M"] == .int(0) && result.job?["data"]?["train_inputs"] == .string("npy/train_x.npy"))
        let page = String(decoding: try #require(files.first { $0.path == "index.html" }).bytes, as: UTF8.self)
        #expect(page.contains("data set npy/train_x.npy") && !page.contains("M=0") && page.contains("has no teacher"))
        #expect(BundleSizeEstimate(spec: spec, jobBytes: 600).totalBytes >= files.reduce(0) { $0 + $1.bytes.count })
        // The CSV files hold the same numbers in their shortest exact form: identical runs.
        let fromCSV = try JobRunner.run(try Self.parse(Self.job("csv"), folder: folder), threads: 2).runs
        #expect(fromCSV.map(\.records) == outcomes.map(\.records))
    }

    @Test("full-batch descent on a data set, and a checkpoint resumed on the same data gives the same bits; on changed data it is refused")
    func resume() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try Self.parse(Self.job("npy", extra: #", "batch_size": "full""#), folder: folder)
        let p = spec.runs[0].parameters
        #expect(p.fullBatch && p.batchSize == 300)
        let data = try DataSetFiles.load(try #require(p.data), N: p.N)
        var whole = Simulation(parameters: p, dataSet: data)
        whole.runToEnd()
        var part = Simulation(parameters: p, dataSet: data)
        part.advance(maxSteps: 77)
        let bytes = part.snapshot()
        var resumed = try Simulation(snapshot: bytes, dataSet: data)
        resumed.runToEnd()
        #expect(resumed.records == whole.records)
        // The work unit round-trips with its data-set reference.
        let unit = WorkUnit(.simulation(p))
        #expect(try WorkUnit(encoded: unit.encoded()).parameters == p)
        #expect(SimulationResources.snapshotBytes(p, records: part.records.count) == bytes.count)
        var changed = data.testLabels
        changed[0] = -changed[0]
        let other = DataSet(N: p.N, trainInputs: data.trainInputs, trainLabels: data.trainLabels, testInputs: data.testInputs, testLabels: changed)
        #expect(throws: SnapshotError.self) { try Simulation(snapshot: bytes, dataSet: other) }
        do {
            _ = try Simulation(snapshot: bytes, dataSet: other)
        } catch {
            #expect("\(error)".contains(Simulation.dataChangedMessage))
        }
        // Where Slurm's nodes see the data folder: every unit's work names it.
        let moved = spec.withDataFolder("/nodes/data")
        #expect(JobPlan.units(of: moved).allSatisfy { (try? WorkUnit(encoded: $0.work.encoded()))?.parameters.data?.folder == "/nodes/data" })
        #expect(moved.normalised == spec.normalised)
        // The stored form (what the daemon's store keeps) reads back the same parameters.
        #expect(try ParametersJSON.decode(ParametersJSON.encode(p)) == p)
    }

    /// The key a job is rejected with.
    static func rejectedKey(_ text: String, folder: URL?) -> (key: String?, message: String)? {
        do {
            _ = try parse(text, folder: folder)
            return nil
        } catch {
            return (error.key, error.message)
        }
    }

    @Test("bad data inputs are rejections naming their key")
    func rejections() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fm = FileManager.default
        func expectRejected(_ text: String, key: String, containing words: String, folder: URL? = folder,
                            sourceLocation: SourceLocation = #_sourceLocation) {
            let rejection = Self.rejectedKey(text, folder: folder)
            #expect(rejection?.key == key, "\(rejection?.message ?? "accepted")", sourceLocation: sourceLocation)
            #expect(rejection?.message.contains(words) == true, "\(rejection?.message ?? "accepted")", sourceLocation: sourceLocation)
        }
        func with(_ trainInputs: String, labels: String = "npy/train_y.npy", extra: String = "") -> String {
            #"{"N": 20, "data": {"train_inputs": "\#(trainInputs)", "train_labels": "\#(labels)", "test_inputs": "npy/test_x.npy", "test_labels": "npy/test_y.npy"}\#(extra)}"#
        }
        expectRejected(Self.job("npy"), key: "data", containing: "no data folder is configured", folder: nil)
        expectRejected(with("npy/nothing.npy"), key: "data.train_inputs", containing: "npy/nothing.npy does not exist")
        expectRejected(with("../outside.npy"), key: "data.train_inputs", containing: "'..'")
        expectRejected(with("npy/../npy/train_x.npy"), key: "data.train_inputs", containing: "'..'")
        expectRejected(with(folder.path + "/npy/train_x.npy"), key: "data.train_inputs", containing: "absolute")
        try fm.createSymbolicLink(atPath: folder.path + "/npy/link.npy", withDestinationPath: folder.path + "/npy/train_x.npy")
        expectRejected(with("npy/link.npy"), key: "data.train_inputs", containing: "symbolic link")
        try fm.createSymbolicLink(atPath: folder.path + "/linked", withDestinationPath: folder.path + "/npy")
        expectRejected(with("linked/train_x.npy"), key: "data.train_inputs", containing: "symbolic link")
        expectRejected(with("npy/train_x.npy", labels: "npy/test_y.npy"), key: "data.train_labels", containing: "200 labels for the 300 rows")
        expectRejected(with("npy/train_x.npy").replacingOccurrences(of: #""N": 20"#, with: #""N": 21"#), key: "data.train_inputs",
                       containing: "has 20 columns, but N is 21")
        expectRejected(with("npy/train_y.npy"), key: "data.train_inputs", containing: "2-D")
        expectRejected(with("npy/train_x.txt"), key: "data.train_inputs", containing: "does not exist")
        try Data("".utf8).write(to: folder.appendingPathComponent("csv/empty.csv"))
        expectRejected(with("csv/empty.csv"), key: "data.train_inputs", containing: "has no samples")
        expectRejected(with("npy/train_x.npy", labels: "csv/train_x.csv"), key: "data.train_labels", containing: "not 20 columns")
        try Data("1,2\n3\n".utf8).write(to: folder.appendingPathComponent("csv/ragged.csv"))
        expectRejected(with("csv/ragged.csv"), key: "data.train_inputs", containing: "line 2 has 1 values")
        // A sparse file just over the limit: its size is refused before anything is read.
        let big = folder.appendingPathComponent("npy/big.npy")
        fm.createFile(atPath: big.path, contents: nil)
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: UInt64(JobLimits.maxDataFileBytes + 1))
        try handle.close()
        expectRejected(with("npy/big.npy"), key: "data.train_inputs", containing: "over the limit")
        // Sparse .npy files, each under the file limit, whose values are over a run's memory
        // limit together (6·10⁶ rows of 20 as training and as test set): rejected naming data,
        // with nothing read but the headers.
        for (name, shape) in [("huge_x", [6_000_000, 20]), ("huge_y", [6_000_000])] {
            var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", "))\(shape.count == 1 ? "," : "")), }"
            header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
            let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8)
            let url = folder.appendingPathComponent("npy/\(name).npy")
            try Data(bytes).write(to: url)
            let h = try FileHandle(forWritingTo: url)
            try h.truncate(atOffset: UInt64(bytes.count + 8 * shape.reduce(1, *)))
            try h.close()
        }
        let huge = #"{"N": 20, "data": {"train_inputs": "npy/huge_x.npy", "train_labels": "npy/huge_y.npy", "test_inputs": "npy/huge_x.npy", "test_labels": "npy/huge_y.npy"}}"#
        expectRejected(huge, key: "data", containing: "for the data set")
        expectRejected(#"{"N": 20, "data": {"train_inputs": "npy/train_x.npy"}}"#, key: "data.train_labels", containing: "is missing")
        expectRejected(with("npy/train_x.npy", extra: #", "M": 3"#), key: "M", containing: "no teacher")
        expectRejected(with("npy/train_x.npy", extra: #", "sigma": 0.1"#), key: "sigma", containing: "no teacher")
        expectRejected(with("npy/train_x.npy", extra: #", "kind": "compare""#), key: "kind", containing: "no teacher")
        expectRejected(with("npy/train_x.npy", extra: #", "kind": "ode""#), key: "kind", containing: "no teacher")
        expectRejected(with("npy/train_x.npy", extra: #", "sweep": {"N": [20, 40]}"#), key: "sweep.N", containing: "cannot be swept")
        expectRejected(with("npy/train_x.npy", extra: #", "student_init": "informed""#), key: "student_init", containing: "has none")
        // Non-finite values are found by the process that reads the values (the worker): the
        // unit fails with the key and the row.
        var train = Self.makeSet(rows: 300, offset: 1)
        train.x[5 * Self.N + 3] = .nan
        try Data(NPYFile.encode(train.x, shape: [300, Self.N])).write(to: folder.appendingPathComponent("npy/nan_x.npy"))
        let spec = try Self.parse(with("npy/nan_x.npy", extra: #", "t_max": 1, "points": 2"#), folder: folder)
        do {
            _ = try JobRunner.run(spec, threads: 1)
            Issue.record("a data set with NaN ran")
        } catch {
            #expect(error.description.contains("data.train_inputs: row 6 holds a non-finite value"), "\(error.description)")
        }
    }

    @Test("float32 .npy files are read as the doubles they hold")
    func float32() throws {
        let folder = try Self.dataFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A float32 .npy written by hand: NumPy's header with '<f4', then 4-byte values.
        let values: [Float] = (0..<(300 * Self.N)).map { Float($0 % 7) - 3.5 }
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (300, \(Self.N)), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        try Data(bytes).write(to: folder.appendingPathComponent("npy/f4.npy"))
        let reference = try DataSetFiles.inspect(folder: folder.path, trainInputs: "npy/f4.npy", trainLabels: "npy/train_y.npy",
                                                 testInputs: "npy/test_x.npy", testLabels: "npy/test_y.npy", N: Self.N)
        let data = try DataSetFiles.load(reference, N: Self.N)
        #expect(data.trainInputs == values.map(Double.init))
        // CSV inputs of one column are N = 1 inputs (a CSV file always has columns).
        try Data("0.5\n-1.25\n\n".utf8).write(to: folder.appendingPathComponent("csv/one.csv"))
        try Data("1\n-1\n".utf8).write(to: folder.appendingPathComponent("csv/one_y.csv"))
        let one = try DataSetFiles.inspect(folder: folder.path, trainInputs: "csv/one.csv", trainLabels: "csv/one_y.csv",
                                           testInputs: "csv/one.csv", testLabels: "csv/one_y.csv", N: 1)
        #expect(one.trainCount == 2 && one.testCount == 2)
        #expect(try DataSetFiles.load(one, N: 1).trainInputs == [0.5, -1.25])
    }
}
