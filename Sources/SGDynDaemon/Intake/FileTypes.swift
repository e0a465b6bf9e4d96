#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SGDynJobs

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
