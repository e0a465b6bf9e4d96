import Foundation
import SGDynCore

/// The files of a job's real data set (job key `data`): NumPy `.npy` (float64 or float32,
/// little-endian, C order) or CSV (numbers separated by commas, one row per sample, no header),
/// inputs P×N and labels P (or P×1), opened beneath the data folder only (`BeneathFolder`).
///
/// Intake (`inspect`) reads no values: an `.npy` file's header, and a CSV file's line structure
/// (rows and commas, in one bounded pass: CSV files are limited to `JobLimits.maxCSVDataBytes`).
/// That is enough for every shape check and the memory limits, so a wrong shape is a rejection.
/// The values, and whether they are finite, are read by the process that runs the units (`load`);
/// a non-finite value fails the unit with a message naming the key and the row.
public enum DataSetFiles {
    /// Rows, and columns (nil for a one-dimensional `.npy` array), of one file.
    public struct Shape: Sendable, Equatable {
        public var rows: Int
        public var columns: Int?
    }

    /// A problem with one of the files, naming the job key (`data.train_inputs`, …).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var key: String
        public var description: String { "\(key): \(message)" }
        public init(message: String, key: String) {
            self.message = message
            self.key = key
        }
        public var jobError: JobError { JobError(message, key: key) }
    }

    /// The reference for a job's four files beneath `folder`, after checking their shapes: inputs
    /// with N columns, as many labels as input rows, at least one sample in each set.
    public static func inspect(folder: String, trainInputs: String, trainLabels: String, testInputs: String,
                               testLabels: String, N: Int) throws(Failure) -> DataSetReference {
        var reference = DataSetReference(folder: folder, trainInputs: trainInputs, trainLabels: trainLabels,
                                         testInputs: testInputs, testLabels: testLabels, trainCount: 0, testCount: 0)
        let files = reference.files
        var shapes: [Shape] = []
        for file in files { shapes.append(try shape(folder: folder, path: file.path, key: file.key)) }
        for (set, (inputs, labels)) in [(0, 1), (2, 3)].enumerated() {
            let x = shapes[inputs], y = shapes[labels]
            guard x.rows >= 1 else { throw Failure(message: "has no samples", key: files[inputs].key) }
            guard let columns = x.columns else {
                throw Failure(message: "inputs must be a 2-D array (samples × N), not 1-D", key: files[inputs].key)
            }
            guard columns == N else {
                throw Failure(message: "has \(columns) columns, but N is \(N): every input row must have N values (set \"N\": \(columns))",
                              key: files[inputs].key)
            }
            guard y.columns == nil || y.columns == 1 else {
                throw Failure(message: "labels must be one number per sample (shape (P,) or (P, 1)), not \(y.columns!) columns", key: files[labels].key)
            }
            guard y.rows == x.rows else {
                throw Failure(message: "has \(y.rows) labels for the \(x.rows) rows of \(files[inputs].key)", key: files[labels].key)
            }
            if set == 0 { reference.trainCount = x.rows } else { reference.testCount = x.rows }
        }
        guard reference.trainCount <= Int(Int32.max) else { throw Failure(message: "has too many rows", key: files[0].key) }
        return reference
    }

    /// One file's shape, from its header (`.npy`) or its lines (CSV).
    static func shape(folder: String, path: String, key: String) throws(Failure) -> Shape {
        let file = try open(folder: folder, path: path, key: key)
        if path.hasSuffix(".npy") {
            return try npyHeader(file, key: key).shape
        }
        guard path.hasSuffix(".csv") else { throw Failure(message: "\"\(path)\" must end in .npy or .csv", key: key) }
        return try csvShape(file, key: key)
    }

    static func open(folder: String, path: String, key: String) throws(Failure) -> BeneathFolder.OpenFile {
        let file: BeneathFolder.OpenFile
        do {
            file = try BeneathFolder(root: folder).open(path)
        } catch {
            throw Failure(message: error.message, key: key)
        }
        let limit = path.hasSuffix(".csv") ? JobLimits.maxCSVDataBytes : JobLimits.maxDataFileBytes
        guard file.size <= limit else {
            throw Failure(message: "\"\(path)\" is \(JobLimits.format(file.size, over: limit)), over the limit of \(JobLimits.format(limit)) for a\(path.hasSuffix(".csv") ? " CSV" : "n .npy") data file",
                          key: key)
        }
        return file
    }

    /// What an `.npy` header says: the shape, the bytes per value, where the values start.
    struct NPYHeader {
        var shape: Shape
        var itemBytes: Int
        var dataOffset: Int
    }

    static func npyHeader(_ file: borrowing BeneathFolder.OpenFile, key: String) throws(Failure) -> NPYHeader {
        func fail(_ why: String) -> Failure { Failure(message: "is not an .npy file sgdyn reads: \(why)", key: key) }
        let start: [UInt8]
        do { start = try file.read(at: 0, count: 12) } catch { throw Failure(message: error.message, key: key) }
        guard start.count >= 10, start[0] == 0x93, Array(start[1..<6]) == Array("NUMPY".utf8) else { throw fail("no NumPy magic") }
        let lengthBytes = start[6] == 1 ? 2 : 4
        guard (1...3).contains(start[6]), start.count >= 8 + lengthBytes else { throw fail("format version \(start[6])") }
        var length = 0
        for i in 0..<lengthBytes { length |= Int(start[8 + i]) << (8 * i) }
        guard length <= 1 << 16 else { throw fail("a header of \(length) bytes") }
        let headerBytes: [UInt8]
        do { headerBytes = try file.read(at: 8 + lengthBytes, count: length) } catch { throw Failure(message: error.message, key: key) }
        guard headerBytes.count == length else { throw fail("a cut header") }
        let header = String(decoding: headerBytes, as: UTF8.self)
        let itemBytes: Int
        if header.contains("'descr': '<f8'") { itemBytes = 8 } else if header.contains("'descr': '<f4'") { itemBytes = 4 } else {
            throw fail("values must be little-endian float64 or float32 ('<f8' or '<f4'); convert with x.astype('<f8')")
        }
        guard header.contains("'fortran_order': False") else { throw fail("Fortran order; save with np.ascontiguousarray(x)") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw fail("no shape")
        }
        let parts = header[open.upperBound..<close].split(separator: ",").map { $0.filter { $0 != " " } }.filter { !$0.isEmpty }
        let dims = parts.compactMap { Int($0) }
        guard dims.count == parts.count, (1...2).contains(dims.count), dims.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }) else {
            throw fail("shape (\(header[open.upperBound..<close])) is not 1-D or 2-D")
        }
        let offset = 8 + lengthBytes + length
        let expected = Double(dims.reduce(1, *)) * Double(itemBytes)
        guard Double(file.size - offset) == expected else {
            throw fail("\(file.size - offset) bytes of values where shape (\(dims.map(String.init).joined(separator: ", "))) needs \(JobLimits.whole(expected))")
        }
        return NPYHeader(shape: Shape(rows: dims[0], columns: dims.count == 2 ? dims[1] : nil), itemBytes: itemBytes, dataOffset: offset)
    }

    /// Rows (non-empty lines) and columns (commas + 1, the same on every row) of a CSV file.
    static func csvShape(_ file: borrowing BeneathFolder.OpenFile, key: String) throws(Failure) -> Shape {
        var rows = 0, columns: Int?, commas = 0, lineHasContent = false, line = 1
        var offset = 0
        func endLine() throws(Failure) {
            defer { commas = 0; lineHasContent = false; line += 1 }
            guard lineHasContent else { return }
            rows += 1
            if let columns, columns != commas + 1 {
                throw Failure(message: "line \(line) has \(commas + 1) values where the first row has \(columns)", key: key)
            }
            columns = commas + 1
        }
        while offset < file.size {
            let chunk: [UInt8]
            do { chunk = try file.read(at: offset, count: min(1 << 20, file.size - offset)) } catch { throw Failure(message: error.message, key: key) }
            if chunk.isEmpty { break }
            for byte in chunk {
                switch byte {
                case UInt8(ascii: "\n"): try endLine()
                case UInt8(ascii: ","): commas += 1; lineHasContent = true
                case UInt8(ascii: " "), UInt8(ascii: "\r"), UInt8(ascii: "\t"): break
                default: lineHasContent = true
                }
            }
            offset += chunk.count
        }
        try endLine()
        // A CSV file always has columns (a labels file one): N = 1 inputs are a column too.
        return Shape(rows: rows, columns: columns ?? 0)
    }

    /// Reads the data set a reference names, checking every value is finite; `N` is the run's.
    public static func load(_ reference: DataSetReference, N: Int) throws(Failure) -> DataSet {
        var arrays: [[Double]] = []
        for (index, file) in reference.files.enumerated() {
            let rows = index < 2 ? reference.trainCount : reference.testCount
            let columns = index % 2 == 0 ? N : 1
            arrays.append(try values(folder: reference.folder, path: file.path, key: file.key, rows: rows, columns: columns))
        }
        return DataSet(N: N, trainInputs: arrays[0], trainLabels: arrays[1], testInputs: arrays[2], testLabels: arrays[3])
    }

    /// The values of one file, row-major, which must be rows × columns finite numbers.
    static func values(folder: String, path: String, key: String, rows: Int, columns: Int) throws(Failure) -> [Double] {
        let file = try open(folder: folder, path: path, key: key)
        var result: [Double]
        if path.hasSuffix(".npy") {
            let header = try npyHeader(file, key: key)
            guard header.shape.rows == rows, (header.shape.columns ?? 1) == columns else {
                throw Failure(message: "changed shape since the job was accepted", key: key)
            }
            let bytes: [UInt8]
            do { bytes = try file.read(at: header.dataOffset, count: rows * columns * header.itemBytes) } catch {
                throw Failure(message: error.message, key: key)
            }
            guard bytes.count == rows * columns * header.itemBytes else { throw Failure(message: "was cut short since the job was accepted", key: key) }
            result = [Double](repeating: 0, count: rows * columns)
            bytes.withUnsafeBytes { raw in
                if header.itemBytes == 8 {
                    for i in 0..<result.count { result[i] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
                } else {
                    for i in 0..<result.count { result[i] = Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))) }
                }
            }
        } else {
            result = try csvValues(file, key: key, rows: rows, columns: columns)
        }
        if let bad = result.firstIndex(where: { !$0.isFinite }) {
            throw Failure(message: "row \(bad / columns + 1) holds a non-finite value (\(result[bad])); every value must be a finite number", key: key)
        }
        return result
    }

    static func csvValues(_ file: borrowing BeneathFolder.OpenFile, key: String, rows: Int, columns: Int) throws(Failure) -> [Double] {
        let bytes: [UInt8]
        do { bytes = try file.read(at: 0, count: file.size) } catch { throw Failure(message: error.message, key: key) }
        var result: [Double] = []
        result.reserveCapacity(rows * columns)
        var row = 0
        for (lineIndex, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let text = String(decoding: line, as: UTF8.self)
            guard text.contains(where: { !$0.isWhitespace }) else { continue }
            let fields = text.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columns else {
                throw Failure(message: "line \(lineIndex + 1) has \(fields.count) values, not \(columns)", key: key)
            }
            for field in fields {
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                guard let value = Double(trimmed) else {
                    throw Failure(message: "line \(lineIndex + 1): \"\(trimmed.prefix(40))\" is not a number", key: key)
                }
                result.append(value)
            }
            row += 1
        }
        guard row == rows else { throw Failure(message: "has \(row) rows, not the \(rows) it had when the job was accepted", key: key) }
        return result
    }
}

/// A process's data sets, read once and shared by every run that names the same files (the runs
/// of one job's seeds and sweep points).
public enum DataSetCache {
    private static let cache = Locked([DataSetReference: DataSet]())

    /// The data set of `reference`, read now unless this process has it already.
    public static func dataSet(_ reference: DataSetReference, N: Int) throws(DataSetFiles.Failure) -> DataSet {
        if let known = cache.withLock({ $0[reference] }), known.N == N { return known }
        let loaded = try DataSetFiles.load(reference, N: N)
        cache.withLock { $0[reference] = loaded }
        return loaded
    }

    /// The data set a unit needs, or nil for a unit without one.
    public static func dataSet(for unit: WorkUnit) throws(DataSetFiles.Failure) -> DataSet? {
        guard case .simulation(let p) = unit.work, let data = p.data else { return nil }
        return try dataSet(data, N: p.N)
    }
}
