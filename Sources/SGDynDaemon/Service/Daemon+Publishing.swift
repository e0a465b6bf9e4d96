import Foundation
import Logging
import SGDynJobs
import SGDynStore

/// Bundles being written and the outbox index's refreshes.
struct PublishBook {
    /// Jobs whose bundle writer runs now.
    var inFlight: Set<JobID> = []
    /// At most this many bundle writers at once (each reads a whole job's results).
    static let concurrency = 2
    var indexRefreshRunning = false
    var indexRefreshWanted: String?
    var lastIndexRefresh: ContinuousClock.Instant?
}

/// What a bundle writer (`sgdyn write-bundle`) reported.
struct PublishAttemptResult: Sendable {
    var jobID: JobID
    var result: Result<CommandResult, SystemError>
}

/// Publishing: every job whose outcome is decided gets its bundle written by a child process
/// (`sgdyn write-bundle`), which reads the store and writes the bundle; the daemon only records the
/// result. A failure that may pass (permissions, a full disk, a crash of the writer) is retried with
/// backoff — logged, and shown by `sgdyn status` — so a finished job's results are never lost; one
/// that cannot (the stored results cannot be read) leaves the job `unpublished`, its data kept, for
/// `sgdyn publish NAME`.
extension Daemon {
    func publishReadyJobs() async throws {
        for job in try await store.jobsToPublish() where !publishing.inFlight.contains(job.id) {
            guard publishing.inFlight.count < PublishBook.concurrency else { return }
            publishing.inFlight.insert(job.id)
            let arguments = ["write-bundle", "--state", state.path, "--outbox", configuration.outbox, "--job", String(job.id.rawValue)]
            let executable = self.executable
            let jobID = job.id
            Task { [mailbox] in
                let result: Result<CommandResult, SystemError>
                do throws(SystemError) {
                    result = .success(try await CommandRunner.run(executable, arguments, environment: ProcessInfo.processInfo.environment,
                                                                  timeout: .seconds(3600)))
                } catch {
                    result = .failure(error)
                }
                mailbox.post(.bundleWritten(PublishAttemptResult(jobID: jobID, result: result)))
            }
        }
    }

    func finishPublishing(_ attempt: PublishAttemptResult) async {
        publishing.inFlight.remove(attempt.jobID)
        do {
            guard let job = try await store.job(attempt.jobID), job.state == .publishing else { return }
            let end: PublishRetry.WriterEnd
            switch attempt.result {
            case .success(let run): end = PublishRetry.WriterEnd(run)
            case .failure(let error): end = .notStarted("\(error)")
            }
            switch PublishRetry.decide(end, failedAttempts: job.publishAttempts) {
            case .published(let path):
                try await published(job, at: path)
            case .unpublished(let error, nil):
                try await store.markUnpublished(job.id, error: error)
                say(.error, "its bundle cannot be written: \(error). Its results stay in the job store; fix the cause, then run `sgdyn publish \(job.name)`",
                    job: job, state: "unpublished")
            case .unpublished(let error, let crashes?):
                try await store.markUnpublished(job.id, error: error)
                say(.error, "its bundle writer failed \(crashes) times (last: \(error)). Its results stay in the job store; run `sgdyn publish \(job.name)` to try again",
                    job: job, state: "unpublished")
            case .retry(let delay, let reason):
                let attempts = try await store.postponePublishing(job.id, error: "bundle not written: \(reason)", retryAt: Date().addingTimeInterval(delay))
                say(.warning, "could not write its bundle (attempt \(attempts)): \(reason); retrying in \(Int(delay)) s", job: job, state: "publishing")
            }
        } catch {
            // The job stays `publishing`: a later pass writes its bundle again.
            noteStoreFailure(error)
            logger.error("after writing the bundle of job \(attempt.jobID): \(error)")
        }
        mailbox.tick()
    }

    private func published(_ job: JobRecord, at path: String) async throws {
        try await store.markPublished(job.id, bundlePath: path)
        if job.outcome == .rejected {
            let claimed = state.claimedFile(job.claimedName)
            if FileManager.default.fileExists(atPath: claimed), rename(claimed, state.rejectedFile(job.claimedName)) != 0 {
                logger.error("\(SystemError("moving \(claimed) to \(state.rejected)"))")
            }
            logger.info("rejection bundle written: \(path)", metadata: ["job": "\(job.bundleName)"])
        } else {
            say(.notice, "\(job.outcome?.rawValue ?? "done"); bundle \(path)", job: job, state: job.outcome?.rawValue)
            AtomicFile.removeTree(state.spool.jobFolder(job: job.id.rawValue))
            for root in executors.values.compactMap(\.spoolRoot) { AtomicFile.removeTree(SpoolLayout(root: root).jobFolder(job: job.id.rawValue)) }
            for folder in (try? await store.spoolFolders(of: job.id)) ?? [] { AtomicFile.removeTree(folder) }
        }
        refreshOutboxIndex(reason: "bundle \(job.bundleName)")
    }

    /// Rewrites outbox/index.html with `sgdyn report` in a child process (it reads every bundle's
    /// summary; a damaged bundle can never take the daemon down). At most one runs at a time; a
    /// request while one runs is kept for when it ends.
    func refreshOutboxIndex(reason: String) {
        guard !publishing.indexRefreshRunning else {
            publishing.indexRefreshWanted = reason
            return
        }
        publishing.indexRefreshRunning = true
        publishing.lastIndexRefresh = .now
        let arguments = ["report", configuration.outbox, "--state", state.path, "--quiet"]
        let executable = self.executable
        let logger = self.logger
        Task {
            let result = try? await CommandRunner.run(executable, arguments, environment: ProcessInfo.processInfo.environment,
                                                      timeout: .seconds(300))
            if let result, !result.succeeded {
                logger.warning("cannot rewrite the outbox index (\(reason)): \(result.message)")
            }
            self.indexRefreshEnded()
        }
    }

    func indexRefreshEnded() {
        publishing.indexRefreshRunning = false
        if let wanted = publishing.indexRefreshWanted {
            publishing.indexRefreshWanted = nil
            refreshOutboxIndex(reason: wanted)
        }
    }
}
