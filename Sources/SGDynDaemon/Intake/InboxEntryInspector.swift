#if canImport(Glibc)
import SGDynJobs
import Glibc
#endif

/// The hostile-file checks for one inbox entry, done relative to an open directory descriptor so a
/// rename of the inbox during a scan cannot redirect them. Nothing here blocks or reads content:
/// the type is checked with lstat semantics first, and only a regular file is opened — with
/// O_NOFOLLOW|O_NONBLOCK — and checked again through the descriptor.
enum InboxEntryInspector {
    enum Inspection: Equatable {
        case regularFile(FileFingerprint)
        case rejected(InboxRejection)
        /// Gone between the listing and the check (claimed by someone else, or deleted).
        case vanished
    }

    static func inspect(_ name: InboxEntryName, inDirectory directoryFD: Int32, sizeLimit: Int) -> Inspection {
        var status = stat()
        let statResult = withCName(name) { fstatat(directoryFD, $0, &status, AT_SYMLINK_NOFOLLOW) }
        if statResult != 0 {
            return errno == ENOENT ? .vanished : .rejected(.unreadable(SystemError.message(for: errno)))
        }
        if let rejection = rejectionForFileType(status.st_mode) { return .rejected(rejection) }

        let fd = withCName(name) { path in
            retryingOnInterrupt { openat(directoryFD, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        }
        guard fd >= 0 else {
            switch errno {
            case ENOENT: return .vanished
            // Replaced by a symbolic link or socket between fstatat and openat.
            case ELOOP: return .rejected(.symbolicLink)
            case ENXIO: return .rejected(.socket)
            default: return .rejected(.unreadable(SystemError.message(for: errno)))
            }
        }
        defer { close(fd) }
        return checkOpenFile(fd, sizeLimit: sizeLimit)
    }

    /// The checks that need the open descriptor: what was opened is what gets judged.
    static func checkOpenFile(_ fd: Int32, sizeLimit: Int) -> Inspection {
        var status = stat()
        guard fstat(fd, &status) == 0 else { return .rejected(.unreadable(SystemError.message(for: errno))) }
        if let rejection = rejectionForFileType(status.st_mode) { return .rejected(rejection) }
        if status.st_nlink > 1 { return .rejected(.hardLinks(count: Int(status.st_nlink))) }
        if Int64(status.st_size) > Int64(sizeLimit) {
            return .rejected(.tooLarge(size: Int64(status.st_size), limit: sizeLimit))
        }
        return .regularFile(FileFingerprint(status))
    }
}
