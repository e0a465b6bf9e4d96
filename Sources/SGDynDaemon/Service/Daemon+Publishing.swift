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
    /// Longest wait between two attempts to write a bundle.
    static let maximumPublishDelay: Double = 600
    /// Crashes of the bundle writer itself after which the job is left unpublished.
    static let maximumPublishCrashes = 5

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
            switch attempt.result {
            case .success(let run) where run.succeeded:
                let path = run.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
                try await published(job, at: path)
            case .success(let run) where run.termination == .exited(ExitStatus.failed.rawValue):
                try await store.markUnpublished(job.id, error: run.message)
                say(.error, "its bundle cannot be written: \(run.message). Its results stay in the job store; fix the cause, then run `sgdyn publish \(job.name)`",
                    job: job, state: "unpublished")
            case .success(let run):
                try await postpone(job, because: run.message, writerCrashed: run.termination != .exited(ExitStatus.temporaryFailure.rawValue))
            case .failure(let error):
                try await postpone(job, because: "the bundle writer could not be started: \(error)", writerCrashed: false)
            }
        } catch {
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

    private func postpone(_ job: JobRecord, because reason: String, writerCrashed: Bool) async throws {
        if writerCrashed, job.publishAttempts + 1 >= Self.maximumPublishCrashes {
            try await store.markUnpublished(job.id, error: reason)
            say(.error, "its bundle writer failed \(job.publishAttempts + 1) times (last: \(reason)). Its results stay in the job store; run `sgdyn publish \(job.name)` to try again",
                job: job, state: "unpublished")
            return
        }
        let delay = min(Self.maximumPublishDelay, 5 * pow(2, Double(job.publishAttempts)))
        let attempts = try await store.postponePublishing(job.id, error: "bundle not written: \(reason)", retryAt: Date().addingTimeInterval(delay))
        say(.warning, "could not write its bundle (attempt \(attempts)): \(reason); retrying in \(Int(delay)) s", job: job, state: "publishing")
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
