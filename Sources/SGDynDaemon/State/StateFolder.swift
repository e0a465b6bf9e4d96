import Foundation
import SGDynJobs

/// The daemon's state folder and everything in it, named in one place. Every command that looks
/// into it (`serve`, `status`, `cancel`, `publish`) goes through this type.
///
///     sgdyn.sqlite (-wal, -shm)   the job store
///     store-id                    which store this folder holds (see `JobStore.open`)
///     daemon.lock                 one daemon per state folder (flock)
///     claimed/                    job files taken from the inbox, kept
///     rejected/                   files that were not jobs, kept
///     logs/                       each job's log, copied into its bundle as log.txt
///     spool/                      files exchanged with local worker processes
///     space-reserve               space given up to the store when the disk fills
public struct StateFolder: Sendable, Equatable {
    /// The folder, made absolute (symlinks are kept: the store identifies jobs by file name, so the
    /// same folder reached by another path is the same store).
    public let path: String

    public init(_ path: String) {
        self.path = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    public var database: String { path + "/sgdyn.sqlite" }
    public var identityFile: String { path + "/store-id" }
    public var daemonLock: String { path + "/daemon.lock" }
    public var claimed: String { path + "/claimed" }
    public var rejected: String { path + "/rejected" }
    public var logs: String { path + "/logs" }
    public var spool: SpoolLayout { SpoolLayout(root: path + "/spool") }
    public var spaceReserve: String { path + "/space-reserve" }

    public func claimedFile(_ name: String) -> String { claimed + "/" + name }
    public func rejectedFile(_ name: String) -> String { rejected + "/" + name }
    /// A job's own log, named after its claimed file.
    public func jobLog(_ claimedName: String) -> String { logs + "/" + claimedName + ".log" }

    /// Creates the folder and its sub-folders.
    public func create() throws {
        for folder in [path, claimed, rejected, logs] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        // The local spool is trusted as the Slurm one is: private, the daemon's own.
        try PrivateFolder.checkRoot(spool.root)
    }
}
