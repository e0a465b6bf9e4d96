import SGDynStore

/// How an executor's event the job store cannot record now is retried: the decision, as a value,
/// from the attempt number and the store's error (issue 19, item 2).
///
/// An event that changes what the store says about a run (a task ended, a submission failed or was
/// identified) must be recorded whatever happens — a job never stays `running` without a worker —
/// so it is retried as a control event after 1, 2, 4, … up to 30 s until it is; the error is
/// logged on the first attempt and every tenth. A full disk first gives up the space reserve.
enum RecordRetry {
    /// Seconds to wait after a failed attempt (1-based).
    static func delay(afterAttempt attempt: Int) -> Duration {
        .seconds(min(30, 1 << min(max(attempt - 1, 0), 5)))
    }

    /// Whether a failed attempt is logged (the first and every tenth, so a long outage is not a flood).
    static func logs(attempt: Int) -> Bool {
        attempt == 1 || attempt % 10 == 0
    }

    /// Whether the space reserve is given up before retrying: only when the disk is full.
    static func releasesReserve(after error: any Error) -> Bool {
        if case JobStoreError.diskFull = error { return true }
        return false
    }
}
