import CProcessControl
import Foundation
import SGDynJobs
#if canImport(Glibc)
import Glibc
#endif

/// What a command printed and how it ended.
public struct CommandResult: Sendable, Equatable {
    public var termination: ProcessTermination
    public var standardOutput: String
    public var standardError: String
    /// It ran past its deadline and was killed.
    public var timedOut: Bool

    public var succeeded: Bool { termination == .exited(0) && !timedOut }

    /// Standard error (or output) trimmed to one line, for log messages.
    public var message: String {
        let text = standardError.isEmpty ? standardOutput : standardError
        let line = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " | ")
        return timedOut ? "timed out" + (line.isEmpty ? "" : ": " + line) : (line.isEmpty ? "\(termination)" : line)
    }
}

/// Runs short commands (sbatch, squeue, the bundle writer) as child processes and collects their
/// output, without Foundation's `Process`: spawned through `ChildProcess`, read on a thread of its
/// own, killed at a deadline.
public enum CommandRunner {
    /// Output beyond this many bytes per stream is dropped (a command here prints a few lines).
    static let outputLimit = 4 << 20

    public static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                           timeout: Duration = .seconds(60)) async throws(SystemError) -> CommandResult {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard sgdyn_pipe_cloexec(&outPipe) == 0 else { throw SystemError("creating a pipe") }
        guard sgdyn_pipe_cloexec(&errPipe) == 0 else {
            let error = SystemError("creating a pipe")
            close(outPipe[0]); close(outPipe[1])
            throw error
        }
        let child: ChildProcess
        do {
            child = try await ChildProcess.spawn(executable: executable, arguments: arguments, environment: environment,
                                                 standardOutput: outPipe[1], standardError: errPipe[1])
        } catch {
            for fd in outPipe + errPipe { close(fd) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        let deadline = ContinuousClock.now + timeout
        let (output, error, timedOut) = await collect(outPipe[0], errPipe[0], until: deadline, child: child)
        let termination = await child.waitForExit()
        return CommandResult(termination: termination, standardOutput: output, standardError: error, timedOut: timedOut)
    }

    /// Reads both pipes until they close or the deadline passes (then kills the child), on a
    /// dedicated thread: poll(2) blocks, which the cooperative pool must never do.
    private static func collect(_ out: Int32, _ err: Int32, until deadline: ContinuousClock.Instant,
                                child: ChildProcess) async -> (String, String, Bool) {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var buffers: [Int32: [UInt8]] = [out: [], err: []]
                var open: [Int32] = [out, err]
                var timedOut = false
                var chunk = [UInt8](repeating: 0, count: 65536)
                while !open.isEmpty {
                    let remaining = deadline - ContinuousClock.now
                    if remaining <= .zero {
                        timedOut = true
                        child.send(SIGKILL)
                        break
                    }
                    var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                    let milliseconds = Int32(min(1000, max(1, remaining.seconds * 1000)))
                    let ready = poll(&fds, nfds_t(fds.count), milliseconds)
                    if ready < 0 && errno != EINTR { break }
                    for entry in fds where entry.revents != 0 {
                        let count = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                        if count > 0 {
                            if buffers[entry.fd]!.count < outputLimit { buffers[entry.fd]! += chunk[0..<count] }
                        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                            open.removeAll { $0 == entry.fd }
                        }
                    }
                }
                close(out)
                close(err)
                continuation.resume(returning: (String(decoding: buffers[out]!, as: UTF8.self),
                                                String(decoding: buffers[err]!, as: UTF8.self), timedOut))
            }
            thread.name = "sgdyn-command"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
