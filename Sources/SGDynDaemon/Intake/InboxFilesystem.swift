#if canImport(Glibc)
import SGDynJobs
import Glibc
#endif

/// The filesystem an inbox lives on, as statfs(2) reports it, and whether inotify can be trusted
/// there: on network and FUSE filesystems, changes made by other machines (or by the FUSE server)
/// never produce inotify events.
public struct InboxFilesystem: Sendable, Equatable, CustomStringConvertible {
    /// statfs's f_type magic number.
    public let magic: UInt32

    public init(magic: UInt32) { self.magic = magic }

    /// Magic numbers of filesystems where inotify does not see remote changes.
    public static let inotifyBlind: [UInt32: String] = [
        0x6969: "NFS",
        0xFF53_4D42: "CIFS",
        0xFE53_4D42: "SMB2",
        0x517B: "SMB",
        0x6573_5546: "FUSE",
    ]

    /// Names of common local filesystems, only to make log lines readable.
    static let knownLocal: [UInt32: String] = [
        0xEF53: "ext2/3/4", 0x5846_5342: "XFS", 0x9123_683E: "Btrfs", 0x0102_1994: "tmpfs",
        0x794C_7630: "overlayfs", 0x2FC1_2FC1: "ZFS", 0xF2F5_2010: "F2FS",
    ]

    /// Whether inotify events can be relied on (as hints) for this filesystem.
    public var supportsInotify: Bool { Self.inotifyBlind[magic] == nil }

    public var name: String {
        Self.inotifyBlind[magic] ?? Self.knownLocal[magic] ?? "filesystem type 0x" + String(magic, radix: 16)
    }

    public var description: String { name }

    /// The filesystem of `path`, or the statfs error.
    public static func of(_ path: String) -> Result<InboxFilesystem, SystemError> {
        guard let statfs = statfsFunction else {
            return .failure(SystemError("statfs \(path) (the C library does not export statfs)", errno: ENOSYS))
        }
        // Large enough for struct statfs on every Linux architecture (120 bytes on x86_64/arm64),
        // and aligned for its word-sized fields.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 512)
        guard statfs(path, buffer) == 0 else { return .failure(SystemError("statfs \(path)")) }
        // f_type is the first member, a signed word; the magic numbers are 32-bit patterns
        // (0xFF534D42 must not be compared sign-extended).
        let type = buffer.load(as: Int.self)
        return .success(InboxFilesystem(magic: UInt32(truncatingIfNeeded: type)))
    }

    /// statfs(2) from the C library. Swift's Glibc module does not include <sys/vfs.h>, so the
    /// function is looked up by name; @convention(c) makes the call a plain C call.
    private typealias StatfsFunction = @convention(c) (UnsafePointer<CChar>, UnsafeMutableRawPointer) -> Int32
    private static let statfsFunction: StatfsFunction? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "statfs") else { return nil }
        return unsafeBitCast(symbol, to: StatfsFunction.self)
    }()
}
