import Foundation
import Logging
import SGDynJobs
import SGDynStore

/// Starting a submission once its spool is written off the loop (`SpoolRequest`): handed to its
/// executor, or — cancelled, stopped by shutdown, or its files not written — ended before it ever
/// ran, its units back to the queue.
extension Daemon {
    /// How long writing one submission's spool may take (a hung shared file system) before the
    /// loop gives up on it: the submission ends unstarted and the job is tried again later.
    static let spoolTimeout: Duration = .seconds(900)

    /// The spool of a `preparing` submission was written (or not): start it, or end it unstarted.
    /// Store failures before it starts are retried after 1, 2, 4, … up to 30 s (`RecordRetry`), so
    /// a preparing submission never stays open without a worker; nothing is handed to an executor
    /// twice (it stops being `preparing` just before).
    func spoolWritten(_ request: SpoolRequest, _ result: Result<SpoolWritten, any Error>, attempt: Int = 1) async {
        let id = request.submission, job = request.job
        guard let open = runs.open[id], open.preparing else { return }
        // Whether other runs of the job go on (a resubmission on Slurm): the job's state is theirs too.
        let alone = runs.submissions(of: job.id).allSatisfy { $0.id == id }
        do {
            switch result {
            case .failure(let error):
                say(.error, "cannot write its spool files: \(error); it is retried", job: job)
                try await endUnstarted(open, reason: "spool: \(error)")
                if alone { try await store.requeue(job.id, interrupted: true, reason: "its spool files could not be written: \(error)") }
            case .success(let written):
                for line in written.skippedCheckpoints where attempt == 1 { say(.warning, line, job: job) }
                if open.stop != nil || !phase.acceptsWork {
                    // Cancelled, stopped for shutdown or quarantine while its files were written.
                    try await endUnstarted(open, reason: nil)
                    try await review(job.id)
                } else {
                    try await start(written.prepared, open: open, job: job, alone: alone)
                }
            }
        } catch {
            if !noteStoreFailure(error) { logger.error("starting a run of job \(job.name): \(error)") }
            guard runs.open[id]?.preparing == true else { return }
            let delay = RecordRetry.delay(afterAttempt: attempt)
            if RecordRetry.logs(attempt: attempt) {
                logger.error("cannot record the start or end of a run of job \(job.name) (attempt \(attempt)): \(error); retrying every \(Int(delay.seconds)) s")
            }
            let mailbox = self.mailbox
            Task {
                try? await Task.sleep(for: delay)
                mailbox.post(.offLoopResult(label: "the spool of job \(job.name), again", deliver: { daemon in
                    await daemon.spoolWritten(request, result, attempt: attempt + 1)
                }))
            }
        }
    }

    /// At shutdown: every submission still being prepared ends unstarted and its job is reviewed
    /// (back to the queue, "stopped by shutdown"). Its spool's late result is then ignored.
    func endPreparingSubmissions() async {
        for open in runs.open.values.filter(\.preparing).sorted(by: { $0.id < $1.id }) {
            do {
                try await endUnstarted(open, reason: nil)
                try await review(open.jobID)
            } catch {
                // Left `submitting` in the store: the next start ends it (`adoptOpenSubmissions`).
                logger.error("ending the unstarted run of job \(open.jobName) at shutdown: \(error)")
            }
        }
    }

    /// Ends a submission that never ran: recorded first (its units become interrupted), then no
    /// longer followed, its folders removed.
    private func endUnstarted(_ open: OpenSubmission, reason: String?) async throws {
        _ = try await store.endSubmission(open.id, crashed: [], reason: reason)
        runs.open.removeValue(forKey: open.id)
        for unit in open.units.values { AtomicFile.removeTree(unit.folder.path) }
    }

    /// Hands the submission to its executor and follows it as running.
    private func start(_ prepared: PreparedSubmission, open: OpenSubmission, job: JobRecord, alone: Bool) async throws {
        guard let executor = executors[open.executor] else {
            try await endUnstarted(open, reason: "its executor \(open.executor) is not available")
            try await review(job.id)
            return
        }
        var open = open
        open.preparing = false
        runs.open[open.id] = open
        let externalID: String?
        do {
            externalID = try await executor.submit(prepared)
        } catch {
            let why: String
            switch error { case .temporary(let reason), .permanent(let reason): why = reason }
            // Nothing runs: back to `preparing` until its end is recorded (retried if that fails).
            open.preparing = true
            runs.open[open.id] = open
            try await endUnstarted(open, reason: why)
            switch ResubmissionRule.afterRefusal(error, alone: alone) {
            case .retryLater(let requeue):
                say(.warning, "could not be submitted (\(why)); it stays queued and is tried again", job: job)
                if requeue { try await store.requeue(job.id, interrupted: true, reason: "submission failed: \(why)") }
            case .failJob(let now):
                say(.error, "cannot be run: \(why)", job: job)
                // With other runs going on, it fails once they have ended and this comes back.
                if now { try await store.settle(job.id, outcome: .failed, reason: why) }
            }
            return
        }
        if externalID != nil { killIfFaultSwitchIsSet(before: open.id) }
        if executor.scheduling == .workerThreads {
            // A local worker runs from now: its task is watched as a whole from now on, each unit
            // from its first report (when a thread takes it), so waiting behind the job's other
            // units never counts (`StallRule`).
            for task in 0..<open.taskCount { open.taskRunningSince[task] = .now }
            runs.open[open.id] = open
        }
        // Slurm's job id comes later (`submissionIdentified`); until then the submission stays
        // `submitting`, and a restart looks it up by its token. Followed from now on, even if
        // recording the id fails (the restart adopts it by token).
        if externalID != nil {
            try await store.activateSubmission(open.id, externalID: externalID)
        }
        if executor.scheduling == .workerThreads {
            // Waiting for a thread of their worker until each reports (`sgdyn status` counts them apart).
            try await store.recordExecutorStates(Dictionary(uniqueKeysWithValues: open.units.keys.map { ($0, ExecutorTaskState.waiting.word) }))
        }
    }
}
