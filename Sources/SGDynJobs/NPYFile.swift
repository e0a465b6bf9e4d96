/// NumPy's `.npy` format, version 1.0, for float64 arrays in C order: what `numpy.load` reads in
/// one call. The file is the magic `\x93NUMPY`, the version bytes 1 0, a little-endian UInt16
/// header length, an ASCII Python dict `{'descr': '<f8', 'fortran_order': False, 'shape': (…), }`
/// padded with spaces and ended by a newline so that the data starts at a multiple of 64 bytes,
/// then the values as little-endian doubles.
public enum NPYFile {
    /// The bytes of an array of `shape` (its product must be `values.count`).
    public static func encode(_ values: [Double], shape: [Int]) -> [UInt8] {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the values")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = header.utf8.count
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        bytes.reserveCapacity(bytes.count + 8 * values.count)
        for value in values {
            let bits = value.bitPattern
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
        return bytes
    }

    /// The size of `encode`'s result: the header (a multiple of 64 bytes; 128 for any shape of
    /// up to two dimensions whose numbers have at most 20 digits each) and 8 bytes per value.
    public static func bytes(count: Int) -> Int { 128 + 8 * count }

    /// The array, if `bytes` is a version 1.0 float64 C-order `.npy` file as `encode` writes it
    /// (the reader tests use; data files are read by the job's worker).
    public static func decode(_ bytes: [UInt8]) -> (values: [Double], shape: [Int])? {
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8), bytes[6] == 1 else { return nil }
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        guard bytes.count >= 10 + length else { return nil }
        let header = String(decoding: bytes[10..<(10 + length)], as: UTF8.self)
        guard header.contains("'descr': '<f8'"), header.contains("'fortran_order': False"),
              let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else { return nil }
        let shape = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.filter { $0 != " " }) }
        let count = shape.reduce(1, *)
        guard bytes.count == 10 + length + 8 * count else { return nil }
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count {
            var bits: UInt64 = 0
            for b in 0..<8 { bits |= UInt64(bytes[10 + length + 8 * i + b]) << UInt64(8 * b) }
            values[i] = Double(bitPattern: bits)
        }
        return (values, shape)
    }
}

extension NPYFile {
    /// Reads an array a job names (`teacher_from`, `student_from`): a version 1.0 or 2.0 `.npy`
    /// file of little-endian float64 in C order, of exactly `shape`, with finite values only.
    /// The error is a phrase for a user ("has dtype '<f4', not float64 '<f8'").
    public static func read(_ bytes: [UInt8], shape expected: [Int]) throws(NPYProblem) -> [Double] {
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw NPYProblem("is not a NumPy .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let length: Int
        let start: Int
        switch major {
        case 1:
            length = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw NPYProblem("has a truncated header") }
            length = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default:
            throw NPYProblem("has .npy format version \(major), which sgdyn does not read (1, 2 or 3)")
        }
        guard length <= 65_536, bytes.count >= start + length else { throw NPYProblem("has a truncated or oversized header") }
        let headerBytes = bytes[start..<(start + length)]
        guard headerBytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F || $0 == 0x0A }) else { throw NPYProblem("has a header that is not ASCII text") }
        let header = String(decoding: headerBytes, as: UTF8.self)
        guard let descr = Self.value(of: "descr", in: header) else { throw NPYProblem("has no 'descr' in its header") }
        guard descr == "'<f8'" else { throw NPYProblem("has dtype \(descr), not float64 '<f8'") }
        guard let fortran = Self.value(of: "fortran_order", in: header) else { throw NPYProblem("has no 'fortran_order' in its header") }
        guard fortran == "False" else { throw NPYProblem("is in Fortran order; sgdyn reads C order") }
        guard let open = header.range(of: "'shape':"), let paren = header[open.upperBound...].firstIndex(of: "("),
              let close = header[paren...].firstIndex(of: ")") else { throw NPYProblem("has no 'shape' in its header") }
        var shape: [Int] = []
        for part in header[header.index(after: paren)..<close].split(separator: ",") {
            let digits = part.filter { $0 != " " }
            guard !digits.isEmpty else { continue }
            guard digits.count <= 12, let n = Int(digits), n >= 0 else { throw NPYProblem("has a malformed shape") }
            shape.append(n)
        }
        guard shape == expected else {
            let text = { (s: [Int]) in "(" + s.map(String.init).joined(separator: ", ") + ")" }
            throw NPYProblem("has shape \(text(shape)), but the job needs \(text(expected))")
        }
        let count = expected.reduce(1, *)
        let dataStart = start + length
        guard bytes.count == dataStart + 8 * count else {
            throw NPYProblem("has \(bytes.count - dataStart) bytes of data; shape \(expected) needs \(8 * count)")
        }
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count {
            var bits: UInt64 = 0
            for b in 0..<8 { bits |= UInt64(bytes[dataStart + 8 * i + b]) << UInt64(8 * b) }
            let value = Double(bitPattern: bits)
            guard value.isFinite else { throw NPYProblem("has a non-finite value (\(value)) at flat index \(i)") }
            values[i] = value
        }
        return values
    }

    /// The text after `'key':` in a header dict, up to the next comma (shape is read apart).
    static func value(of key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        let rest = header[range.upperBound...]
        let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
        return String(rest[..<end].filter { $0 != " " })
    }
}

/// Why bytes are not the `.npy` array a job needs: a phrase that completes "B.npy …".
public struct NPYProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
