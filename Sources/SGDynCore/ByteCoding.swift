/// Little-endian binary encoding for snapshots: a writer and a bounds-checked reader.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
    mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }
    mutating func write(_ value: Double) { write(value.bitPattern) }
    mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func write(_ value: UInt8) { bytes.append(value) }
    mutating func write(_ values: [Double]) {
        write(values.count)
        bytes.reserveCapacity(bytes.count + 8 * values.count)
        for value in values { write(value) }
    }
    mutating func write(optional value: Double?) {
        write(value != nil)
        write(value ?? 0)
    }
    mutating func write(optional value: Int?) {
        write(value != nil)
        write(value ?? 0)
    }
    mutating func append(_ raw: [UInt8]) { bytes += raw }

    /// The bytes written, followed by their SHA-256: the framing of every sgdyn snapshot.
    func sealed() -> [UInt8] { bytes + SHA256.hash(bytes) }
}

/// Reads what `ByteWriter` wrote; every read checks the remaining length.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// A reader of a sealed snapshot's body after its magic: checks the magic and the SHA-256
    /// trailer first. The version follows, for the caller to read.
    init(sealed bytes: [UInt8], magic: [UInt8]) throws(SnapshotError) {
        guard bytes.count >= magic.count + 8 + 32, Array(bytes.prefix(magic.count)) == magic else { throw .notASnapshot }
        let body = Array(bytes.dropLast(32))
        guard SHA256.hash(body) == Array(bytes.suffix(32)) else { throw .checksumMismatch }
        self.init(body)
        offset = magic.count
    }

    var remaining: Int { bytes.count - offset }

    mutating func readUInt64() throws(SnapshotError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        offset += 8
        return value
    }
    mutating func readInt() throws(SnapshotError) -> Int {
        let value = Int64(bitPattern: try readUInt64())
        guard let int = Int(exactly: value) else { throw .inconsistent("integer out of range") }
        return int
    }
    mutating func readDouble() throws(SnapshotError) -> Double { Double(bitPattern: try readUInt64()) }
    mutating func readByte() throws(SnapshotError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }
    mutating func readBool() throws(SnapshotError) -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        default: throw .inconsistent("invalid boolean")
        }
    }
    mutating func readDoubles(expected: Int) throws(SnapshotError) -> [Double] {
        let count = try readInt()
        guard count == expected else { throw .inconsistent("array of \(count) values where \(expected) were expected") }
        guard remaining >= 8 * count else { throw .truncated }
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count { values[i] = try readDouble() }
        return values
    }
    mutating func readOptionalDouble() throws(SnapshotError) -> Double? {
        let present = try readBool()
        let value = try readDouble()
        return present ? value : nil
    }
    mutating func readOptionalInt() throws(SnapshotError) -> Int? {
        let present = try readBool()
        let value = try readInt()
        return present ? value : nil
    }
    mutating func readRaw(_ count: Int) throws(SnapshotError) -> [UInt8] {
        guard remaining >= count else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }
}
