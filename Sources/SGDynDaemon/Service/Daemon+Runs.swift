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
    /// Records what an executor reported. An event that changes what the store says about a run
    /// (a task ended, a submission failed or was identified) must be recorded whatever happens: if
    /// the store cannot take it now (locked by another process beyond its busy timeout, the disk
    /// full), it is retried — as a control event after a growing delay, so the loop goes on
    /// meanwhile — until it is recorded; a job never stays `running` without a worker.
    func handle(_ event: ExecutorEvent, attempt: Int = 1) async {
        if event.mustBeRecorded, !(await storeAvailable()) {
            // Another process holds the store: wait for the next probe without trying (each try
            // would hold the loop for the lock wait) and without counting an attempt.
            let wait = max(storeOutage.waitBeforeProbe(now: .now), .milliseconds(100))
            let mailbox = self.mailbox
            Task {
                try? await Task.sleep(for: wait)
                mailbox.post(.executorRetry(event, attempt: attempt))
            }
            return
        }
        do {
            switch event {
            case .taskEnded(let submission, let task, let end):
                try await taskEnded(submission, task: task, end)
            case .unitStates(let submission, let states):
                try await noteExecutorStates(submission, states)
            case .submissionFailed(let submission, let reason):
                try await submissionFailed(submission, reason: reason)
            case .submissionIdentified(let submission, let externalID):
                killIfFaultSwitchIsSet(before: submission)
                try await store.activateSubmission(submission, externalID: externalID)
                if let open = runs.open[submission], let executor = executors[open.executor] {
                    say(.notice, executor.submittedMessage(externalID: externalID, taskCount: open.taskCount), jobName: open.jobName, state: "running",
                        claimedName: open.claimedName)
                }
            case .taskOutput(let submission, let task, let output):
                if let open = runs.open[submission] {
                    let lines = output.split(separator: "\n").suffix(20).joined(separator: "\n    ")
                    say(.warning, "the output of its \(executors[open.executor]?.displayName ?? open.executor.rawValue) task \(task) (kept here: the spool is removed with the job) ends:\n    \(lines)",
                        jobName: open.jobName, claimedName: open.claimedName)
                }
            case .notice(let message, let level):
                logger.log(level: level, "\(message)")
            }
            if attempt > 1 { logger.notice("recorded \(event) after \(attempt) attempts") }
        } catch {
            let outage = noteStoreFailure(error)
            guard event.mustBeRecorded else {
                if !outage { logger.error("after \(event): \(error)") }
                return
            }
            if RecordRetry.releasesReserve(after: error), unlink(state.spaceReserve) == 0 {
                logger.notice("released the \(Self.reserveBytes >> 20) MiB space reserve so the job store can record \(event)")
            }
            let delay = RecordRetry.delay(afterAttempt: attempt)
            if RecordRetry.logs(attempt: attempt) {
                logger.error("cannot record \(event) (attempt \(attempt)): \(error); retrying every \(Int(delay.seconds)) s until it is recorded")
            }
            let mailbox = self.mailbox
            Task {
                try? await Task.sleep(for: delay)
                mailbox.post(.executorRetry(event, attempt: attempt + 1))
            }
        }
    }

    /// Imports every open submission's reports and watches for silent units. Runs every cycle.
    func followRuns() async throws {
        for id in runs.open.keys.sorted() where runs.open[id]?.preparing == false {
            try await importReports(of: id, task: nil)
            await watchForStalls(id)
        }
        if ContinuousClock.now - runs.lastProgressFlush >= .seconds(5) { try await flushProgress() }
    }

    /// Reads what changed in the spool folders of a submission's units (of one task, or all) and
    /// records it: checkpoints, heartbeats, outcomes.
    func importReports(of id: SubmissionID, task: Int?) async throws {
        guard let submission = runs.open[id] else { return }
        defer { Task { [weak self] in await self?.recordStarted(id) } }
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
            if let fingerprint = AtomicFile.fingerprint(unit.folder.outcome), fingerprint != unit.refusedOutcome,
               let (report, _) = await readReport(unit.folder.outcome, unit: unit, submission: submission, refused: &watched.refusedOutcome),
               case .outcome(let outcome) = report {
                watched.outcome = outcome.kind
                watched.unstoredProgress = nil
                watched.lastHeard = .now
                runs.open[id]?.units[unitID] = watched
                try await importOutcome(outcome, unit: unit, submission: submission)
                watched = runs.open[id]?.units[unitID] ?? watched
            }
            runs.open[id]?.units[unitID] = watched
        }
    }

    /// Units that reported for the first time (started computing) are `RUNNING` for `sgdyn status`.
    func recordStarted(_ id: SubmissionID) async {
        // Executors with their own queue report their tasks' states themselves (`unitStates`).
        guard let submission = runs.open[id], executors[submission.executor]?.scheduling == .workerThreads else { return }
        let started = submission.units.filter { $0.value.lastHeard != nil && !$0.value.shownRunning && $0.value.outcome == nil }.map(\.key)
        guard !started.isEmpty else { return }
        for unit in started { runs.open[id]?.units[unit]?.shownRunning = true }
        try? await store.recordExecutorStates(Dictionary(uniqueKeysWithValues: started.map { ($0, ExecutorTaskState.running.word) }))
    }

    /// One spool file, decoded and verified off the actor; nil (logged) when it is damaged, which
    /// is treated as if it had not been written (the previous checkpoint stays the latest).
    /// A report written for another unit, attempt or job (copied into this unit's folder) is
    /// refused and logged as an error; `refused` then remembers the file, so it is logged once.
    private func readReport(_ path: String, unit: WatchedUnit, submission: OpenSubmission) async -> (UnitReport, String)? {
        var ignored: FileFingerprint?
        return await readReport(path, unit: unit, submission: submission, refused: &ignored)
    }

    private func readReport(_ path: String, unit: WatchedUnit, submission: OpenSubmission,
                            refused: inout FileFingerprint?) async -> (UnitReport, String)? {
        let limit = JobLimits.maxSnapshotBytes + (1 << 20)
        let fingerprint = AtomicFile.fingerprint(path)
        let decoded = await onDedicatedThread { () -> Result<(UnitReport, String, ReportIdentity)?, any Error> in
            do {
                guard let bytes = try AtomicFile.read(path, limit: limit) else { return .success(nil) }
                let (report, digest, identity) = try UnitReport.decode(bytes)
                return .success((report, digest, identity))
            } catch {
                return .failure(error)
            }
        }
        switch decoded {
        case .success(nil): return nil
        case .success(let (report, digest, identity)?):
            let expected = ReportIdentity(token: submission.token, unit: unit.id.rawValue, attempt: unit.attempt, workSHA256: unit.workSHA256)
            guard identity.matches(expected, for: report) else {
                refused = fingerprint
                say(.error, "unit \(unit.index): refusing \(path): it was written for \(identity), not for this unit (\(expected)) — a report copied from another unit or job; check who can write the spool",
                    jobName: submission.jobName, claimedName: submission.claimedName)
                return nil
            }
            return (report, digest)
        case .failure(let error):
            say(.warning, "unit \(unit.index): ignoring \(path): \(error)", jobName: submission.jobName, claimedName: submission.claimedName)
            return nil
        }
    }

    private func importOutcome(_ outcome: UnitOutcome, unit: WatchedUnit, submission: OpenSubmission) async throws {
        let p = outcome.progress
        let damage = OutcomeRule.checksSpool(outcome.kind) ? try await spoolDamage(of: unit) : nil
        switch OutcomeRule.decide(outcome.kind, message: outcome.message, divergedAt: outcome.divergedAt, spoolDamage: damage) {
        case .complete(let divergedAt):
            try await store.completeUnit(unit.id, result: outcome.result, divergedAt: divergedAt, stepsDone: p.stepsDone,
                                         wallSeconds: p.wallSeconds, latestEg: p.latestEg)
            if let t = divergedAt {
                say(.warning, "unit \(unit.index) diverged at t = \(t) (non-finite order parameters or ε_g); its finite records are kept",
                    jobName: submission.jobName, claimedName: submission.claimedName)
            }
        case .awaitTaskEnd:
            break
        case .resumeAfterSpoolDamage(let damage):
            // Not the unit's fault: its spool was damaged after the daemon wrote it. It ends like a
            // stopped unit and is handed over again with its files written afresh.
            say(.warning, "unit \(unit.index): \(damage); it is written again from the job store and the unit resumes",
                jobName: submission.jobName, claimedName: submission.claimedName)
            runs.open[submission.id]?.units[unit.id]?.outcome = .stopped
        case .fail(let message):
            say(.error, "unit \(unit.index) failed: \(message)", jobName: submission.jobName, claimedName: submission.claimedName)
            try await store.failUnit(unit.id, reason: message)
        }
    }

    /// Why a unit's spool files differ from what the daemon wrote (its work is not the stored
    /// work, its checkpoint to resume from is missing or does not decode), or nil when they are
    /// intact — then a worker's failure is the unit's own.
    private func spoolDamage(of unit: WatchedUnit) async throws -> String? {
        guard let record = try await store.unit(unit.id), let work = record.spec else { return nil }
        let hasCheckpoint = try await store.latestValidCheckpoint(unit.id).checkpoint != nil
        let folder = unit.folder
        return await onDedicatedThread { () -> String? in
            let limit = JobLimits.maxSnapshotBytes + (1 << 20)
            guard let bytes = try? AtomicFile.read(folder.work, limit: limit) else { return "its work file \(folder.work) is missing" }
            if bytes != work { return "its work file \(folder.work) is damaged" }
            if hasCheckpoint {
                guard let resume = try? AtomicFile.read(folder.resume, limit: limit) else { return "its checkpoint file \(folder.resume) is missing" }
                if (try? UnitReport.decode(resume)) == nil { return "its checkpoint file \(folder.resume) is damaged" }
            }
            return nil
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
    /// `stall_kill` (they resume from their checkpoints; the kill counts as a crash). Silence counts
    /// from when a unit started computing, never while it waits (`StallRule`).
    func watchForStalls(_ id: SubmissionID) async {
        guard let submission = runs.open[id] else { return }
        var units: [Int64: StallRule.Unit] = [:]
        for (unitID, unit) in submission.units where unit.outcome == nil && submission.endedTasks[unit.task] == nil {
            units[unitID.rawValue] = StallRule.Unit(task: unit.task, lastHeard: unit.lastHeard, warned: unit.stallWarned)
        }
        let rule = StallRule(warning: .seconds(configuration.stallWarning), kill: .seconds(configuration.stallKill))
        let decision = rule.decide(units: units, taskRunningSince: submission.taskRunningSince.filter { submission.endedTasks[$0.key] == nil },
                                   alreadyKilled: submission.killedForStall, now: .now)
        for (raw, silence) in decision.warn.sorted(by: { $0.key < $1.key }) {
            let unitID = UnitID(raw)
            guard let unit = submission.units[unitID] else { continue }
            runs.open[id]?.units[unitID]?.stallWarned = true
            say(.warning, "unit \(unit.index) has reported nothing for \(Int(silence.seconds)) s since it last did (hung worker?); it is killed and resumed from its checkpoint after \(Int(configuration.stallKill)) s",
                jobName: submission.jobName, claimedName: submission.claimedName)
            try? await store.recordExecutorStates([unitID: ExecutorTaskState.stalled.word])
        }
        for raw in decision.recovered.sorted() {
            let unitID = UnitID(raw)
            guard let unit = submission.units[unitID] else { continue }
            runs.open[id]?.units[unitID]?.stallWarned = false
            say(.notice, "unit \(unit.index) reports again", jobName: submission.jobName, claimedName: submission.claimedName)
            try? await store.recordExecutorStates([unitID: ExecutorTaskState.running.word])
        }
        let tasksToKill = Set(decision.kill.keys)
        guard !tasksToKill.isEmpty, let executor = executors[submission.executor] else { return }
        runs.open[id]?.killedForStall.formUnion(tasksToKill)
        say(.error, "stall kill: killing \(tasksToKill.count == submission.taskCount ? "its worker" : "\(tasksToKill.count) task(s)"): no progress for \(Int(configuration.stallKill)) s (stall_kill); its units resume from their checkpoints",
            jobName: submission.jobName, claimedName: submission.claimedName)
        for task in tasksToKill.sorted() { await executor.kill(id, task: task) }
    }

    /// A task ended: its last reports are imported, its units without an outcome are settled, and
    /// once the whole submission is over, the job is reviewed.
    func taskEnded(_ id: SubmissionID, task: Int, _ end: TaskEnd) async throws {
        guard var submission = runs.open[id], submission.endedTasks[task] == nil else { return }
        try await importReports(of: id, task: task)
        submission = runs.open[id] ?? submission
        try await flushProgress()
        // Which units finished, which resume, and which of those count a crash (`TaskEndClassifier`).
        let settlement = TaskEndClassifier(stallKill: configuration.stallKill).settle(
            end, killedForStall: submission.killedForStall.contains(task),
            units: submission.units.values.filter { $0.task == task }.map { TaskEndClassifier.Unit(id: $0.id, outcome: $0.outcome) })
        let unfinished = settlement.verdicts.filter { $0.value != .finished }
        try await store.interruptUnits(settlement.crashed, crashed: true, reason: settlement.crashReason)
        try await store.interruptUnits(settlement.resumed, crashed: false, reason: nil)
        switch settlement.report {
        case .crashed(let count, let reason):
            let crashes = try await store.maximumUnitCrashes(of: submission.jobID)
            say(.error, CrashPolicy().crashMessage(units: count, reason: reason, crashes: crashes),
                jobName: submission.jobName, claimedName: submission.claimedName)
        case .interrupted(let count, let why):
            say(.notice, "\(count) unit(s) were interrupted (\(why)); they resume from their checkpoints",
                jobName: submission.jobName, claimedName: submission.claimedName)
        case .none:
            break
        }
        submission.endedTasks[task] = end
        runs.open[id] = submission
        // A local batch (`LocalBatch`) whose every unit ended by itself: the job goes on with its
        // next batch, which is not an interruption.
        let batchFinished = submission.isOver && submission.stop == nil && executors[submission.executor]?.scheduling == .workerThreads
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
        if ResubmissionRule.failsJobAfterUnrunnableSubmission(activeRuns: active) { try await store.settle(job.id, outcome: .failed, reason: reason) }
        for unit in submission.units.values { AtomicFile.removeTree(unit.folder.path) }
    }

    /// Decides what a job does next once nothing of it runs: its outcome (done, diverged, failed,
    /// cancelled, quarantined), or back to the queue to resume. While some of it still runs, a job
    /// whose units crashed too often has the rest stopped.
    /// `batchFinished`: the run that just ended was a batch whose every unit finished.
    func review(_ jobID: JobID, batchFinished: Bool = false) async throws {
        guard let job = try await store.job(jobID), JobState.active.contains(job.state) else { return }
        let open = runs.submissions(of: jobID)
        let rule = JobReview()
        if !open.isEmpty {
            // While other arrays of a large job run, only the crash count matters: not every unit
            // of a 10,000-unit job read again at each task's end.
            let crashes = try await store.maximumUnitCrashes(of: jobID)
            if case .stopRuns(let reason) = rule.whileRunning(crashes: crashes, cancelRequested: job.cancelRequested) {
                for submission in open where submission.stop == nil {
                    runs.open[submission.id]?.stop = reason
                    await executors[submission.executor]?.stop(submission.id)
                }
            }
            return
        }
        let tally = try await store.unitTally(of: jobID)
        var draining = false
        if case .draining = phase { draining = true }
        let observed = JobReview.Observation(
            cancelRequested: job.cancelRequested, running: job.state == .running, crashes: tally.maximumCrashes,
            lastCrashError: tally.lastCrashError, jobError: job.error,
            firstFailed: tally.firstFailed.map { JobReview.FailedUnit(index: $0.index, error: $0.error) },
            allDone: tally.allDone, diverged: tally.diverged, batchFinished: batchFinished, draining: draining)
        switch rule.decide(observed) {
        case .cancel:
            say(.notice, "cancelled; publishing what finished", job: job, state: "cancelled")
            try await store.settle(jobID, outcome: .cancelled, reason: "cancelled on request")
        case .quarantine(let reason):
            say(.error, reason, job: job, state: "quarantined")
            try await store.settle(jobID, outcome: .quarantined, reason: reason)
        case .fail(let reason):
            say(.error, reason, job: job, state: "failed")
            try await store.settle(jobID, outcome: .failed, reason: reason)
        case .publish(let diverged):
            say(.info, diverged > 0 ? "all units ended, \(diverged) of them diverged; writing the bundle" : "all units finished; writing the bundle",
                job: job, state: "publishing")
            try await store.settle(jobID, outcome: diverged > 0 ? .diverged : .done, reason: nil)
        case .nextBatch:
            try await store.requeue(jobID, interrupted: false, reason: nil)
        case .resume(let stopping):
            try await store.requeue(jobID, interrupted: true, reason: stopping ? "stopped by shutdown" : "its run ended before every unit finished")
            say(.notice, stopping ? "interrupted by shutdown after checkpointing; it resumes at the next start"
                                  : "its run ended with units left; they resume from their checkpoints", job: job, state: "interrupted")
        case .none:
            break
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

    /// The executor's states of units' tasks (Slurm: PENDING, RUNNING, …); a task that starts
    /// running is watched for silence from then on (its units from when each starts computing).
    func noteExecutorStates(_ id: SubmissionID, _ states: [Int: ExecutorTaskState]) async throws {
        guard let submission = runs.open[id] else { return }
        var byUnit: [UnitID: String] = [:]
        for (unitID, unit) in submission.units {
            guard let state = states[unit.task] else { continue }
            byUnit[unitID] = state.word
        }
        // A task Slurm runs is watched as a whole from now on; its units each from their first report.
        for (task, state) in states where state == .running && task < submission.taskCount && submission.taskRunningSince[task] == nil {
            runs.open[id]?.taskRunningSince[task] = .now
        }
        try await store.recordExecutorStates(byUnit)
    }
}
