#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file so that readers see the old one or the new one, never a torn one: the bytes
/// go to a hidden temporary file in the same folder, are fsynced, and are renamed over the
/// target; then the folder is fsynced. Used for the outbox's index.html (read over a shared
/// folder while the daemon rewrites it) and the report cache.
enum AtomicFile {
    /// Prefix of the temporary files, hidden so that nobody takes them for bundles.
    static let temporaryPrefix = ".sgdyn-report-"

    static func write(_ bytes: [UInt8], to path: String) throws(BundleWriteError) {
        let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let directory = folder.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : folder
        let temporary = directory + "/" + temporaryPrefix + String(getpid()) + "-"
            + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp"
        do {
            try BundleWriter.writeFile(temporary, bytes)
        } catch {
            unlink(temporary)
            throw error as? BundleWriteError ?? BundleWriteError(path: temporary, errno: EIO, operation: "write")
        }
        guard rename(temporary, path) == 0 else {
            let failure = BundleWriteError(path: path, errno: errno, operation: "rename over")
            unlink(temporary)
            throw failure
        }
        do {
            try BundleWriter.syncDirectory(directory)
        } catch {
            throw error as? BundleWriteError ?? BundleWriteError(path: directory, errno: EIO, operation: "fsync folder")
        }
    }

    /// Removes temporary files this writer left behind (a crash between write and rename) that
    /// are older than `age` seconds, so a concurrent writer's file is never taken away.
    static func removeStale(in directory: String, olderThan age: Double, now: Double) {
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix(temporaryPrefix), name.hasSuffix(".tmp") else { continue }
            var info = stat()
            let path = directory + "/" + name
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Double(info.st_mtim.tv_sec) < now - age {
                unlink(path)
            }
        }
    }
}
