/// The exit statuses sgdyn's commands and worker processes use, named once (sysexits.h values),
/// because the daemon decides by them what happened to a worker or a bundle writer.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Everything asked for is done.
    case success = 0
    /// Bad command-line usage.
    case usage = 64
    /// EX_DATAERR: the input (a job file) is invalid; nothing was run.
    case invalidInput = 65
    /// EX_SOFTWARE: something failed that retrying will not fix.
    case failed = 70
    /// EX_TEMPFAIL: stopped on request after checkpointing, or failed for a reason that may pass
    /// (a full disk, a permission); try again later.
    case temporaryFailure = 75
}
