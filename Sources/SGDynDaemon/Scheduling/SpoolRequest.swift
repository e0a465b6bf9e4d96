import Foundation
import SGDynCore
import SGDynJobs
import SGDynStore

/// One submission's spool, to be written off the daemon's loop: the tasks file, and per unit a
/// fresh attempt folder with its work and, when it has one, its latest valid checkpoint to resume
/// from. Everything it needs is in the value, so the writing runs anywhere (`write`) while the loop
/// goes on; what comes back (`SpoolWritten`) lets the loop start the submission.
struct SpoolRequest: Sendable {
    let job: JobRecord
    let submission: SubmissionID
    let token: String
    let units: [UnitRecord]
    let tasks: [[UnitID]]
    let threads: Int
    let executor: ExecutorKind
    /// Local worker threads (true) or an executor with its own queue (Slurm).
    let workerThreads: Bool
    let spool: SpoolLayout
    let checkpointInterval: Double

    /// Units whose checkpoints are read from the store, then written, at a time: the memory held
    /// for resumes stays bounded however large the submission.
    static let chunk = 32

    /// The submission as the loop follows it (`preparing` until its spool is written).
    func openSubmission(preparing: Bool) -> OpenSubmission {
        let taskOf = Dictionary(uniqueKeysWithValues: tasks.enumerated().flatMap { task, ids in ids.map { ($0, task) } })
        var watched: [UnitID: WatchedUnit] = [:]
        for unit in units {
            watched[unit.id] = WatchedUnit(id: unit.id, index: unit.index, task: taskOf[unit.id] ?? 0,
                                           folder: spool.attemptFolder(job: job.id.rawValue, unit: unit.id.rawValue, attempt: unit.attempt),
                                           attempt: unit.attempt, workSHA256: unit.spec.map { SHA256.hexDigest($0) } ?? "")
        }
        var open = OpenSubmission(id: submission, jobID: job.id, jobName: job.name, claimedName: job.claimedName, executor: executor,
                                  token: token, taskCount: tasks.count, units: watched)
        open.submitter = job.submitter?.name ?? ""
        open.priority = job.priority
        open.threads = workerThreads ? threads : 0
        open.preparing = preparing
        return open
    }

    /// Reads the units' latest valid checkpoints from `store` and writes the spool, a chunk of
    /// units at a time, the files on a thread of their own (never the cooperative pool), made
    /// durable by one syncfs at the end rather than an fsync per file.
    func write(store: JobStore) async throws -> SpoolWritten {
        let clock = ContinuousClock(), began = clock.now
        while FaultSwitch.slowSpool.isSet(in: spool.root), clock.now - began < .seconds(120) {
            try await Task.sleep(for: .milliseconds(200))
        }
        var skipped: [String] = []
        let attempt = Dictionary(uniqueKeysWithValues: units.map { ($0.id, $0.attempt) })
        let entries = SubmissionTasks(token: token, tasks: tasks.map { ids in
            ids.map { id in SubmissionTasks.Entry(unit: id.rawValue, attempt: attempt[id] ?? 1) }
        })
        let jobID = job.id, token = token, spool = spool
        let jobFolder = "job-\(jobID.rawValue)"
        try await onDedicatedThread { () throws(SystemError) in
            // Every folder the daemon's own and private, never through a symlink (`PrivateFolder`).
            try PrivateFolder.make(root: spool.root, [jobFolder])
        }
        for start in stride(from: 0, to: units.count, by: Self.chunk) {
            let chunk = Array(units[start..<min(units.count, start + Self.chunk)])
            var resumes: [UnitID: Checkpoint] = [:]
            for unit in chunk {
                let recovery = try await store.latestValidCheckpoint(unit.id)
                skipped += recovery.skipped.map { "unit \(unit.index): \($0); falling back to the previous checkpoint" }
                if let checkpoint = recovery.checkpoint { resumes[unit.id] = checkpoint }
            }
            let checkpoints = resumes
            try await onDedicatedThread { () throws(SystemError) in
                for unit in chunk {
                    guard let work = unit.spec else { continue }
                    let folder = spool.attemptFolder(job: jobID.rawValue, unit: unit.id.rawValue, attempt: unit.attempt)
                    AtomicFile.removeTree(folder.path)
                    try PrivateFolder.make(root: spool.root, [jobFolder, "unit-\(unit.id.rawValue)", "attempt-\(unit.attempt)"])
                    let identity = ReportIdentity(token: token, unit: unit.id.rawValue, attempt: unit.attempt, workSHA256: SHA256.hexDigest(work))
                    try AtomicFile.write(work, to: folder.work, durable: false, mode: 0o600)
                    if let checkpoint = checkpoints[unit.id] {
                        let progress = UnitProgress(stepsDone: checkpoint.stepsDone, totalSteps: unit.totalSteps, wallSeconds: unit.wallSeconds,
                                                    latestEg: unit.latestEg, writtenAt: checkpoint.createdAt.timeIntervalSince1970)
                        try AtomicFile.write(UnitReport.checkpoint(progress, snapshot: checkpoint.snapshot).encoded(for: identity), to: folder.resume,
                                             durable: false, mode: 0o600)
                    }
                }
            }
        }
        let submission = submission
        try await onDedicatedThread { () throws(SystemError) in
            try AtomicFile.write(Array(entries.text.utf8), to: spool.tasksFile(job: jobID.rawValue, submission: submission.rawValue),
                                 durable: false, mode: 0o600)
            try AtomicFile.syncFileSystem(of: spool.jobFolder(job: jobID.rawValue))
        }
        let prepared = PreparedSubmission(
            id: submission, jobID: job.id, jobName: job.name, token: token, spoolFolder: spool.jobFolder(job: job.id.rawValue),
            taskCount: tasks.count, threadsPerTask: threads, checkpointInterval: checkpointInterval,
            memoryBytesPerTask: units.compactMap { $0.spec.flatMap { try? WorkUnit(encoded: $0) } }.map(WorkUnitResources.memoryBytes).max() ?? 0,
            slurm: (try? job.spec.map { try JobSpec(storedForm: $0) })??.slurm)
        return SpoolWritten(prepared: prepared, skippedCheckpoints: skipped)
    }
}

/// What writing a spool gave: the submission ready for its executor, and the damaged checkpoints
/// passed over (logged by the loop).
struct SpoolWritten: Sendable {
    let prepared: PreparedSubmission
    let skippedCheckpoints: [String]
}
