#if canImport(Glibc)
import SGDynJobs
import Glibc
#endif

/// Reads a claimed job file's bytes with the same guards as the scanner: no symbolic links, no
/// blocking on special files, a regular file with a single link, and never more than the limit
/// (also if the file grew after its size was checked).
public enum ClaimedFileReader {
    public static func readBytes(
        at path: String, limit: Int = InboxScanner.defaultMaximumJobFileBytes
    ) throws(InboxRejection) -> [UInt8] {
        try read(at: path, limit: limit).bytes
    }

    /// The bytes and the owner (uid) of the file that was read: the owner is taken from the open
    /// descriptor, so it belongs to exactly the bytes returned.
    public static func read(
        at path: String, limit: Int = InboxScanner.defaultMaximumJobFileBytes
    ) throws(InboxRejection) -> (bytes: [UInt8], owner: UInt32) {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else {
            switch errno {
            case ELOOP: throw .symbolicLink
            case ENXIO: throw .socket
            default: throw .unreadable(SystemError.message(for: errno))
            }
        }
        defer { close(fd) }
        if case let .rejected(reason) = InboxEntryInspector.checkOpenFile(fd, sizeLimit: limit) { throw reason }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .unreadable(SystemError.message(for: errno)) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                retryingOnInterrupt { Glibc.read(fd, buffer.baseAddress, buffer.count) }
            }
            if count < 0 { throw .unreadable(SystemError.message(for: errno)) }
            if count == 0 { return (bytes, status.st_uid) }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { throw .tooLarge(size: Int64(bytes.count), limit: limit) }
        }
    }
}
