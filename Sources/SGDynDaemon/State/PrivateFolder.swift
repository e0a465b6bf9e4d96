import Foundation
import SGDynJobs
#if canImport(Glibc)
import Glibc
#endif

/// Folders in the spool, which may live on a filesystem others can write to (a cluster's scratch):
/// the spool root must be the daemon user's own and writable by no one else, and every folder
/// below it is created private (0700) and walked with `openat(…, O_NOFOLLOW)`, so a symlink or a
/// folder someone else planted is refused, never followed.
enum PrivateFolder {
    /// Why a folder (from `lstat`) may not be trusted by a daemon running as `uid`; nil when it may.
    /// Pure, for tests.
    static func distrust(mode: mode_t, owner: uid_t, uid: uid_t) -> String? {
        if (mode & S_IFMT) == S_IFLNK { return "it is a symbolic link" }
        guard (mode & S_IFMT) == S_IFDIR else { return "it is not a folder" }
        if owner != uid { return "it belongs to uid \(owner), not to the daemon's user (uid \(uid))" }
        if mode & 0o022 != 0 { return "others may write to it (mode \(String(mode & 0o7777, radix: 8)))" }
        return nil
    }

    /// The spool root at start-up: created 0700 when missing; refused (with the fix) when it is a
    /// symlink, someone else's, or writable by others.
    static func checkRoot(_ path: String) throws(ConfigurationError) {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw ConfigurationError("cannot examine the spool folder \(path): \(SystemError("lstat"))") }
            do { try AtomicFile.makeFolder(path, mode: 0o700) } catch {
                throw ConfigurationError("cannot create the spool folder \(path): \(error)")
            }
            guard lstat(path, &info) == 0 else { throw ConfigurationError("cannot examine the spool folder \(path)") }
        }
        if let why = distrust(mode: info.st_mode, owner: info.st_uid, uid: geteuid()) {
            throw ConfigurationError("the spool folder \(path) cannot be trusted: \(why). Results pass through it, so only the daemon's user may write there: use a folder of its own (mkdir -m 700 \(path) as that user; a shared scratch's 1777 folder is not enough)")
        }
    }

    /// Creates (when missing) and checks each of `components` below `root`, one `openat` at a time
    /// without following symlinks; each must end up the daemon's own, writable by no one else.
    static func make(root: String, _ components: [String]) throws(SystemError) {
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("opening the spool folder \(root)") }
        var path = root
        for name in components {
            path += "/" + name
            if mkdirat(fd, name, 0o700) != 0, errno != EEXIST {
                let error = SystemError("creating \(path)")
                close(fd)
                throw error
            }
            let next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(fd)
            guard next >= 0 else { throw SystemError("opening \(path) (a symlink there is refused)") }
            var info = stat()
            guard fstat(next, &info) == 0 else {
                let error = SystemError("examining \(path)")
                close(next)
                throw error
            }
            if let why = distrust(mode: info.st_mode, owner: info.st_uid, uid: geteuid()) {
                close(next)
                throw SystemError("refusing the spool folder \(path): \(why)", errno: EPERM)
            }
            fd = next
        }
        close(fd)
    }
}
