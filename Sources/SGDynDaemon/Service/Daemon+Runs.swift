import Foundation
import Logging
import SGDynCore
import SGDynJobs
import SGDynStore

/// Following runs: what workers report through the spool is imported into the store (checkpoints,
/// progress, outcomes); a unit that falls silent is warned about and then killed; when a task ends,
/// its unfinished units are settled (resumed, counting a crash when the worker died on its own);
/// when a job has nothing left running, its outcome is decided.
extension Daemon {
    /// Units that crashed their worker this many times quarantine their job.
    static let maxCrashes = 3

    func handle(_ event: ExecutorEvent) async {
        do {
            switch event {
            case .taskEnded(let submission, let task, let end):
                try await taskEnded(submission, task: task, end)
            case .unitStates(let submission, let states):
                try await noteExecutorStates(submission, states)
            case .submissionFailed(let submission, let reason):
                try await submissionFailed(submission, reason: reason)
            case .submissionIdentified(let submission, let externalID):
                try await store.activateSubmission(submission, externalID: externalID)
            case .notice(let message, let level):
                logger.log(level: Logger.Level(rawValue: level) ?? .notice, "\(message)")
            }
        } catch {
            logger.error("after \(event): \(error)")
        }
    }

    /// Imports every open submission's reports and watches for silent units. Runs every cycle.
    func followRuns() async throws {
        for id in runs.open.keys.sorted() {
            try await importReports(of: id, task: nil)
            await watchForStalls(id)
        }
        if ContinuousClock.now - runs.lastProgressFlush >= .seconds(5) { try await flushProgress() }
    }

    /// Reads what changed in the spool folders of a submission's units (of one task, or all) and
    /// records it: checkpoints, heartbeats, outcomes.
    func importReports(of id: SubmissionID, task: Int?) async throws {
        guard let submission = runs.open[id] else { return }
        for (unitID, unit) in submission.units where unit.outcome == nil && (task == nil || unit.task == task) {
            var watched = unit
            if let fingerprint = AtomicFile.fingerprint(unit.folder.checkpoint), fingerprint != unit.checkpoint {
                watched.checkpoint = fingerprint
                if let (report, digest) = await readReport(unit.folder.checkpoint, unit: unit, submission: submission),
                   case .checkpoint(let progress, let snapshot) = report {
                    try await store.saveCheckpoint(unitID, snapshot: snapshot, stepsDone: progress.stepsDone, sha256: digest)
                    watched.unstoredProgress = progress
                    watched.lastHeard = .now
                }
            }
            if let fingerprint = AtomicFile.fingerprint(unit.folder.progress), fingerprint != unit.progress {
                watched.progress = fingerprint
                if let (report, _) = await readReport(unit.folder.progress, unit: unit, submission: submission),
                   case .progress(let progress) = report {
                    watched.unstoredProgress = progress
                    watched.lastHeard = .now
                }
            }
            if AtomicFile.fingerprint(unit.folder.outcome) != nil,
               let (report, _) = await readReport(unit.folder.outcome, unit: unit, submission: submission),
               case .outcome(let outcome) = report {
                watched.outcome = outcome.kind
                watched.unstoredProgress = nil
                watched.lastHeard = .now
                try await importOutcome(outcome, unit: unit, submission: submission)
            }
            runs.open[id]?.units[unitID] = watched
        }
    }

    /// One spool file, decoded and verified off the actor; nil (logged) when it is damaged, which
    /// is treated as if it had not been written (the previous checkpoint stays the latest).
    private func readReport(_ path: String, unit: WatchedUnit, submission: OpenSubmission) async -> (UnitReport, String)? {
        let limit = JobLimits.maxSnapshotBytes + (1 << 20)
        let decoded = await onDedicatedThread { () -> Result<(UnitReport, String)?, any Error> in
            do {
                guard let bytes = try AtomicFile.read(path, limit: limit) else { return .success(nil) }
                let (report, digest) = try UnitReport.decode(bytes)
                return .success((report, digest))
            } catch {
                return .failure(error)
            }
        }
        switch decoded {
        case .success(let report): return report
        case .failure(let error):
            say(.warning, "unit \(unit.index): ignoring \(path): \(error)", jobName: submission.jobName, claimedName: submission.claimedName)
            return nil
        }
    }

    private func importOutcome(_ outcome: UnitOutcome, unit: WatchedUnit, submission: OpenSubmission) async throws {
        let p = outcome.progress
        switch outcome.kind {
        case .done, .diverged:
            try await store.completeUnit(unit.id, result: outcome.result, divergedAt: outcome.divergedAt, stepsDone: p.stepsDone,
                                         wallSeconds: p.wallSeconds, latestEg: p.latestEg)
            if let t = outcome.divergedAt {
                say(.warning, "unit \(unit.index) diverged at t = \(t) (non-finite order parameters or ε_g); its finite records are kept",
                    jobName: submission.jobName, claimedName: submission.claimedName)
            }
        case .stopped:
            break
        case .failed:
            say(.error, "unit \(unit.index) failed: \(outcome.message)", jobName: submission.jobName, claimedName: submission.claimedName)
            try await store.failUnit(unit.id, reason: outcome.message)
        }
    }

    /// Writes the heartbeats of all running units to the store in one transaction.
    func flushProgress() async throws {
        var batch: [UnitID: (stepsDone: Int64, wallSeconds: Double, latestEg: Double?)] = [:]
        for (sid, submission) in runs.open {
            for (uid, unit) in submission.units {
                guard let p = unit.unstoredProgress else { continue }
                batch[uid] = (p.stepsDone, p.wallSeconds, p.latestEg)
                runs.open[sid]?.units[uid]?.unstoredProgress = nil
            }
        }
        try await store.recordProgress(batch)
        runs.lastProgressFlush = .now
    }

    /// Warns about units silent for `stall_warning` seconds and kills the tasks of those silent for
    /// `stall_kill` (they resume from their checkpoints; the kill counts as a crash).
    func watchForStalls(_ id: SubmissionID) async {
        guard let submission = runs.open[id] else { return }
        let now = ContinuousClock.now
        var tasksToKill: Set<Int> = []
        for (unitID, unit) in submission.units where unit.outcome == nil && submission.endedTasks[unit.task] == nil {
            guard let heard = unit.lastHeard else { continue }
            let silence = now - heard
            if silence >= .seconds(configuration.stallKill) {
                if !submission.killedForStall.contains(unit.task) { tasksToKill.insert(unit.task) }
            } else if silence >= .seconds(configuration.stallWarning), !unit.stallWarned {
                runs.open[id]?.units[unitID]?.stallWarned = true
                say(.warning, "unit \(unit.index) has reported nothing for \(Int(silence.seconds)) s (hung worker?); it is killed and resumed from its checkpoint after \(Int(configuration.stallKill)) s",
                    jobName: submission.jobName, claimedName: submission.claimedName)
                try? await store.recordExecutorStates([unitID: "STALLED"])
            } else if silence < .seconds(configuration.stallWarning), unit.stallWarned {
                runs.open[id]?.units[unitID]?.stallWarned = false
                say(.notice, "unit \(unit.index) reports again", jobName: submission.jobName, claimedName: submission.claimedName)
                try? await store.recordExecutorStates([unitID: "RUNNING"])
            }
        }
        guard !tasksToKill.isEmpty, let executor = executors[submission.executor] else { return }
        runs.open[id]?.killedForStall.formUnion(tasksToKill)
        say(.error, "killing \(tasksToKill.count == submission.taskCount ? "its worker" : "\(tasksToKill.count) task(s)"): no progress for \(Int(configuration.stallKill)) s; its units resume from their checkpoints",
            jobName: submission.jobName, claimedName: submission.claimedName)
        if let slurm = executor as? SlurmExecutor {
            for task in tasksToKill { await slurm.kill(id, task: task) }
        } else {
            await executor.kill(id)
        }
    }

    /// A task ended: its last reports are imported, its units without an outcome are settled, and
    /// once the whole submission is over, the job is reviewed.
    func taskEnded(_ id: SubmissionID, task: Int, _ end: TaskEnd) async throws {
        guard var submission = runs.open[id], submission.endedTasks[task] == nil else { return }
        try await importReports(of: id, task: task)
        submission = runs.open[id] ?? submission
        try await flushProgress()
        let unfinished = submission.units.values.filter { $0.task == task && ($0.outcome == nil || $0.outcome == .stopped) }
        let killed = submission.killedForStall.contains(task)
        let crashed: Bool
        let reason: String
        switch end {
        case .exited(0):
            // A worker exits 0 only once every unit has its outcome; a unit without a readable
            // one (the warnings above say why) would otherwise be restarted for ever.
            crashed = true
            reason = "its worker exited without leaving a readable outcome"
        case .exited:
            crashed = false
            reason = "its worker stopped"
        case .crashed(let why):
            crashed = true
            reason = why
        case .lost(let why):
            crashed = killed
            reason = killed ? "killed after \(Int(configuration.stallKill)) s without progress" : why
        }
        let crashedUnits = unfinished.filter { crashed && $0.outcome == nil }
        try await store.interruptUnits(crashedUnits.map(\.id), crashed: true, reason: reason)
        try await store.interruptUnits(unfinished.filter { !(crashed && $0.outcome == nil) }.map(\.id), crashed: false, reason: nil)
        if !crashedUnits.isEmpty {
            let crashes = try await store.maximumUnitCrashes(of: submission.jobID)
            say(.error, "\(crashedUnits.count) unit(s) ended without finishing: \(reason) (crash \(crashes) of at most \(Self.maxCrashes)); they resume from their checkpoints",
                jobName: submission.jobName, claimedName: submission.claimedName)
        } else if case .lost(let why) = end, !unfinished.isEmpty {
            say(.notice, "\(unfinished.count) unit(s) were interrupted (\(why)); they resume from their checkpoints",
                jobName: submission.jobName, claimedName: submission.claimedName)
        }
        submission.endedTasks[task] = end
        runs.open[id] = submission
        // A local batch (`LocalBatch`) whose every unit ended by itself: the job goes on with its
        // next batch, which is not an interruption.
        let batchFinished = submission.isOver && submission.stop == nil && submission.executor == "local"
            && submission.units.values.allSatisfy { unit in unit.outcome.map { $0 != .stopped } ?? false }
        if submission.isOver {
            if submission.stop == .fairShare, !unfinished.isEmpty {
                say(.notice, "paused for fair share: \(unfinished.count) unit(s) checkpointed; they resume when its turn comes",
                    jobName: submission.jobName, claimedName: submission.claimedName)
            }
            runs.open.removeValue(forKey: id)
            _ = try await store.endSubmission(id, crashed: [], reason: nil)
            for unit in submission.units.values { AtomicFile.removeTree(unit.folder.path) }
        }
        try await review(submission.jobID, batchFinished: batchFinished)
    }

    /// A submission that can never run: its units go back, and its job fails with the reason (a
    /// request no retry can fix, such as a time limit over the partition's).
    func submissionFailed(_ id: SubmissionID, reason: String) async throws {
        guard let submission = runs.open.removeValue(forKey: id) else { return }
        let (job, active) = try await store.endSubmission(id, crashed: [], reason: reason)
        say(.error, "cannot be run: \(reason)", job: job)
        if active == 0 { try await store.settle(job.id, outcome: .failed, reason: reason) }
        for unit in submission.units.values { AtomicFile.removeTree(unit.folder.path) }
    }

    /// Decides what a job does next once nothing of it runs: its outcome (done, diverged, failed,
    /// cancelled, quarantined), or back to the queue to resume. While some of it still runs, a job
    /// whose units crashed too often has the rest stopped.
    /// `batchFinished`: the run that just ended was a batch whose every unit finished.
    func review(_ jobID: JobID, batchFinished: Bool = false) async throws {
        guard let job = try await store.job(jobID), JobState.active.contains(job.state) else { return }
        let tally = try await store.unitTally(of: jobID)
        let crashes = tally.maximumCrashes
        let open = runs.submissions(of: jobID)
        if !open.isEmpty {
            if crashes >= Self.maxCrashes || job.cancelRequested {
                for submission in open where submission.stop == nil {
                    runs.open[submission.id]?.stop = job.cancelRequested ? .cancel : .quarantine
                    await executors[submission.executor]?.stop(submission.id)
                }
            }
            return
        }
        if job.cancelRequested {
            say(.notice, "cancelled; publishing what finished", job: job, state: "cancelled")
            try await store.settle(jobID, outcome: .cancelled, reason: "cancelled on request")
        } else if crashes >= Self.maxCrashes {
            let last = tally.lastCrashError ?? job.error ?? "its worker died"
            let reason = "a unit ended without finishing \(crashes) times (last: \(last)); quarantined so the other jobs can run"
            say(.error, reason, job: job, state: "quarantined")
            try await store.settle(jobID, outcome: .quarantined, reason: reason)
        } else if let failed = tally.firstFailed {
            let reason = "unit \(failed.index) could not be computed: \(failed.error ?? "unknown error")"
            say(.error, reason, job: job, state: "failed")
            try await store.settle(jobID, outcome: .failed, reason: reason)
        } else if tally.allDone {
            let diverged = tally.diverged
            say(.info, diverged > 0 ? "all units ended, \(diverged) of them diverged; writing the bundle" : "all units finished; writing the bundle",
                job: job, state: "publishing")
            try await store.settle(jobID, outcome: diverged > 0 ? .diverged : .done, reason: nil)
        } else if job.state == .running, batchFinished {
            try await store.requeue(jobID, interrupted: false, reason: nil)
        } else if job.state == .running {
            let stopping: Bool
            if case .draining = phase { stopping = true } else { stopping = false }
            try await store.requeue(jobID, interrupted: true, reason: stopping ? "stopped by shutdown" : "its run ended before every unit finished")
            say(.notice, stopping ? "interrupted by shutdown after checkpointing; it resumes at the next start"
                                  : "its run ended with units left; they resume from their checkpoints", job: job, state: "interrupted")
        }
    }

    /// Cancels queued jobs at once and asks running ones to stop (their end publishes).
    func handleCancellations() async throws {
        for job in try await store.pendingCancellations() {
            let open = runs.submissions(of: job.id)
            if open.isEmpty {
                try await review(job.id)
            } else {
                for submission in open where submission.stop != .cancel {
                    runs.open[submission.id]?.stop = .cancel
                    say(.notice, "cancel requested: stopping its \(submission.executor) run", job: job)
                    await executors[submission.executor]?.stop(submission.id)
                }
            }
        }
    }

    /// The executor's word for units' states (Slurm: PENDING, RUNNING, …); a unit that starts
    /// running is watched for silence from then on.
    func noteExecutorStates(_ id: SubmissionID, _ states: [Int: String]) async throws {
        guard let submission = runs.open[id] else { return }
        var byUnit: [UnitID: String] = [:]
        for (unitID, unit) in submission.units {
            guard let state = states[unit.task] else { continue }
            byUnit[unitID] = state
            if state == "RUNNING", unit.lastHeard == nil { runs.open[id]?.units[unitID]?.lastHeard = .now }
        }
        try await store.recordExecutorStates(byUnit)
    }
}
