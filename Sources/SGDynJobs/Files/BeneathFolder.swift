#if canImport(Glibc)
import Glibc
#endif

/// Reads files beneath one folder and nowhere else: the one place where sgdyn opens a path a job
/// names (`teacher_from`, `student_from`; data files share it). The path is relative, made of
/// plain components (no `.`, `..`, empty parts or absolute paths), and every component is opened
/// with `openat` relative to the previous one and `O_NOFOLLOW`, so no symbolic link is followed
/// anywhere — not even one swapped in while the path is being walked.
public struct BeneathFolder: Sendable {
    /// Why a path beneath the folder could not be read; `description` is a sentence for users.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// The path is not a plain relative path (why).
        case invalidPath(String)
        /// A component does not exist (the path up to and including it).
        case missing(String)
        /// A component is a symbolic link (the path up to and including it).
        case symbolicLink(String)
        /// A component is not a folder, or the file is not a regular file.
        case notRegular(String)
        /// The file is larger than allowed.
        case tooLarge(String, size: Int64, limit: Int)
        /// Any other error of the system (the path and the message).
        case unreadable(String, String)

        public var description: String {
            switch self {
            case .invalidPath(let why): return why
            case .missing(let path): return "\(path) does not exist"
            case .symbolicLink(let path): return "\(path) is a symbolic link, which sgdyn does not follow"
            case .notRegular(let path): return "\(path) is not a regular file or folder"
            case .tooLarge(let path, let size, let limit): return "\(path) has \(size) bytes, over the limit of \(limit)"
            case .unreadable(let path, let message): return "\(path) cannot be read: \(message)"
            }
        }
    }

    /// The folder everything is read beneath (an absolute or working-directory-relative path).
    public let root: String

    public init(root: String) { self.root = root }

    /// The components of a plain relative path, or why it is not one.
    public static func components(_ path: String) throws(Failure) -> [String] {
        guard !path.isEmpty else { throw .invalidPath("is empty") }
        guard !path.hasPrefix("/") else { throw .invalidPath("\"\(path)\" is an absolute path; give a path inside the folder") }
        guard !path.utf8.contains(0) else { throw .invalidPath("contains a NUL byte") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in parts {
            if part.isEmpty { throw .invalidPath("\"\(path)\" has an empty component") }
            if part == "." || part == ".." { throw .invalidPath("\"\(path)\" has a \"\(part)\" component; paths stay inside the folder") }
        }
        return parts
    }

    /// The bytes of the regular file at `path` beneath the root, at most `limit` of them.
    public func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let parts = try Self.components(path)
        var fd = retryingOnInterrupt { open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw .unreadable(root, SystemError.message(for: errno)) }
        var walked = ""
        for (i, part) in parts.enumerated() {
            walked += (walked.isEmpty ? "" : "/") + part
            let last = i == parts.count - 1
            let flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY)
            let next = retryingOnInterrupt { openat(fd, part, flags) }
            let code = errno
            guard next >= 0 else {
                // O_DIRECTORY | O_NOFOLLOW on a link fails with ENOTDIR, not ELOOP: look at what it is.
                var status = stat()
                let isLink = fstatat(fd, part, &status, AT_SYMLINK_NOFOLLOW) == 0 && (status.st_mode & S_IFMT) == S_IFLNK
                close(fd)
                switch code {
                case _ where isLink, ELOOP: throw .symbolicLink(walked)
                case ENOENT: throw .missing(walked)
                case ENOTDIR: throw .notRegular(walked)
                default: throw .unreadable(walked, SystemError.message(for: code))
                }
            }
            close(fd)
            fd = next
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .unreadable(walked, SystemError.message(for: errno)) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .notRegular(walked) }
        guard Int64(status.st_size) <= Int64(limit) else { throw .tooLarge(walked, size: Int64(status.st_size), limit: limit) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                retryingOnInterrupt { Glibc.read(fd, buffer.baseAddress, buffer.count) }
            }
            if count < 0 { throw .unreadable(walked, SystemError.message(for: errno)) }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            // The file may have grown since fstat: never hold more than the limit.
            if bytes.count > limit { throw .tooLarge(walked, size: Int64(bytes.count), limit: limit) }
        }
    }
}
