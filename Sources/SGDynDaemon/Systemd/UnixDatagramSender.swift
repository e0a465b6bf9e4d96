#if canImport(Glibc)
import SGDynJobs
import Glibc
#endif

/// Sends one datagram to an AF_UNIX address: a filesystem path, or an abstract-namespace name
/// written with a leading '@' (as systemd does in NOTIFY_SOCKET).
enum UnixDatagramSender {
    static func send(_ payload: [UInt8], to address: String) -> Result<Void, SystemError> {
        guard var socketAddress = makeAddress(address) else {
            return .failure(SystemError("NOTIFY_SOCKET '\(address)' is not a usable AF_UNIX address", errno: EINVAL))
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(SystemError("creating the notify socket")) }
        defer { close(fd) }
        let sent = withUnsafePointer(to: &socketAddress.address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                payload.withUnsafeBytes { bytes in
                    // MSG_DONTWAIT: a stuck receiver must never stall the caller's loop.
                    retryingOnInterrupt {
                        sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), address, socketAddress.length)
                    }
                }
            }
        }
        guard sent == payload.count else { return .failure(SystemError("sending to \(address)")) }
        return .success(())
    }

    /// sockaddr_un for `address`, with the exact length: an abstract name has no terminating NUL
    /// and every byte of the length counts.
    static func makeAddress(_ address: String) -> (address: sockaddr_un, length: socklen_t)? {
        var name = Array(address.utf8)
        let isAbstract = name.first == UInt8(ascii: "@")
        if isAbstract { name[0] = 0 }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: socketAddress.sun_path)
        // A path needs room for its terminating NUL; an abstract name does not have one.
        guard name.count > (isAbstract ? 1 : 0), name.count + (isAbstract ? 0 : 1) <= capacity else { return nil }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { path in
            path.copyBytes(from: name)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        let length = pathOffset + name.count + (isAbstract ? 0 : 1)
        return (socketAddress, socklen_t(length))
    }
}
