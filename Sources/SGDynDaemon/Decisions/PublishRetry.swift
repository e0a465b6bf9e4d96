import Foundation
import SGDynJobs

/// What follows an attempt to write a job's bundle: the decision, as a value, from how the bundle
/// writer (`sgdyn write-bundle`, a child process) ended and how many attempts failed before
/// (issue 19, item 2).
///
/// A failure that may pass — the writer exits 75 (outbox not writable, a full disk, a read-only
/// mount), crashes, times out or cannot be started — is retried with backoff: 5 s, doubling, at
/// most every 10 minutes; the job stays `publishing` and nothing is lost. Only a failure retrying
/// cannot fix — the writer exits 70 (the stored results cannot be read) — or a writer that crashed
/// on the job five times leaves it `unpublished`, its results kept, for `sgdyn publish NAME`.
struct PublishRetry: Sendable, Equatable {
    /// Longest wait between two attempts, in seconds.
    static let maximumDelay: Double = 600
    /// Crashes of the bundle writer itself after which the job is left unpublished.
    static let maximumWriterCrashes = 5

    /// How one attempt ended.
    enum WriterEnd: Sendable, Equatable {
        /// It wrote the bundle here (the last line of its output).
        case wrote(path: String)
        /// It refused for good (exit 70, EX_SOFTWARE).
        case refused(String)
        /// It failed for a reason that may pass (exit 75, EX_TEMPFAIL).
        case temporaryFailure(String)
        /// It died otherwise (a signal, another status, its timeout).
        case crashed(String)
        /// It could not be started at all.
        case notStarted(String)

        /// Reads a finished writer's result.
        init(_ run: CommandResult) {
            if run.succeeded {
                self = .wrote(path: run.standardOutput.split(separator: "\n").last.map(String.init) ?? "")
            } else if run.termination == .exited(ExitStatus.failed.rawValue) {
                self = .refused(run.message)
            } else if run.termination == .exited(ExitStatus.temporaryFailure.rawValue) {
                self = .temporaryFailure(run.message)
            } else {
                self = .crashed(run.message)
            }
        }
    }

    /// What to do.
    enum Action: Sendable, Equatable {
        /// Record the bundle.
        case published(path: String)
        /// Leave the job `unpublished` with this error; `crashes` is set when the writer crashed
        /// that many times, nil when it refused.
        case unpublished(error: String, crashes: Int?)
        /// Try again after `delay` seconds; `reason` says why this attempt failed.
        case retry(delay: Double, reason: String)
    }

    /// - Parameter failedAttempts: attempts that failed before this one (`publishAttempts`).
    static func decide(_ end: WriterEnd, failedAttempts: Int) -> Action {
        let reason: String
        let writerCrashed: Bool
        switch end {
        case .wrote(let path): return .published(path: path)
        case .refused(let message): return .unpublished(error: message, crashes: nil)
        case .temporaryFailure(let message): (reason, writerCrashed) = (message, false)
        case .crashed(let message): (reason, writerCrashed) = (message, true)
        case .notStarted(let error): (reason, writerCrashed) = ("the bundle writer could not be started: \(error)", false)
        }
        if writerCrashed, failedAttempts + 1 >= maximumWriterCrashes {
            return .unpublished(error: reason, crashes: failedAttempts + 1)
        }
        return .retry(delay: delay(afterFailedAttempts: failedAttempts), reason: reason)
    }

    /// 5 s after the first failure, doubling, at most `maximumDelay`.
    static func delay(afterFailedAttempts attempts: Int) -> Double {
        min(maximumDelay, 5 * pow(2, Double(attempts)))
    }
}
