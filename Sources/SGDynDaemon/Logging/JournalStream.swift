#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Detects whether a file descriptor is systemd-journald's stream: systemd sets JOURNAL_STREAM to
/// "DEVICE:INODE" of the stream it connected to stderr, and the variable is inherited by children
/// whose stderr may be something else, so it only counts when fstat of the descriptor matches.
public enum JournalStream {
    public static func isJournal(
        fileDescriptor: Int32 = STDERR_FILENO,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Bool {
        guard let value = environment["JOURNAL_STREAM"], let expected = parse(value) else { return false }
        var status = stat()
        guard fstat(fileDescriptor, &status) == 0 else { return false }
        return UInt64(status.st_dev) == expected.device && UInt64(status.st_ino) == expected.inode
    }

    /// "DEVICE:INODE" in decimal, as systemd writes it.
    static func parse(_ value: String) -> (device: UInt64, inode: UInt64)? {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }
}
