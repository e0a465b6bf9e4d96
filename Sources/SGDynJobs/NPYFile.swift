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
