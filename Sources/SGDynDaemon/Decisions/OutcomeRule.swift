import SGDynJobs

/// What a unit's reported outcome does to it: the decision, as a value, from the outcome its worker
/// wrote and — for a failure only — whether its spool files still are what the daemon wrote
/// (issue 19, item 2).
///
/// A failure is the unit's own only when its spool is intact: a work file that is missing or
/// differs from the stored work, or a checkpoint to resume from that is missing or does not decode,
/// was damaged after the daemon wrote it, so the unit ends like a stopped one and is handed over
/// again with its files written afresh — retrying the same unit from the same files would fail the
/// same way, retrying it from fresh files will not.
enum OutcomeRule {
    /// What to do with the unit.
    enum Action: Sendable, Equatable {
        /// Record its result (it ended `done`, or `diverged` at this time, its finite records kept).
        case complete(divergedAt: Double?)
        /// Nothing now: it stopped on request, and resumes when its task's end is settled.
        case awaitTaskEnd
        /// Not its fault: it is taken as stopped and resumes from the job store's copy of its files.
        case resumeAfterSpoolDamage(String)
        /// It cannot be computed, for this reason (its job fails once nothing of it runs).
        case fail(String)
    }

    /// Whether the spool is checked before deciding: only a failure can be the spool's fault.
    static func checksSpool(_ kind: UnitOutcome.Kind) -> Bool {
        kind == .failed
    }

    /// - Parameter spoolDamage: why its spool differs from what the daemon wrote, nil when intact
    ///   (or not checked).
    static func decide(_ kind: UnitOutcome.Kind, message: String, divergedAt: Double?, spoolDamage: String?) -> Action {
        switch kind {
        case .done, .diverged: return .complete(divergedAt: divergedAt)
        case .stopped: return .awaitTaskEnd
        case .failed: return spoolDamage.map(Action.resumeAfterSpoolDamage) ?? .fail(message)
        }
    }
}
