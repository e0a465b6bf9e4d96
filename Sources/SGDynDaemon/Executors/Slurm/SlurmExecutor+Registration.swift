import Foundation
import SGDynStore
#if canImport(Glibc)
import Glibc
#endif

extension ExecutorKind {
    /// Slurm job arrays. Stored tag: never change it.
    public static let slurm = ExecutorKind(rawValue: "slurm")
}

extension SlurmExecutor {
    /// Set up by the config's `slurm` object.
    public static let registration = ExecutorRegistration(
        kind: .slurm,
        isConfigured: { $0.slurm != nil },
        requirement: "a \"slurm\" object with at least \"spool\" (a folder shared with the compute nodes)",
        make: { context in
            guard let slurm = context.configuration.slurm else { throw ConfigurationError("the Slurm executor needs a \"slurm\" object") }
            try checkUserIsKnownToNodes()
            try PrivateFolder.checkRoot(slurm.spool)
            return SlurmExecutor(configuration: slurm, executable: context.executable, storeToken: String(context.storeID.prefix(8)))
        },
        follower: { context, submissions in
            // Slurm was switched off in the config while arrays ran: they are followed to their
            // end with the commands from PATH; no new work goes to it.
            SlurmExecutor(configuration: SlurmConfiguration(spool: submissions.first?.spool ?? StateFolder(context.configuration.state).spool.root),
                          executable: context.executable, storeToken: String(context.storeID.prefix(8)))
        },
        externalIDLabel: "slurm job")

    /// The shared spool of its configuration.
    public var spoolRoot: String? { configuration.spool }

    /// Units grouped by `SlurmTaskPlan`, each task with `cpus_per_task` threads.
    public func plan(_ units: [UnitRecord], free: Int) -> TaskPlan {
        let configuration = self.configuration
        return TaskPlan(tasks: SlurmTaskPlan.tasks(for: units, configuration: configuration), threadsPerTask: configuration.cpusPerTask)
    }

    public func reconfigure(_ configuration: DaemonConfiguration) {
        update(configuration.slurm)
    }

    public func submittedMessage(externalID: String, taskCount: Int) -> String {
        "submitted to Slurm as job \(externalID) (\(taskCount) array task(s))"
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
