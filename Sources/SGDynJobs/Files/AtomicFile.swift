import CFileSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whole-file writes a reader never sees half of — spool files, the outbox index, the report cache,
/// the store's identity: write to a hidden temporary name in the same folder, fsync (unless the
/// file is only a heartbeat), rename over the final name, fsync the folder. Works on NFS too
/// (rename within a folder is atomic there). And reads with a size limit.
public enum AtomicFile {
    /// Temporary files start with this, so they are never taken for anything else and a crash's
    /// leftovers can be recognised (`removeStale`).
    public static let temporaryPrefix = ".sgdyn-tmp-"

    /// Writes `bytes` to `path` whole. `durable: false` skips the fsyncs, for heartbeats that are
    /// worthless after a crash anyway.
    /// `mode` is the new file's (spool files are private: 0600).
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool = true, mode: mode_t = 0o644) throws(SystemError) {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = folder + "/" + temporaryPrefix + (path as NSString).lastPathComponent + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let fd = retryingOnInterrupt { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode) }
        guard fd >= 0 else { throw SystemError("creating \(temporary)") }
        var failure: SystemError?
        var offset = 0
        while offset < bytes.count, failure == nil {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                failure = SystemError("writing \(temporary)")
            } else {
                offset += written
            }
        }
        if failure == nil, durable, fsync(fd) != 0 { failure = SystemError("fsync of \(temporary)") }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = SystemError("renaming \(temporary) to \(path)") }
        if let failure {
            unlink(temporary)
            throw failure
        }
        if durable { try syncFolder(folder) }
    }

    /// The whole file, or nil when there is none; refuses files over `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(SystemError) -> [UInt8]? {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw SystemError("opening \(path)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SystemError("examining \(path)") }
        guard Int(info.st_size) <= limit else { throw SystemError("reading \(path) (\(info.st_size) bytes, over the limit of \(limit))", errno: EFBIG) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError("reading \(path)")
            }
            if count == 0 { break }
            offset += count
        }
        return Array(bytes.prefix(offset))
    }

    /// The size and modification time of a file (to tell whether it changed), nil when there is none.
    public static func fingerprint(_ path: String) -> FileFingerprint? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileFingerprint(info)
    }

    /// mkdir -p; folders it creates get `mode`.
    public static func makeFolder(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeFolder(parent, mode: mode) }
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw SystemError("creating the folder \(path)") }
    }

    /// Removes a folder and everything in it; missing is fine.
    public static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Removes temporary files left in `folder` by writers that crashed between write and rename,
    /// once older than `age` seconds (so a concurrent writer's file is never taken away).
    public static func removeStale(in folder: String, olderThan age: Double, now: Double) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.hasPrefix(temporaryPrefix) {
            var info = stat()
            let path = folder + "/" + name
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Double(info.st_mtim.tv_sec) < now - age {
                unlink(path)
            }
        }
    }

    /// Makes everything written on the filesystem holding `path` durable, in one call: after many
    /// `durable: false` writes (a submission's spool files), instead of an fsync per file.
    public static func syncFileSystem(of path: String) throws(SystemError) {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw SystemError("opening the folder \(path)") }
        defer { close(fd) }
        guard sgdyn_syncfs(fd) == 0 else { throw SystemError("syncfs of \(path)") }
    }

    static func syncFolder(_ path: String) throws(SystemError) {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw SystemError("opening the folder \(path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 || errno == EINVAL else { throw SystemError("fsync of the folder \(path)") }
    }
}
