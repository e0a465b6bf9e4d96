/// Why an inbox entry is refused without being parsed, in words for the rejection bundle and the
/// log. Each check happens before any byte is read.
public enum InboxRejection: Error, Sendable, Equatable, CustomStringConvertible {
    case unsafeName(String)
    case symbolicLink
    case directory
    case fifo
    case socket
    case device
    case notRegularFile
    case hardLinks(count: Int)
    case tooLarge(size: Int64, limit: Int)
    case empty
    case unreadable(String)

    public var description: String {
        switch self {
        case let .unsafeName(problem):
            "unsafe file name: \(problem)"
        case .symbolicLink:
            "is a symbolic link; job files must be regular files"
        case .directory:
            "is a directory; job files must be regular files"
        case .fifo:
            "is a named pipe (FIFO); job files must be regular files"
        case .socket:
            "is a socket; job files must be regular files"
        case .device:
            "is a device file; job files must be regular files"
        case .notRegularFile:
            "is not a regular file"
        case let .hardLinks(count):
            "has \(count) hard links; submit a file of its own (copy it instead of linking)"
        case let .tooLarge(size, limit):
            "is \(size) bytes; job files may be at most \(limit) bytes"
        case .empty:
            "is empty (0 bytes)"
        case let .unreadable(reason):
            "cannot be read: \(reason)"
        }
    }
}
