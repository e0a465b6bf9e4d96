import SGDynCore

/// What a worker reports about one unit through the spool (never through the job store): a
/// checkpoint to resume from, a progress heartbeat, or the unit's outcome. The daemon imports each
/// into the store. Every report is one file written whole (see `SpoolFile`) with a SHA-256 inside.
public enum UnitReport: Sendable, Equatable {
    /// The unit's complete state (a snapshot) at `progress.stepsDone`.
    case checkpoint(UnitProgress, snapshot: [UInt8])
    /// The unit is alive and this far along; written every few seconds, so a silent worker is
    /// noticed (see the daemon's stall detection).
    case progress(UnitProgress)
    /// How the unit's run ended.
    case outcome(UnitOutcome)
}

/// How far a unit is.
public struct UnitProgress: Sendable, Equatable {
    public var stepsDone: Int64
    public var totalSteps: Int64
    /// Wall time the unit has run so far, over all its attempts.
    public var wallSeconds: Double
    /// The latest recorded ε_g.
    public var latestEg: Double?
    /// When the worker wrote the report (seconds since 1970, the worker's clock).
    public var writtenAt: Double

    public init(stepsDone: Int64, totalSteps: Int64, wallSeconds: Double, latestEg: Double?, writtenAt: Double) {
        self.stepsDone = stepsDone
        self.totalSteps = totalSteps
        self.wallSeconds = wallSeconds
        self.latestEg = latestEg
        self.writtenAt = writtenAt
    }
}

/// How a unit's run in a worker ended.
public struct UnitOutcome: Sendable, Equatable {
    public enum Kind: UInt8, Sendable, Equatable {
        /// Reached its end; `result` holds its records.
        case done = 0
        /// Its order parameters or ε_g became non-finite at `divergedAt`; `result` holds the finite
        /// records before that.
        case diverged = 1
        /// Stopped on request (shutdown, cancel, a time limit) after writing a checkpoint.
        case stopped = 2
        /// Could not be computed: `message` says why (e.g. its work could not be read). Retrying
        /// the same unit would fail the same way.
        case failed = 3
    }

    public var kind: Kind
    public var progress: UnitProgress
    /// The time t at which it diverged (`diverged` only).
    public var divergedAt: Double?
    public var message: String
    /// The records (`done`, `diverged`): `UnitResult.encode`'s bytes.
    public var result: [UInt8]

    public init(kind: Kind, progress: UnitProgress, divergedAt: Double? = nil, message: String = "", result: [UInt8] = []) {
        self.kind = kind
        self.progress = progress
        self.divergedAt = divergedAt
        self.message = message
        self.result = result
    }
}

/// Whom a report was written for: the submission's token (which names the job and the store), the
/// unit, its attempt and the SHA-256 of the work it computed (its parameters). Written into every
/// report and checked by the daemon on import, so a report copied from another unit, attempt or
/// job — through a spool others could write to — is refused instead of taken as this unit's.
public struct ReportIdentity: Sendable, Equatable, CustomStringConvertible {
    public var token: String
    public var unit: Int64
    public var attempt: Int
    /// SHA-256 (hex) of the unit's `work.unit` bytes; empty when the worker could not read them.
    /// A `failed` outcome is accepted whatever it says (the work may have been damaged).
    public var workSHA256: String

    public init(token: String, unit: Int64, attempt: Int, workSHA256: String) {
        self.token = token
        self.unit = unit
        self.attempt = attempt
        self.workSHA256 = workSHA256
    }

    public var description: String {
        "submission \(token.isEmpty ? "?" : token), unit \(unit), attempt \(attempt), work \(workSHA256.isEmpty ? "unknown" : String(workSHA256.prefix(12)))"
    }

    /// Whether a report claiming `self` may be taken for `expected`.
    public func matches(_ expected: ReportIdentity, for report: UnitReport) -> Bool {
        guard token == expected.token, unit == expected.unit, attempt == expected.attempt else { return false }
        if workSHA256 == expected.workSHA256 { return true }
        // A worker that could not read its work (missing: empty digest; damaged: another digest)
        // reports the unit failed; the daemon then compares the spool with the store and writes
        // it again (issue 17). This grants a forger nothing the empty digest did not already.
        if case .outcome(let outcome) = report, outcome.kind == .failed { return true }
        return false
    }
}

/// Why spool bytes are not a valid report.
public enum SpoolDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case notASpoolFile
    case unsupportedVersion(UInt64)
    case checksumMismatch
    case malformed(String)

    public var description: String {
        switch self {
        case .notASpoolFile: return "not an sgdyn spool file"
        case .unsupportedVersion(let v): return "spool file format version \(v) is not supported by this build"
        case .checksumMismatch: return "spool file checksum mismatch (corrupted or half-written)"
        case .malformed(let why): return "malformed spool file: \(why)"
        }
    }
}

extension UnitReport {
    static let magic = Array("SGDYNSPL".utf8)
    /// 2: every report names its `ReportIdentity`.
    static let version: UInt64 = 2

    /// The report as bytes: magic, version, kind, the header fields, the payload, then SHA-256 of
    /// the payload and SHA-256 of the header and that digest. A reader checks both with one pass
    /// over the payload, and the payload's digest is what the store keeps with a checkpoint.
    public func encoded(for identity: ReportIdentity) -> [UInt8] {
        var header = ByteWriter()
        header.append(Self.magic)
        header.write(Self.version)
        header.write(string: identity.token)
        header.write(Int(identity.unit))
        header.write(identity.attempt)
        header.write(string: identity.workSHA256)
        let payload: [UInt8]
        switch self {
        case .checkpoint(let progress, let snapshot):
            header.write(UInt8(1))
            header.write(progress: progress)
            payload = snapshot
        case .progress(let progress):
            header.write(UInt8(2))
            header.write(progress: progress)
            payload = []
        case .outcome(let outcome):
            header.write(UInt8(3))
            header.write(outcome.kind.rawValue)
            header.write(progress: outcome.progress)
            header.write(optional: outcome.divergedAt)
            header.write(string: outcome.message)
            payload = outcome.result
        }
        header.write(payload.count)
        let payloadDigest = SHA256.hash(payload)
        var bytes = header.bytes
        bytes.reserveCapacity(bytes.count + payload.count + 64)
        bytes += payload
        bytes += payloadDigest
        bytes += SHA256.hash(header.bytes + payloadDigest)
        return bytes
    }

    /// Reads `encoded(for:)`'s bytes, checking both digests. Also returns the payload's SHA-256
    /// (hex), so a checkpoint can be stored without hashing it again, and whom it was written for
    /// (the caller checks that).
    public static func decode(_ bytes: [UInt8]) throws(SpoolDecodingError)
        -> (report: UnitReport, payloadSHA256: String, identity: ReportIdentity)
    {
        guard bytes.count >= magic.count + 8 + 1 + 64, Array(bytes.prefix(magic.count)) == magic else { throw .notASpoolFile }
        var reader = ByteReader(bytes)
        do {
            _ = try reader.readRaw(magic.count)
            let version = try reader.readUInt64()
            guard version == Self.version else { throw SpoolDecodingError.unsupportedVersion(version) }
            let identity = ReportIdentity(token: try reader.readString(), unit: Int64(try reader.readInt()), attempt: try reader.readInt(),
                                          workSHA256: try reader.readString())
            let kind = try reader.readByte()
            var outcomeKind: UnitOutcome.Kind?
            var divergedAt: Double?
            var message = ""
            switch kind {
            case 1, 2: break
            case 3: outcomeKind = UnitOutcome.Kind(rawValue: try reader.readByte())
            default: throw SpoolDecodingError.malformed("unknown report kind \(kind)")
            }
            let progress = try reader.readProgress()
            if kind == 3 {
                guard outcomeKind != nil else { throw SpoolDecodingError.malformed("unknown outcome") }
                divergedAt = try reader.readOptionalDouble()
                message = try reader.readString()
            }
            let payloadCount = try reader.readInt()
            // A heartbeat carries nothing: a payload there would be dropped, with its digest returned.
            guard kind != 2 || payloadCount == 0 else { throw SpoolDecodingError.malformed("a progress report with a payload") }
            let headerEnd = reader.offset
            // Compared without adding to the length read: a huge one must not overflow.
            guard payloadCount >= 0, reader.remaining >= 64, reader.remaining - 64 == payloadCount else {
                throw SpoolDecodingError.malformed("length \(payloadCount) does not match the file")
            }
            let payload = Array(bytes[headerEnd..<(headerEnd + payloadCount)])
            let payloadDigest = SHA256.hash(payload)
            let storedPayloadDigest = Array(bytes[(headerEnd + payloadCount)..<(headerEnd + payloadCount + 32)])
            let storedHeaderDigest = Array(bytes.suffix(32))
            guard payloadDigest == storedPayloadDigest,
                  SHA256.hash(Array(bytes[..<headerEnd]) + payloadDigest) == storedHeaderDigest
            else { throw SpoolDecodingError.checksumMismatch }
            let report: UnitReport
            switch kind {
            case 1: report = .checkpoint(progress, snapshot: payload)
            case 2: report = .progress(progress)
            default:
                report = .outcome(UnitOutcome(kind: outcomeKind!, progress: progress, divergedAt: divergedAt, message: message, result: payload))
            }
            return (report, SHA256.hex(payloadDigest), identity)
        } catch let error as SpoolDecodingError {
            throw error
        } catch {
            throw .malformed("\(error)")
        }
    }
}

extension ByteWriter {
    mutating func write(progress: UnitProgress) {
        write(Int(progress.stepsDone))
        write(Int(progress.totalSteps))
        write(progress.wallSeconds)
        write(optional: progress.latestEg)
        write(progress.writtenAt)
    }
}

extension ByteReader {
    mutating func readProgress() throws(SnapshotError) -> UnitProgress {
        UnitProgress(stepsDone: Int64(try readInt()), totalSteps: Int64(try readInt()), wallSeconds: try readDouble(),
                     latestEg: try readOptionalDouble(), writtenAt: try readDouble())
    }
}

