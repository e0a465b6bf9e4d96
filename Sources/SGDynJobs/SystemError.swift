import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: what was being attempted and the errno it failed with, as a typed
/// `Errno`, for messages an operator can act on ("renaming x to y: No such file or directory") and
/// for decisions that depend on the cause (a full disk is waited out, a missing file is not).
///
/// The one way sgdyn turns errno into text: `Errno.description` (swift-system), which reads glibc's
/// message table (thread-safe in glibc ≥ 2.32, which Debian 12 has).
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let errno: Errno

    /// - Parameter code: the errno value; defaults to the calling thread's current errno.
    public init(_ operation: String, errno code: Int32 = Glibc.errno) {
        self.operation = operation
        self.errno = Errno(rawValue: code)
    }

    public var description: String { "\(operation): \(errno.description)" }

    /// Whether the failure is a full disk or an exhausted quota: conditions that pass by themselves.
    public var isOutOfSpace: Bool { errno == .noSpace || errno == .diskQuotaExceeded }

    /// The text for an errno value.
    public static func message(for code: Int32) -> String { Errno(rawValue: code).description }
}

/// Retries a system call while it fails with EINTR.
@inline(__always)
public func retryingOnInterrupt<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result != -1 || Glibc.errno != EINTR { return result }
    }
}
