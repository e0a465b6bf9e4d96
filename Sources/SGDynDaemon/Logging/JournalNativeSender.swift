#if canImport(Glibc)
import SGDynJobs
import Glibc
#endif
import Foundation

/// One field of a native journal entry: an upper-case name and its value (any bytes).
public struct JournalField: Sendable, Equatable {
    public let name: String
    public let value: [UInt8]

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = Array(value.utf8)
    }

    public init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.value = bytes
    }

    /// journald's rule for a field name a client may send: 1–64 characters of A–Z, 0–9 and '_',
    /// not starting with '_' (trusted fields, set by journald itself) or a digit. journald drops
    /// a field whose name breaks it, so names are checked before sending.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count), bytes[0] != UInt8(ascii: "_"),
              !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[0]) else { return false }
        return bytes.allSatisfy {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
    }

    /// The field name for a log metadata key: `SGDYN_` and the key in upper case, every other
    /// character as '_' (`job` → `SGDYN_JOB`, `exit-code` → `SGDYN_EXIT_CODE`); nil when even
    /// that is not a valid name (too long). The prefix keeps our fields apart from journald's own.
    public static func name(forMetadataKey key: String) -> String? {
        var name = "SGDYN_"
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9": name.unicodeScalars.append(scalar)
            default: name += "_"
            }
        }
        return isValidName(name) ? name : nil
    }
}

/// Writes entries to systemd-journald's native protocol socket (/run/systemd/journal/socket), so
/// that they carry structured fields (`journalctl SGDYN_JOB=name`), which the stdout/stderr stream
/// cannot: there journald sees only text.
///
/// The protocol (systemd's "Native Journal Protocol"): one datagram per entry, one field after
/// another; `NAME=value\n` when the value has no newline, otherwise `NAME\n`, the value's length
/// as a 64-bit little-endian integer, the value, and `\n`.
///
/// Sends never block (MSG_DONTWAIT) and never throw: `send` returns false when the entry did not
/// go out (journald gone, its queue full, an entry larger than a datagram may be), and the caller
/// writes the record to stderr instead, so a record is never lost.
public final class JournalNativeSender: Sendable {
    /// Where journald listens for native entries.
    public static let defaultSocketPath = "/run/systemd/journal/socket"

    /// The socket this sender writes to.
    public let socketPath: String
    private let descriptor: Int32

    /// A sender to `socketPath`, or nil when no socket could be made for it (a path too long for
    /// sockaddr_un, or socket(2) failed). Whether anything listens there is only found out by
    /// sending.
    public init?(socketPath: String = JournalNativeSender.defaultSocketPath) {
        guard UnixDatagramSender.makeAddress(socketPath) != nil else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        self.socketPath = socketPath
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// A sender when, and only when, `fileDescriptor` is the journal's stream (JOURNAL_STREAM
    /// matches it: we run under systemd with output to the journal) and `socketPath` is a socket.
    /// Under a terminal, a pipe or a file, records must stay on stderr where someone reads them,
    /// even if a journal runs on the machine.
    public static func detect(
        fileDescriptor: Int32 = STDERR_FILENO,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        socketPath: String = JournalNativeSender.defaultSocketPath
    ) -> JournalNativeSender? {
        guard JournalStream.isJournal(fileDescriptor: fileDescriptor, environment: environment) else { return nil }
        var status = stat()
        guard stat(socketPath, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK else { return nil }
        return JournalNativeSender(socketPath: socketPath)
    }

    /// The process-wide sender for stderr, detected once: every handler shares one socket.
    public static let standardError: JournalNativeSender? = detect()

    /// Sends one entry; true when journald's socket took it.
    @discardableResult
    public func send(_ fields: [JournalField]) -> Bool {
        let payload = Self.encode(fields)
        guard var address = UnixDatagramSender.makeAddress(socketPath) else { return false }
        let sent = withUnsafePointer(to: &address.address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                payload.withUnsafeBytes { bytes in
                    retryingOnInterrupt {
                        sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT),
                               socketAddress, address.length)
                    }
                }
            }
        }
        return sent == payload.count
    }

    /// The datagram for `fields`, in the native protocol's encoding. Fields with invalid names are
    /// left out (journald would drop the whole field anyway, and a bad name must not corrupt the
    /// entry).
    public static func encode(_ fields: [JournalField]) -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.count + 10 })
        for field in fields where JournalField.isValidName(field.name) {
            payload.append(contentsOf: field.name.utf8)
            if field.value.contains(UInt8(ascii: "\n")) {
                // The binary form: the length tells where the value ends, since a newline can't.
                payload.append(UInt8(ascii: "\n"))
                withUnsafeBytes(of: UInt64(field.value.count).littleEndian) { payload.append(contentsOf: $0) }
            } else {
                payload.append(UInt8(ascii: "="))
            }
            payload.append(contentsOf: field.value)
            payload.append(UInt8(ascii: "\n"))
        }
        return payload
    }

    /// Reads a datagram back into fields (the inverse of `encode`); nil when it is malformed.
    /// Used by the tests' stand-in journal, and handy for checking what is sent.
    public static func decode(_ payload: [UInt8]) -> [JournalField]? {
        var fields: [JournalField] = []
        var index = payload.startIndex
        while index < payload.endIndex {
            guard let end = payload[index...].firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\n") }) else {
                return nil
            }
            let name = String(decoding: payload[index..<end], as: UTF8.self)
            if payload[end] == UInt8(ascii: "=") {
                guard let newline = payload[(end + 1)...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                fields.append(JournalField(name, bytes: Array(payload[(end + 1)..<newline])))
                index = newline + 1
            } else {
                let lengthStart = end + 1
                guard payload.endIndex - lengthStart >= 8 else { return nil }
                var length: UInt64 = 0
                for (shift, byte) in payload[lengthStart..<(lengthStart + 8)].enumerated() {
                    length |= UInt64(byte) << (8 * UInt64(shift))
                }
                let valueStart = lengthStart + 8
                guard length < UInt64(payload.endIndex - valueStart) else { return nil }
                let valueEnd = valueStart + Int(length)
                guard payload[valueEnd] == UInt8(ascii: "\n") else { return nil }
                fields.append(JournalField(name, bytes: Array(payload[valueStart..<valueEnd])))
                index = valueEnd + 1
            }
        }
        return fields
    }
}
