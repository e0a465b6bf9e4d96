#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What a file looked like at one moment; two equal fingerprints taken a quiet period apart mean
/// nobody wrote to (or replaced) the file in between.
struct FileFingerprint: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        modifiedSeconds = Int(status.st_mtim.tv_sec)
        modifiedNanoseconds = Int(status.st_mtim.tv_nsec)
    }

    var modificationDate: Date {
        Date(timeIntervalSince1970: Double(modifiedSeconds) + Double(modifiedNanoseconds) / 1e9)
    }
}

/// The file-type part of a stat result, as the rejection it would earn if it is not a regular file.
func rejectionForFileType(_ mode: mode_t) -> InboxRejection? {
    switch mode & S_IFMT {
    case S_IFREG: nil
    case S_IFLNK: .symbolicLink
    case S_IFDIR: .directory
    case S_IFIFO: .fifo
    case S_IFSOCK: .socket
    case S_IFCHR, S_IFBLK: .device
    default: .notRegularFile
    }
}

/// Runs `body` with the entry name as a NUL-terminated C string.
func withCName<T>(_ name: InboxEntryName, _ body: (UnsafePointer<CChar>) -> T) -> T {
    (name.bytes + [0]).withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
    }
}
