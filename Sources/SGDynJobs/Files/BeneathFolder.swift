#if canImport(Glibc)
import Glibc
#endif

/// Opens files named by a user beneath a folder an administrator chose, and nowhere else: the one
/// place sgdyn does that — `teacher_from` / `student_from` beneath the outbox, a job's `data`
/// files beneath the data folder. The path is checked as text first (relative, plain components:
/// no `.`, `..`, empty parts, NUL, at most 1024 bytes), then every component is opened with
/// `openat` relative to the previous one and `O_NOFOLLOW`, so no symbolic link is followed
/// anywhere — not even one swapped in while the path is being walked. The folder itself is the
/// administrator's and may be reached through links.
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

        /// The sentence, for callers that wrap it with the key that named the path.
        public var message: String { description }
    }

    /// The folder everything is read beneath (an absolute or working-directory-relative path).
    public let root: String

    public init(root: String) { self.root = root }

    /// The components of a plain relative path, or why it is not one.
    public static func components(_ path: String) throws(Failure) -> [String] {
        guard !path.isEmpty else { throw .invalidPath("is empty") }
        guard path.utf8.count <= 1024 else { throw .invalidPath("\"\(path.prefix(40))…\" is longer than 1024 bytes") }
        guard !path.utf8.contains(0) else { throw .invalidPath("contains a NUL byte") }
        guard !path.hasPrefix("/") else { throw .invalidPath("\"\(path)\" is an absolute path; give a path inside the folder") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in parts {
            if part.isEmpty { throw .invalidPath("\"\(path)\" has an empty component") }
            if part == "." || part == ".." { throw .invalidPath("\"\(path)\" has a '\(part)' component; paths stay inside the folder") }
        }
        return parts
    }

    /// Opens the regular file at `path` beneath the root, read-only.
    public func open(_ path: String) throws(Failure) -> OpenFile {
        let parts = try Self.components(path)
        var fd = retryingOnInterrupt { Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw .unreadable(root, SystemError.message(for: errno)) }
        var walked = ""
        for (i, part) in parts.enumerated() {
            walked += (walked.isEmpty ? "" : "/") + part
            let last = i == parts.count - 1
            // O_NONBLOCK on the last component: a FIFO must not hang the open.
            let flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY)
            let next = retryingOnInterrupt { openat(fd, part, flags) }
            let code = errno
            guard next >= 0 else {
                // O_DIRECTORY | O_NOFOLLOW on a link fails with ENOTDIR, not ELOOP: look at what it is.
                var status = stat()
                let isLink = fstatat(fd, part, &status, AT_SYMLINK_NOFOLLOW) == 0 && (status.st_mode & S_IFMT) == S_IFLNK
                Glibc.close(fd)
                switch code {
                case _ where isLink, ELOOP: throw .symbolicLink(walked)
                case ENOENT: throw .missing(walked)
                case ENOTDIR: throw .notRegular(walked)
                default: throw .unreadable(walked, SystemError.message(for: code))
                }
            }
            Glibc.close(fd)
            fd = next
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw .unreadable(walked, SystemError.message(for: code))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            throw .notRegular(walked)
        }
        // Reads block from here on; O_NONBLOCK was only there for the open.
        _ = fcntl(fd, F_SETFL, 0)
        return OpenFile(descriptor: fd, size: Int(status.st_size), path: walked)
    }

    /// The bytes of the regular file at `path` beneath the root, at most `limit` of them.
    public func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let file = try open(path)
        guard file.size <= limit else { throw .tooLarge(file.path, size: Int64(file.size), limit: limit) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(file.size)
        while true {
            let chunk = try file.read(at: bytes.count, count: 64 * 1024)
            if chunk.isEmpty { return bytes }
            bytes += chunk
            // The file may have grown since it was opened: never hold more than the limit.
            if bytes.count > limit { throw .tooLarge(file.path, size: Int64(bytes.count), limit: limit) }
        }
    }

    /// A file `open` opened: its descriptor, its size when opened and its path beneath the root.
    public struct OpenFile: ~Copyable {
        public let descriptor: Int32
        public let size: Int
        public let path: String

        /// Up to `count` bytes from `offset` (fewer at the end of the file).
        public func read(at offset: Int, count: Int) throws(Failure) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset + done)) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .unreadable(path, SystemError.message(for: errno))
                }
                if n == 0 { break }
                done += n
            }
            return done == count ? bytes : Array(bytes[0..<done])
        }

        deinit { Glibc.close(descriptor) }
    }
}
