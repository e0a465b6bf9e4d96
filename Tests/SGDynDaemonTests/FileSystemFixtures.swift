import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Makers for the odd directory entries a hostile inbox can hold.
enum FileSystemFixtures {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ result: Int32, _ what: String) throws {
        if result != 0 { throw Failure(description: "\(what) failed: errno \(errno)") }
    }

    static func symlink(at path: String, to target: String) throws {
        try check(Glibc.symlink(target, path), "symlink \(path)")
    }

    static func fifo(at path: String) throws {
        try check(mkfifo(path, 0o644), "mkfifo \(path)")
    }

    static func hardLink(at path: String, to existing: String) throws {
        try check(link(existing, path), "link \(path)")
    }

    /// A file whose name is raw bytes (possibly not UTF-8) inside `folder`.
    static func file(named bytes: [UInt8], in folder: String, contents: String) throws {
        let path = Array(folder.utf8) + [UInt8(ascii: "/")] + bytes + [0]
        let fd = path.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
        }
        guard fd >= 0 else { throw Failure(description: "creating a raw-named file failed: errno \(errno)") }
        _ = Array(contents.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// A listening AF_UNIX socket bound at `path`; returns its descriptor (close it when done).
    static func boundSocket(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try check(bound, "bind \(path)")
        return fd
    }

    /// Sets a file's modification time, keeping its size.
    static func setModificationTime(of path: String, secondsSince1970: Int) throws {
        var times = [timespec(tv_sec: secondsSince1970, tv_nsec: 0), timespec(tv_sec: secondsSince1970, tv_nsec: 0)]
        try check(utimensat(AT_FDCWD, path, &times, 0), "utimensat \(path)")
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    static func deviceAndInode(of fd: Int32) -> (UInt64, UInt64) {
        var status = stat()
        fstat(fd, &status)
        return (UInt64(status.st_dev), UInt64(status.st_ino))
    }
}
