#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Opens files named by a user beneath a folder an administrator chose, and nowhere else: the one
/// place sgdyn does that (a job's `data` files beneath the data folder; meant to serve any other
/// key that names a file beneath a folder, such as a teacher read from the outbox).
///
/// The relative path is checked as text first (not empty, not absolute, no empty, `.` or `..`
/// component, no NUL, at most 1024 bytes), then opened one component at a time with `openat` and
/// `O_NOFOLLOW` from a descriptor of the folder: a symbolic link at any component is refused by
/// the kernel (ELOOP, or ENOTDIR for a directory component), so no path can leave the folder,
/// even if the folder's contents change between the check and the open. The folder itself is
/// the administrator's and may be reached through links.
public struct BeneathFolder: Sendable {
    /// Why a file could not be opened, as a sentence a user can act on.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The folder, an absolute path.
    public let folder: String

    public init(_ folder: String) { self.folder = folder }

    /// Why `path` may not name a file beneath the folder, or nil.
    public static func pathProblem(_ path: String) -> String? {
        guard !path.isEmpty else { return "is empty" }
        guard path.utf8.count <= 1024 else { return "is longer than 1024 bytes" }
        guard !path.utf8.contains(0) else { return "contains a NUL byte" }
        guard !path.hasPrefix("/") else { return "is an absolute path; name a file relative to the data folder" }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains(where: { $0 == ".." }) { return "contains '..'; only files beneath the data folder can be read" }
        if components.contains(where: { $0.isEmpty || $0 == "." }) { return "has an empty or '.' component" }
        return nil
    }

    /// An open regular file beneath the folder, read-only; close it with `close()`.
    public func open(_ path: String) throws(Failure) -> OpenFile {
        if let problem = Self.pathProblem(path) { throw Failure(message: "\"\(path)\" \(problem)") }
        var directory = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw Failure(message: "the data folder \(folder) cannot be opened (\(Self.errorText(errno)))") }
        let components = path.split(separator: "/").map(String.init)
        for (index, component) in components.enumerated() {
            let last = index == components.count - 1
            let flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (last ? O_NONBLOCK : O_DIRECTORY)
            let next = openat(directory, component, flags)
            let error = errno
            Glibc.close(directory)
            guard next >= 0 else {
                let why: String
                switch error {
                case ELOOP: why = "'\(component)' is a symbolic link (links are not followed)"
                case ENOTDIR: why = "'\(component)' is not a folder (or is a symbolic link, which is not followed)"
                case ENOENT: why = "there is no '\(component)'"
                default: why = "'\(component)': \(Self.errorText(error))"
                }
                throw Failure(message: "\"\(path)\" cannot be opened beneath the data folder: \(why)")
            }
            directory = next
        }
        var info = stat()
        guard fstat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(directory)
            throw Failure(message: "\"\(path)\" is not a regular file")
        }
        // Reads block from here on; O_NONBLOCK was only there so a FIFO could not hang the open.
        _ = fcntl(directory, F_SETFL, 0)
        return OpenFile(descriptor: directory, size: Int(info.st_size))
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// A file `open` opened: its descriptor and its size when opened.
    public struct OpenFile: ~Copyable {
        public let descriptor: Int32
        public let size: Int

        /// Up to `count` bytes from `offset` (fewer at the end of the file).
        public func read(at offset: Int, count: Int) throws(Failure) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset + done)) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(message: "read error (\(BeneathFolder.errorText(errno)))")
                }
                if n == 0 { break }
                done += n
            }
            return done == count ? bytes : Array(bytes[0..<done])
        }

        deinit { Glibc.close(descriptor) }
    }
}
