#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where formatted log lines go. `JournalLogHandler` hands over complete lines without the
/// trailing newline; a sink must write each as one unit, whatever thread it is called from.
public protocol LogSink: Sendable {
    func write(line: String)
}

/// Writes lines to a file descriptor (stderr by default), each with a single write(2) of the whole
/// line and its newline, under a lock so lines from different threads never interleave. Errors
/// are swallowed: logging must never take the daemon down.
public final class FileDescriptorLogSink: LogSink {
    public let fileDescriptor: Int32
    /// A lock with nothing behind it but the descriptor's writes (so not a `Locked` value).
    private let writeLock = NSLock()

    /// The process's standard error, shared so every logger serialises on the same lock.
    public static let standardError = FileDescriptorLogSink(fileDescriptor: STDERR_FILENO)

    public init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        writeLock.lock()
        defer { writeLock.unlock() }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            // One write(2) normally takes the whole line; only a partial write needs another.
            while offset < buffer.count {
                let written = Glibc.write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
