#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Finds the process's inotify descriptors through /proc/self/fd. libinotifytools creates its
/// descriptor with inotify_init() — without IN_CLOEXEC — and does not expose it, so this is how
/// the watcher keeps worker processes spawned by the daemon from inheriting it.
enum InotifyDescriptors {
    static func all() -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [] }
        return entries.compactMap(Int32.init).filter { fd in
            var target = [CChar](repeating: 0, count: 64)
            let length = readlink("/proc/self/fd/\(fd)", &target, target.count - 1)
            guard length > 0 else { return false }
            return String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) == "anon_inode:inotify"
        }
    }

    /// Sets FD_CLOEXEC on every inotify descriptor; none should outlive an exec.
    static func markAllCloseOnExec() {
        for fd in all() {
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    static func isCloseOnExec(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFD)
        return flags >= 0 && flags & FD_CLOEXEC != 0
    }
}
