import Foundation

/// Files that make the daemon or a worker misbehave on purpose, for the end-to-end tests (the
/// watchdog, crash quarantine). They exist only in debug builds — the tests use the
/// debug binary — so a release build, which users run, cannot be tripped by a stray file.
public enum FaultSwitch: String, Sendable, CaseIterable {
    /// While `STATE/.fault-hang-scheduler` exists, the scheduler loop hangs (no watchdog pings).
    case hangScheduler = ".fault-hang-scheduler"
    /// While `SPOOL/.fault-crash-worker` exists, every worker traps after starting its units.
    case crashWorker = ".fault-crash-worker"
    /// While `SPOOL/.fault-damage-outcome` exists, workers write every unit's outcome with its
    /// last byte flipped, as a disk or a network filesystem might: the daemon must refuse it and
    /// count the run a crash rather than restart the unit for ever.
    case damageOutcome = ".fault-damage-outcome"
    /// While `STATE/.fault-kill-after-submit` exists, the daemon kills itself (SIGKILL) right after
    /// an executor accepted a submission and before the store records its id: the moment that
    /// must not lead to a second Slurm array for the same units.
    case killAfterSubmit = ".fault-kill-after-submit"
    /// While `STATE/.fault-unreadable-job` exists, the bundle writer (`sgdyn write-bundle`,
    /// `sgdyn publish`) finds every finished job's stored form unreadable, as a damaged store
    /// would: the job must be left `unpublished`, its results kept, for `sgdyn publish NAME`
    /// once the cause is gone. (The end-to-end checks used to damage the row by SQL; this keeps
    /// them independent of the store's schema.)
    case unreadableJob = ".fault-unreadable-job"
    /// While `SPOOL/.fault-slow-spool` exists (at most 120 s), writing a submission's spool
    /// waits, as on a hung shared file system: the daemon's loop must go on meanwhile.
    case slowSpool = ".fault-slow-spool"

    /// Whether the switch file exists in `folder`; always false in release builds.
    public func isSet(in folder: String) -> Bool {
        #if DEBUG
        return FileManager.default.fileExists(atPath: folder + "/" + rawValue)
        #else
        return false
        #endif
    }
}
