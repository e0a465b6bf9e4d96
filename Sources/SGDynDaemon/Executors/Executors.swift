import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The executors a daemon sets up at start: always the local one; the Slurm one when the config
/// has a `slurm` object.
enum Executors {
    static func make(configuration: DaemonConfiguration, executable: String, storeID: String) throws -> [String: any Executor] {
        var executors: [String: any Executor] = ["local": LocalExecutor(executable: executable, workers: configuration.workers)]
        if let slurm = configuration.slurm {
            try checkUserIsKnownToNodes()
            try PrivateFolder.checkRoot(slurm.spool)
            executors["slurm"] = SlurmExecutor(configuration: slurm, executable: executable, storeToken: String(storeID.prefix(8)))
        }
        return executors
    }

    /// Slurm runs a task as the user who submitted it, on nodes that must know that user by uid.
    /// A user that exists only for this service (systemd's DynamicUser=, uids 61184–65519, or any
    /// uid without a passwd entry) is unknown there: slurmctld requeues such jobs forever.
    static func checkUserIsKnownToNodes() throws {
        let uid = geteuid()
        if (61184...65519).contains(uid) {
            throw ConfigurationError("the Slurm executor cannot run as uid \(uid): it is a systemd DynamicUser, which the compute nodes do not know (Slurm would requeue every task forever). Run sgdyn as a static user that exists with the same uid on every node (see docs/operations.md, \"Running on a Slurm cluster\")")
        }
        guard getpwuid(uid) != nil else {
            throw ConfigurationError("the Slurm executor cannot run as uid \(uid): it has no passwd entry, so the compute nodes cannot know it. Run sgdyn as a static user that exists with the same uid on every node")
        }
    }
}
