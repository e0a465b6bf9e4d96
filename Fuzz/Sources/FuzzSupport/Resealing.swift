import SGDynCore

/// Every binary decoder checks a SHA-256 before it reads anything, so random bytes almost never
/// get past it. Each target therefore also decodes its input *re-sealed*: its digests recomputed
/// where the format keeps them, which lets the mutations reach the parsing behind the check.
public enum Reseal {
    /// `ByteWriter.sealed()`'s framing (snapshots, work units): the body, then its SHA-256. The
    /// input's last 32 bytes are taken as the old digest and replaced (an input shorter than a
    /// digest is all body), so a real snapshot from the seed corpus stays valid.
    public static func trailer(_ bytes: [UInt8]) -> [UInt8] {
        let body = bytes.count >= 32 ? Array(bytes.dropLast(32)) : bytes
        return body + SHA256.hash(body)
    }

    /// `UnitReport.encoded()`'s framing: header, payload, SHA-256 of the payload, SHA-256 of the
    /// header and that digest. The header is walked as the decoder walks it to find where the
    /// payload starts; nil when the header itself is cut short (the plain input covers that).
    public static func unitReport(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= 64 else { return nil }
        let body = Array(bytes.dropLast(64))
        guard let headerEnd = unitReportHeaderEnd(body) else { return nil }
        let payloadDigest = SHA256.hash(body[headerEnd...])
        return body + payloadDigest + SHA256.hash(Array(body[..<headerEnd]) + payloadDigest)
    }

    /// The header's layout (spool format 2): magic (8), version (8), the identity it was written
    /// for (length-prefixed token, unit (8), attempt (8), length-prefixed work digest), kind (1),
    /// for an outcome its kind (1), the progress (8 + 8 + 8, an optional double of 9, 8), for an
    /// outcome an optional double (9) and a length-prefixed message, and the payload's length (8).
    static func unitReportHeaderEnd(_ body: [UInt8]) -> Int? {
        var reader = ByteReader(body)
        do {
            _ = try reader.readRaw(16)
            _ = try reader.readLengthPrefixed()
            _ = try reader.readRaw(8 + 8)
            _ = try reader.readLengthPrefixed()
            let kind = try reader.readByte()
            if kind == 3 { _ = try reader.readByte() }
            _ = try reader.readRaw(8 + 8 + 8 + 9 + 8)
            if kind == 3 {
                _ = try reader.readRaw(9)
                _ = try reader.readLengthPrefixed()
            }
            _ = try reader.readRaw(8)
            return reader.offset
        } catch {
            return nil
        }
    }
}
