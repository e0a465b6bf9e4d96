#if canImport(Glibc)
import SGDynJobs
import Glibc
#endif

/// Lists a directory's entry names as raw bytes (readdir), without "." and "..". FileManager would
/// have to decode names as UTF-8, and a hostile name may not be.
enum InboxDirectory {
    /// Opens `path` as a directory descriptor (O_DIRECTORY|O_CLOEXEC) for the *at() calls.
    static func open(_ path: String) throws -> Int32 {
        let fd = retryingOnInterrupt { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw SystemError("opening the inbox \(path)") }
        return fd
    }

    static func entryNames(of directoryFD: Int32, path: String) throws -> [InboxEntryName] {
        // fdopendir takes ownership of the descriptor it is given, so give it a duplicate.
        let ownFD = fcntl(directoryFD, F_DUPFD_CLOEXEC, 0)
        guard ownFD >= 0 else { throw SystemError("listing the inbox \(path)") }
        guard let stream = fdopendir(ownFD) else {
            let error = SystemError("listing the inbox \(path)")
            close(ownFD)
            throw error
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [InboxEntryName] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw SystemError("listing the inbox \(path)") }
                break
            }
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == [UInt8(ascii: ".")] || bytes == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(InboxEntryName(bytes: bytes))
        }
        return names
    }
}
