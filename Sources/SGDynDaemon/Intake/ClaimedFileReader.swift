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
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                retryingOnInterrupt { read(fd, buffer.baseAddress, buffer.count) }
            }
            if count < 0 { throw .unreadable(SystemError.message(for: errno)) }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { throw .tooLarge(size: Int64(bytes.count), limit: limit) }
        }
    }
}
