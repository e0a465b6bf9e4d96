import Foundation
import SGDynJobs
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock (flock) on a file, held until `release` or process exit — also
/// released by the kernel when the process is killed, so it never goes stale.
public final class FileLock: Sendable {
    private let descriptor: Int32
    public let path: String

    /// Takes the lock without waiting; nil when another process holds it.
    public init?(path: String) throws(SystemError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw SystemError("opening the lock file \(path)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        descriptor = fd
        self.path = path
    }

    public func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
