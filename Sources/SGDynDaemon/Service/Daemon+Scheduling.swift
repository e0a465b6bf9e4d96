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
            let free = await freeSlots(of: executor)
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
        if local, phase.acceptsWork, await freeSlots(of: executor) <= 0, let pause = share.runToPause(),
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
        let resubmission = ResubmissionRule()
        for job in try await store.jobs(in: [.running]) where job.executor == slurm.kind.rawValue && !job.cancelRequested {
            guard resubmission.resubmits(cancelRequested: job.cancelRequested, crashes: try await store.maximumUnitCrashes(of: job.id)) else { continue }
            while phase.acceptsWork {
                // Room for half an array first (see `submit`): the runnable units of a large job
                // are not read at every cycle only to wait.
                let free = await freeSlots(of: slurm)
                guard ResubmissionRule.hasRoom(free: free, maximumTasksPerArray: await slurm.maxTasksPerSubmission()) else { break }
                let runnable = try await store.runnableUnits(of: job.id)
                guard !runnable.isEmpty else { break }
                guard try await submit(runnable, of: job, to: slurm, free: free) else { return }
            }
        }
    }

    /// The local runs in flight, as `FairShare` sees them (one whose spool is still being written
    /// holds its threads but is not paused: it is not running yet).
    func localRuns() -> [FairShare.Running] {
        runs.open.values.filter { executors[$0.executor]?.scheduling == .workerThreads && !$0.isOver }.map { open in
            FairShare.Running(submission: open.id, job: open.jobID, submitter: open.submitter, priority: open.priority,
                              threads: open.threads, stopping: open.stop != nil || open.preparing)
        }
    }

    /// What `executor` can take now, less what submissions being prepared for it will take.
    func freeSlots(of executor: any Executor) async -> Int {
        await executor.freeSlots() - runs.preparingSlots(on: executor.kind, workerThreads: executor.scheduling == .workerThreads)
    }

    /// Hands `runnable` units of `job` to `executor` (recorded first, spool written, then started).
    /// Returns false when the executor cannot take work now (scheduling stops until the next cycle).
    func submit(_ runnable: [UnitRecord], of job: JobRecord, to executor: any Executor, free: Int) async throws -> Bool {
        guard job.spec != nil, runnable.allSatisfy({ $0.spec != nil }) else {
            try await store.settle(job.id, outcome: .failed, reason: "the job's stored form is missing (it could not be converted from sgdyn 0.1.0)")
            return true
        }
        let plan = executor.plan(runnable, free: free)
        var tasks = plan.tasks
        let threads = plan.threadsPerTask
        // One array holds at most MaxArraySize tasks and the cluster only `free` more: the rest of
        // the units stay queued for the next array (units grouped as planned, so the target holds).
        // Not an array of one task each time one ends: wait for room for half an array, so a
        // large job goes in few, large arrays (`ResubmissionRule`).
        let arrayLimit = await executor.maxTasksPerSubmission()
        switch ResubmissionRule.cut(tasks: tasks.count, free: free, arrayLimit: arrayLimit, splits: executor.scheduling == .ownQueue) {
        case .all: break
        case .first(let count): tasks = Array(tasks.prefix(count))
        case .wait: return false
        }
        let spool = executor.spoolRoot.map(SpoolLayout.init(root:)) ?? state.spool
        let token = "sgdyn-\(store.storeID.prefix(8))-j\(job.id)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        let (submissionID, start) = try await store.beginSubmission(job.id, executor: executor.kind.rawValue, token: token, tasks: tasks,
                                                                      spool: spool.jobFolder(job: job.id.rawValue))
        // The next batch of the same attempt (`LocalBatch`) is not news: only new attempts are logged.
        say(start.attempt == job.attempts && !start.isResume ? .debug : .info,
            "starting attempt \(start.attempt)\(start.isResume ? " (resuming from checkpoints)" : "") of \(start.units.count) unit(s) on the \(executor.kind) executor" + (executor.scheduling == .workerThreads ? " with \(threads) thread(s)" : " as \(tasks.count) task(s)"),
            job: job, state: "running")
        // Its spool (work files, checkpoints to resume from: thousands of files, on a shared disk
        // for Slurm) is written off the loop; the loop follows the submission from now on as
        // `preparing` — counted by the scheduler, seen by cancellation and shutdown — and starts it
        // when the files are written (`spoolWritten`).
        let request = SpoolRequest(job: job, submission: submissionID, token: token, units: start.units, tasks: tasks, threads: threads,
                                   executor: executor.kind, workerThreads: executor.scheduling == .workerThreads, spool: spool,
                                   checkpointInterval: configuration.checkpointInterval)
        runs.open[submissionID] = request.openSubmission(preparing: true)
        let store = self.store
        offLoop("writing the spool of job \(job.name)", timeout: Self.spoolTimeout,
                work: { try await request.write(store: store) },
                deliver: { daemon, result in await daemon.spoolWritten(request, result) })
        return true
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
