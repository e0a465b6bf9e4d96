#if canImport(Glibc)
import Glibc
#endif

/// Free space for unprivileged writers on the filesystem holding `path`, in bytes; nil when it
/// cannot be determined.
public func freeBytes(at path: String) -> Int64? {
    var info = statvfs()
    guard statvfs(path, &info) == 0 else { return nil }
    return Int64(info.f_bavail) * Int64(info.f_frsize)
}
