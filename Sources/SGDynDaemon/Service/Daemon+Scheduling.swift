import Foundation
import Logging
import SGDynCore
import SGDynJobs
import SGDynStore

/// Scheduling: queued jobs go to the configured executor — higher priority first, then, at equal
/// priority, shared fairly between submitters (`FairShare`), then first come. Before anything is
/// started, the submission is recorded in the store and its spool written: each unit's work and,
/// when it resumes, its latest valid checkpoint.
extension Daemon {
    func schedule() async throws {
        guard let executor = executors[configuration.executor] else { return }
        // Shared worker threads: fair share between submitters, jobs in batches (`LocalBatch`).
        let local = executor.scheduling == .workerThreads
        let inFlight = Set(runs.open.values.map(\.jobID))
        var share = FairShare(workers: configuration.workers,
                              waiting: try await store.schedulingCandidates().filter { !inFlight.contains($0.job) },
                              running: localRuns(), turns: schedulingTurns)
        defer { schedulingTurns = share.turns }
        while phase.acceptsWork {
            let free = await executor.freeSlots()
            guard free > 0, let candidate = share.next() else { break }
            share.skip(candidate)
            guard let job = try await store.job(candidate.job) else { continue }
            // A local batch takes at most this many; reading all of a 10,000-unit job's units at
            // every batch would cost the loop seconds.
            let runnable = try await store.runnableUnits(of: job.id, limit: local ? LocalBatch.maximumUnitsPerThread * max(1, free) : nil)
            guard !runnable.isEmpty else {
                // Every unit finished before a crash or shutdown: only the outcome is missing.
                try await review(job.id)
                continue
            }
            let threads = local ? share.threads(for: candidate, free: free, units: runnable.count) : free
            let batch = local ? LocalBatch.units(runnable, threads: threads) : runnable
            guard try await submit(batch, of: job, to: executor, free: threads) else { return }
            if let started = runs.submissions(of: job.id).max(by: { $0.id < $1.id }) {
                share.started(candidate, as: started.id, threads: started.threads)
            }
        }
        if local, phase.acceptsWork, await executor.freeSlots() <= 0, let pause = share.runToPause(),
           let waiting = share.next(), runs.open[pause.submission]?.stop == nil {
            runs.open[pause.submission]?.stop = .fairShare
            let holder = pause.submitter.isEmpty ? "submitters not recorded" : pause.submitter
            logger.notice("fair share: pausing job \(runs.open[pause.submission]?.jobName ?? "?") of \(holder) (\(share.threads(of: pause.submitter)) thread(s), share \(share.share)) so that \(waiting.submitter.isEmpty ? "a job" : waiting.submitter + "'s job") gets a turn",
                          metadata: ["job": "\(runs.open[pause.submission]?.jobName ?? "")"])
            if let open = runs.open[pause.submission] {
                jobLog.append(.notice, "paused to share the worker threads with \(waiting.submitter.isEmpty ? "another submitter" : waiting.submitter); it checkpoints and resumes when its turn comes",
                              claimedName: open.claimedName)
            }
            await executor.stop(pause.submission)
        }
        // On Slurm the other tasks of a job go on while a unit whose task ended waits: it is
        // resubmitted now, in an array of its own, not when the whole first array has ended. A job
        // larger than one array (MaxArraySize) or than the cluster's room (MaxJobCount) goes in
        // several arrays, each submitted here as room frees up.
        for slurm in executors.values.sorted(by: { $0.kind.rawValue < $1.kind.rawValue }) where slurm.scheduling == .ownQueue {
            // Not one that only follows what a previous daemon left (`ExecutorRegistration.follower`).
            guard phase.acceptsWork, registry.registration(for: slurm.kind)?.isConfigured(configuration) ?? false else { continue }
            try await resubmitWaitingUnits(to: slurm)
        }
    }

    /// Submits the runnable units of `slurm`'s running jobs while their other tasks go on.
    private func resubmitWaitingUnits(to slurm: any Executor) async throws {
        for job in try await store.jobs(in: [.running]) where job.executor == slurm.kind.rawValue && !job.cancelRequested {
            guard try await store.maximumUnitCrashes(of: job.id) < Self.maxCrashes else { continue }
            while phase.acceptsWork {
                // Room for half an array first (see `submit`): the runnable units of a large job
                // are not read at every cycle only to wait.
                let free = await slurm.freeSlots()
                guard free >= max(1, await slurm.maxTasksPerSubmission() / 2) else { break }
                let runnable = try await store.runnableUnits(of: job.id)
                guard !runnable.isEmpty else { break }
                guard try await submit(runnable, of: job, to: slurm, free: free) else { return }
            }
        }
    }

    /// The local runs in flight, as `FairShare` sees them.
    func localRuns() -> [FairShare.Running] {
        runs.open.values.filter { executors[$0.executor]?.scheduling == .workerThreads && !$0.isOver }.map { open in
            FairShare.Running(submission: open.id, job: open.jobID, submitter: open.submitter, priority: open.priority,
                              threads: open.threads, stopping: open.stop != nil)
        }
    }

    /// Hands `runnable` units of `job` to `executor` (recorded first, spool written, then started).
    /// Returns false when the executor cannot take work now (scheduling stops until the next cycle).
    func submit(_ runnable: [UnitRecord], of job: JobRecord, to executor: any Executor, free: Int) async throws -> Bool {
        guard job.spec != nil, runnable.allSatisfy({ $0.spec != nil }) else {
            try await store.settle(job.id, outcome: .failed, reason: "the job's stored form is missing (it could not be converted from sgdyn 0.1.0)")
            return true
        }
        // Whether other runs of the job go on (a resubmission on Slurm): the job's state is theirs too.
        let alone = runs.submissions(of: job.id).isEmpty
        let plan = executor.plan(runnable, free: free)
        var tasks = plan.tasks
        let threads = plan.threadsPerTask
        // One array holds at most MaxArraySize tasks and the cluster only `free` more: the rest of
        // the units stay queued for the next array (units grouped as planned, so the target holds).
        let arrayLimit = await executor.maxTasksPerSubmission()
        let room = min(free, arrayLimit)
        if executor.scheduling == .ownQueue, tasks.count > room {
            // Not an array of one task each time one ends: wait for room for half an array, so a
            // large job goes in few, large arrays.
            guard room >= max(1, arrayLimit / 2) else { return false }
            tasks = Array(tasks.prefix(max(1, room)))
        }
        let spool = executor.spoolRoot.map(SpoolLayout.init(root:)) ?? state.spool
        let token = "sgdyn-\(store.storeID.prefix(8))-j\(job.id)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let (submissionID, start) = try await store.beginSubmission(job.id, executor: executor.kind.rawValue, token: token, tasks: tasks,
                                                                      spool: spool.jobFolder(job: job.id.rawValue))
        // The next batch of the same attempt (`LocalBatch`) is not news: only new attempts are logged.
        say(start.attempt == job.attempts && !start.isResume ? .debug : .info,
            "starting attempt \(start.attempt)\(start.isResume ? " (resuming from checkpoints)" : "") of \(start.units.count) unit(s) on the \(executor.kind) executor" + (executor.scheduling == .workerThreads ? " with \(threads) thread(s)" : " as \(tasks.count) task(s)"),
            job: job, state: "running")
        let prepared: PreparedSubmission
        var open: OpenSubmission
        do {
            (prepared, open) = try await prepareSpool(job: job, submission: submissionID, token: token, units: start.units, tasks: tasks,
                                                      threads: threads, executor: executor, spool: spool)
        } catch {
            say(.error, "cannot write its spool files: \(error); it is retried", job: job)
            _ = try await store.endSubmission(submissionID, crashed: [], reason: "spool: \(error)")
            if alone { try await store.requeue(job.id, interrupted: true, reason: "its spool files could not be written: \(error)") }
            return false
        }
        let externalID: String?
        do {
            externalID = try await executor.submit(prepared)
        } catch {
            _ = try await store.endSubmission(submissionID, crashed: [], reason: "\(error)")
            switch error {
            case .temporary(let why):
                say(.warning, "could not be submitted (\(why)); it stays queued and is tried again", job: job)
                if alone { try await store.requeue(job.id, interrupted: true, reason: "submission failed: \(why)") }
                return false
            case .permanent(let why):
                say(.error, "cannot be run: \(why)", job: job)
                // With other runs going on, it fails once they have ended and this comes back.
                if alone { try await store.settle(job.id, outcome: .failed, reason: why) }
                return true
            }
        }
        if externalID != nil { killIfFaultSwitchIsSet(before: submissionID) }
        // Followed from now on, even if recording the id fails (the restart adopts it by token).
        if executor.scheduling == .workerThreads {
            // A local worker runs from now: its task is watched as a whole from now on, each unit
            // from its first report (when a thread takes it), so waiting behind the job's other
            // units never counts (`StallRule`).
            for task in 0..<open.taskCount { open.taskRunningSince[task] = .now }
        }
        runs.open[submissionID] = open
        // Slurm's job id comes later (`submissionIdentified`); until then the submission stays
        // `submitting`, and a restart looks it up by its token.
        if externalID != nil {
            try await store.activateSubmission(submissionID, externalID: externalID)
        }
        if executor.scheduling == .workerThreads {
            // Waiting for a thread of their worker until each reports (`sgdyn status` counts them apart).
            try await store.recordExecutorStates(Dictionary(uniqueKeysWithValues: open.units.keys.map { ($0, ExecutorTaskState.waiting.word) }))
        }
        return true
    }

    /// Writes the submission's spool: the tasks file, and per unit a fresh attempt folder with its
    /// work and, when it has one, its latest valid checkpoint to resume from. Runs on a thread of
    /// its own (checkpoints can be large), never on the cooperative pool.
    func prepareSpool(job: JobRecord, submission: SubmissionID, token: String, units: [UnitRecord], tasks: [[UnitID]], threads: Int,
                      executor: any Executor, spool: SpoolLayout) async throws -> (PreparedSubmission, OpenSubmission) {
        var resumes: [UnitID: Checkpoint] = [:]
        for unit in units {
            let recovery = try await store.latestValidCheckpoint(unit.id)
            for skipped in recovery.skipped {
                say(.warning, "unit \(unit.index): \(skipped); falling back to the previous checkpoint", job: job)
            }
            if let checkpoint = recovery.checkpoint { resumes[unit.id] = checkpoint }
        }
        let taskOf = Dictionary(uniqueKeysWithValues: tasks.enumerated().flatMap { task, ids in ids.map { ($0, task) } })
        let entries = SubmissionTasks(token: token, tasks: tasks.map { ids in
            ids.map { id in SubmissionTasks.Entry(unit: id.rawValue, attempt: units.first { $0.id == id }?.attempt ?? 1) }
        })
        var watched: [UnitID: WatchedUnit] = [:]
        for unit in units {
            watched[unit.id] = WatchedUnit(id: unit.id, index: unit.index, task: taskOf[unit.id] ?? 0,
                                           folder: spool.attemptFolder(job: job.id.rawValue, unit: unit.id.rawValue, attempt: unit.attempt),
                                           attempt: unit.attempt, workSHA256: unit.spec.map { SHA256.hexDigest($0) } ?? "")
        }
        let jobID = job.id
        let watchedUnits = watched
        let checkpoints = resumes
        try await onDedicatedThread { () throws(SystemError) in
            // Every folder the daemon's own and private, never through a symlink (`PrivateFolder`).
            let jobFolder = "job-\(jobID.rawValue)"
            try PrivateFolder.make(root: spool.root, [jobFolder])
            for unit in units {
                guard let watched = watchedUnits[unit.id], let work = unit.spec else { continue }
                let unitFolder = "unit-\(unit.id.rawValue)"
                AtomicFile.removeTree(watched.folder.path)
                try PrivateFolder.make(root: spool.root, [jobFolder, unitFolder, "attempt-\(unit.attempt)"])
                let identity = ReportIdentity(token: token, unit: unit.id.rawValue, attempt: unit.attempt, workSHA256: watched.workSHA256)
                // One syncfs below instead of an fsync per file: thousands of units are written at once.
                try AtomicFile.write(work, to: watched.folder.work, durable: false, mode: 0o600)
                if let checkpoint = checkpoints[unit.id] {
                    let progress = UnitProgress(stepsDone: checkpoint.stepsDone, totalSteps: unit.totalSteps, wallSeconds: unit.wallSeconds,
                                                latestEg: unit.latestEg, writtenAt: checkpoint.createdAt.timeIntervalSince1970)
                    try AtomicFile.write(UnitReport.checkpoint(progress, snapshot: checkpoint.snapshot).encoded(for: identity), to: watched.folder.resume,
                                         durable: false, mode: 0o600)
                }
            }
            try AtomicFile.write(Array(entries.text.utf8), to: spool.tasksFile(job: jobID.rawValue, submission: submission.rawValue),
                                 durable: false, mode: 0o600)
            try AtomicFile.syncFileSystem(of: spool.jobFolder(job: jobID.rawValue))
        }
        let prepared = PreparedSubmission(
            id: submission, jobID: job.id, jobName: job.name, token: token, spoolFolder: spool.jobFolder(job: job.id.rawValue),
            taskCount: tasks.count, threadsPerTask: threads, checkpointInterval: configuration.checkpointInterval,
            memoryBytesPerTask: units.compactMap { $0.spec.flatMap { try? WorkUnit(encoded: $0) } }.map(WorkUnitResources.memoryBytes).max() ?? 0,
            slurm: (try? job.spec.map { try JobSpec(storedForm: $0) })??.slurm)
        var open = OpenSubmission(id: submission, jobID: job.id, jobName: job.name, claimedName: job.claimedName, executor: executor.kind,
                                  token: token, taskCount: tasks.count, units: watched)
        open.submitter = job.submitter?.name ?? ""
        open.priority = job.priority
        open.threads = executor.scheduling == .workerThreads ? threads : 0
        return (prepared, open)
    }
}

extension Daemon {
    /// The test-only fault switch for a daemon that dies between the executor taking a submission
    /// and the store recording its id (Slurm: when the job id arrives).
    func killIfFaultSwitchIsSet(before submission: SubmissionID) {
        guard FaultSwitch.killAfterSubmit.isSet(in: state.path) else { return }
        logger.critical("test fault switch \(FaultSwitch.killAfterSubmit.rawValue) is set: killing the daemon before it records submission \(submission)")
        kill(getpid(), SIGKILL)
    }
}

/// Runs blocking work (file I/O of checkpoints, ODE-free but possibly large) on a thread of its own,
/// never on the cooperative pool.
func onDedicatedThread<T: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> T) async throws(Failure) -> T {
    let result: Result<T, Failure> = await withCheckedContinuation { continuation in
        let thread = Thread {
            do throws(Failure) {
                continuation.resume(returning: .success(try work()))
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        thread.stackSize = 1 << 22
        thread.start()
    }
    return try result.get()
}
