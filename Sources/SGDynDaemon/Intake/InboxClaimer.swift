#if canImport(Glibc)
import SGDynJobs
import Glibc
#endif
import Foundation

/// Moves an inbox entry into `state/claimed/` with rename(2), so that exactly one claimer gets it:
/// rename is atomic, and whoever renames second finds the source gone (ENOENT). Both directories
/// are fsynced afterwards, so a claim survives a crash. The inbox and the state folder must be on
/// the same filesystem (rename cannot cross filesystems); `init` checks that up front.
public struct InboxClaimer: Sendable {
    public let inbox: String
    /// The state folder's `claimed/`, created by `init` if missing.
    public let claimedDirectory: String

    /// - Throws: Foundation's error if the claimed folder cannot be created, `ClaimError.differentFilesystems`
    ///   if it is not on the inbox's filesystem.
    public init(inbox: String, claimedDirectory: String) throws {
        self.inbox = inbox
        self.claimedDirectory = claimedDirectory
        try FileManager.default.createDirectory(atPath: claimedDirectory, withIntermediateDirectories: true)
        var inboxStatus = stat()
        var claimedStatus = stat()
        guard stat(inbox, &inboxStatus) == 0 else { throw SystemError("examining the inbox \(inbox)") }
        guard stat(claimedDirectory, &claimedStatus) == 0 else { throw SystemError("examining \(claimedDirectory)") }
        guard inboxStatus.st_dev == claimedStatus.st_dev else {
            throw ClaimError.differentFilesystems(inbox: inbox, claimedDirectory: claimedDirectory)
        }
    }

    /// Claims `entry`: `.claimed` with its new path, or `.alreadyTaken` when it was no longer in
    /// the inbox (another claimer won, or it was deleted). Works for any entry type, so rejected
    /// entries can be moved out of the inbox too.
    public func claim(_ entry: InboxEntryName) throws -> ClaimOutcome {
        let destinationName = Self.uniqueID() + "-" + Self.sanitised(entry)
        let destination = (claimedDirectory as NSString).appendingPathComponent(destinationName)
        let source = Array(inbox.utf8) + [UInt8(ascii: "/")] + entry.bytes
        let renamed = withCName(InboxEntryName(bytes: source)) { sourcePath in
            retryingOnInterrupt { rename(sourcePath, destination) }
        }
        if renamed != 0 {
            let code = errno
            if code == ENOENT { return .alreadyTaken }
            if code == EXDEV { throw ClaimError.differentFilesystems(inbox: inbox, claimedDirectory: claimedDirectory) }
            throw SystemError("moving \(entry) from \(inbox) to \(destination)", errno: code)
        }
        // The rename is done and cannot be undone: report a failed fsync instead of throwing, so
        // the caller still records the claim.
        var syncProblems: [String] = []
        for directory in [claimedDirectory, inbox] {
            if let problem = Self.fsyncDirectory(directory) { syncProblems.append(problem) }
        }
        return .claimed(ClaimedFile(
            path: destination, name: destinationName, entry: entry,
            syncProblem: syncProblems.isEmpty ? nil : syncProblems.joined(separator: "; ")))
    }

    /// The submitted entry name of a file in the claimed folder (the part after `<unique-id>-`).
    public static func submittedName(ofClaimedFile fileName: String) -> String? {
        guard let dash = fileName.firstIndex(of: "-") else { return nil }
        let name = fileName[fileName.index(after: dash)...]
        return name.isEmpty ? nil : String(name)
    }

    /// `<milliseconds since 1970>.<16 random hex digits>`: sorts by claim time, and two claimers
    /// never pick the same destination (so a rename can never overwrite an earlier claim).
    static func uniqueID() -> String {
        let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        let random = UInt64.random(in: .min ... .max)
        return String(milliseconds) + "." + String(random, radix: 16).leftPadded(to: 16)
    }

    /// The entry name with every byte outside [A-Za-z0-9._-] replaced by '_', so the claimed
    /// folder holds only tame names even when a hostile one is moved there.
    static func sanitised(_ entry: InboxEntryName) -> String {
        let bytes = entry.bytes.map { JobFileNaming.isSafeNameByte($0) ? $0 : UInt8(ascii: "_") }
        let name = String(decoding: bytes.prefix(200), as: UTF8.self)
        return name.isEmpty ? "_" : name
    }

    /// fsync on a directory makes a rename in it durable. Returns a description of what failed.
    static func fsyncDirectory(_ path: String) -> String? {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { return SystemError("opening \(path) to fsync it").description }
        defer { close(fd) }
        guard retryingOnInterrupt({ fsync(fd) }) == 0 else { return SystemError("fsync of \(path)").description }
        return nil
    }
}

/// The result of `InboxClaimer.claim`.
public enum ClaimOutcome: Sendable, Equatable {
    case claimed(ClaimedFile)
    /// The entry was gone: another claimer took it, or it was deleted. Not an error.
    case alreadyTaken
}

/// A file this process now owns in the claimed folder.
public struct ClaimedFile: Sendable, Equatable {
    /// `state/claimed/<unique-id>-NAME`.
    public var path: String
    /// `<unique-id>-NAME`: how the job store knows it.
    public var name: String
    /// The name it had in the inbox.
    public var entry: InboxEntryName
    /// Set when fsyncing a directory after the rename failed: the claim happened, but might not
    /// survive a power loss. Worth a warning in the log.
    public var syncProblem: String?
}

/// Claim failures that need an operator, not a retry.
public enum ClaimError: Error, Sendable, Equatable, CustomStringConvertible {
    case differentFilesystems(inbox: String, claimedDirectory: String)

    public var description: String {
        switch self {
        case let .differentFilesystems(inbox, claimed):
            "the inbox \(inbox) and the claimed folder \(claimed) are on different filesystems (or mounts); "
                + "claiming needs an atomic rename, so put the state folder on the inbox's filesystem"
        }
    }
}
