/// Little-endian binary encoding for snapshots, work units and spool files: a writer and a
/// bounds-checked reader. The one binary codec of sgdyn.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
    public mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value))) }
    public mutating func write(_ value: Double) { write(value.bitPattern) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ values: [Double]) {
        write(values.count)
        bytes.reserveCapacity(bytes.count + 8 * values.count)
        for value in values { write(value) }
    }
    public mutating func write(optional value: Double?) {
        write(value != nil)
        write(value ?? 0)
    }
    public mutating func write(optional value: Int?) {
        write(value != nil)
        write(value ?? 0)
    }
    public mutating func append(_ raw: [UInt8]) { bytes += raw }
    /// A length, then the bytes.
    public mutating func write(lengthPrefixed raw: [UInt8]) {
        write(raw.count)
        bytes += raw
    }
    /// UTF-8, length-prefixed.
    public mutating func write(string: String) { write(lengthPrefixed: Array(string.utf8)) }

    /// The bytes written, followed by their SHA-256: the framing of every sgdyn snapshot.
    public func sealed() -> [UInt8] { bytes + SHA256.hash(bytes) }
}

/// Reads what `ByteWriter` wrote; every read checks the remaining length.
public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// A reader of a sealed snapshot's body after its magic: checks the magic and the SHA-256
    /// trailer first. The version follows, for the caller to read.
    public init(sealed bytes: [UInt8], magic: [UInt8]) throws(SnapshotError) {
        guard bytes.count >= magic.count + 8 + 32, Array(bytes.prefix(magic.count)) == magic else { throw .notASnapshot }
        let body = Array(bytes.dropLast(32))
        guard SHA256.hash(body) == Array(bytes.suffix(32)) else { throw .checksumMismatch }
        self.init(body)
        offset = magic.count
    }

    public var remaining: Int { bytes.count - offset }

    public mutating func readUInt64() throws(SnapshotError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        offset += 8
        return value
    }
    public mutating func readInt() throws(SnapshotError) -> Int {
        let value = Int64(bitPattern: try readUInt64())
        guard let int = Int(exactly: value) else { throw .inconsistent("integer out of range") }
        return int
    }
    public mutating func readDouble() throws(SnapshotError) -> Double { Double(bitPattern: try readUInt64()) }
    public mutating func readByte() throws(SnapshotError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }
    public mutating func readBool() throws(SnapshotError) -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        default: throw .inconsistent("invalid boolean")
        }
    }
    public mutating func readDoubles(expected: Int) throws(SnapshotError) -> [Double] {
        let count = try readInt()
        guard count == expected else { throw .inconsistent("array of \(count) values where \(expected) were expected") }
        guard count >= 0, count <= remaining / 8 else { throw .truncated }
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count { values[i] = try readDouble() }
        return values
    }
    public mutating func readOptionalDouble() throws(SnapshotError) -> Double? {
        let present = try readBool()
        let value = try readDouble()
        return present ? value : nil
    }
    public mutating func readOptionalInt() throws(SnapshotError) -> Int? {
        let present = try readBool()
        let value = try readInt()
        return present ? value : nil
    }
    /// What `write(lengthPrefixed:)` wrote.
    public mutating func readLengthPrefixed() throws(SnapshotError) -> [UInt8] {
        let count = try readInt()
        guard count >= 0 else { throw .inconsistent("negative length") }
        return try readRaw(count)
    }
    public mutating func readString() throws(SnapshotError) -> String {
        String(decoding: try readLengthPrefixed(), as: UTF8.self)
    }
    public mutating func readRaw(_ count: Int) throws(SnapshotError) -> [UInt8] {
        guard count >= 0 else { throw .inconsistent("negative length") }
        guard remaining >= count else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }
}
