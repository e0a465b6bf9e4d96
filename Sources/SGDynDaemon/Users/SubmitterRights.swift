import SGDynStore

/// What a submitter may do to the daemon's jobs, as decisions on values (the uid lookups happen
/// before, in `UserDirectory`): whose jobs a cancel request stops, and how high a priority it may
/// ask for.
enum SubmitterRights {
    /// Which of the unfinished jobs named in a cancel request it may cancel: an administrator's
    /// request cancels them all; anyone else's only the jobs they submitted themselves. A job stored
    /// before submitters were recorded has no known owner, so only an administrator cancels it.
    static func cancellable(_ jobs: [(id: JobID, submitter: Submitter?)], by requester: Submitter, isAdmin: Bool)
        -> (allowed: [JobID], refused: [(id: JobID, submitter: Submitter?)]) {
        var allowed: [JobID] = []
        var refused: [(id: JobID, submitter: Submitter?)] = []
        for job in jobs {
            if isAdmin || job.submitter?.uid == requester.uid { allowed.append(job.id) } else { refused.append(job) }
        }
        return (allowed, refused)
    }

    /// The priority a job runs with: what it asks for, but no more than `cap` unless its submitter
    /// is an administrator; with the warning to log when it was lowered.
    static func priority(requested: Int, cap: Int, isAdmin: Bool) -> (priority: Int, warning: String?) {
        guard !isAdmin, requested > cap else { return (requested, nil) }
        return (cap, "priority \(requested) lowered to \(cap), the highest this daemon allows submitters who are not administrators (config key max_priority)")
    }
}
