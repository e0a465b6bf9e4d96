import SGDynStore

/// The scheduler's choice between submitters, as a value: which waiting job starts next, with how
/// many local worker threads, and which local run to pause so that a submitter with nothing
/// running gets a turn.
///
/// - Priority first: a job of higher priority always starts before one of lower priority.
/// - At equal priority, the submitter with the fewest worker threads in use goes first (by runs in
///   flight), and among those the one whose last start is longest ago (round robin); within one
///   submitter, first come first served.
/// - While other submitters wait, a job gets no more threads than its submitter's share
///   (`workers` ÷ submitters with work, at least 1); with nobody else waiting it gets every free
///   thread, so one submitter alone uses the whole machine.
/// - When no thread is free and a waiting submitter has nothing running, the run of the submitter
///   holding the most threads beyond its share (at no higher priority than the waiting job) is
///   paused: it checkpoints, stops, and resumes later with its share. One pause at a time.
///
/// Only local runs hold threads; Slurm runs are shared out by the cluster.
struct FairShare: Sendable, Equatable {
    /// A local run in flight.
    struct Running: Sendable, Equatable {
        var submission: SubmissionID
        var job: JobID
        var submitter: String
        var priority: Int
        var threads: Int
        /// Already asked to stop (cancel, shutdown, pause): its threads are about to come free.
        var stopping: Bool
    }

    /// When each submitter last had a run started, for round robin; the daemon keeps it between
    /// its scheduling passes.
    struct Turns: Sendable, Equatable {
        var last: [String: Int] = [:]
        var clock = 0
    }

    /// Threads in all local workers together.
    var workers: Int
    /// Jobs waiting to start, none of them with a run in flight.
    var waiting: [SchedulingCandidate]
    var running: [Running]
    var turns = Turns()

    /// Threads the runs of `submitter` use now.
    func threads(of submitter: String) -> Int {
        running.filter { $0.submitter == submitter }.reduce(0) { $0 + $1.threads }
    }

    /// Submitters with work: running or waiting.
    var activeSubmitters: Set<String> {
        Set(waiting.map(\.submitter)).union(running.map(\.submitter))
    }

    /// Each active submitter's share of the worker threads (at least one).
    var share: Int {
        max(1, workers / max(1, activeSubmitters.count))
    }

    /// The job to start next, if any waits.
    func next() -> SchedulingCandidate? {
        guard let top = waiting.map(\.priority).max() else { return nil }
        let inFlight = Dictionary(grouping: running, by: \.submitter).mapValues { $0.reduce(0) { $0 + $1.threads } }
        return waiting.filter { $0.priority == top }.min { a, b in
            let (ta, tb) = (inFlight[a.submitter] ?? 0, inFlight[b.submitter] ?? 0)
            if ta != tb { return ta < tb }
            let (la, lb) = (turns.last[a.submitter] ?? -1, turns.last[b.submitter] ?? -1)
            return la != lb ? la < lb : a.order < b.order
        }
    }

    /// Threads to give `candidate` (with `units` units to run) when `free` are free: all it can use,
    /// unless other submitters wait, then no more than what is left of its submitter's share.
    func threads(for candidate: SchedulingCandidate, free: Int, units: Int) -> Int {
        let wanted = max(1, min(free, units))
        let othersWait = waiting.contains { $0.submitter != candidate.submitter && $0.job != candidate.job }
        guard othersWait else { return wanted }
        return max(1, min(wanted, share - threads(of: candidate.submitter)))
    }

    /// Records that `candidate` started as `submission` with `threads` threads.
    mutating func started(_ candidate: SchedulingCandidate, as submission: SubmissionID, threads: Int) {
        waiting.removeAll { $0.job == candidate.job }
        turns.clock += 1
        turns.last[candidate.submitter] = turns.clock
        running.append(Running(submission: submission, job: candidate.job, submitter: candidate.submitter,
                               priority: candidate.priority, threads: threads, stopping: false))
    }

    /// Takes `candidate` off the waiting list without starting it (nothing of it can run now).
    mutating func skip(_ candidate: SchedulingCandidate) {
        waiting.removeAll { $0.job == candidate.job }
    }

    /// The run to pause when no thread is free: one of the submitter holding the most threads
    /// beyond its share, so that the waiting job chosen by `next()`, whose submitter has nothing
    /// running, gets a turn. Nil when nobody starves, a pause is already under way, or only runs
    /// of higher priority than the waiting job hold threads.
    func runToPause() -> Running? {
        guard let candidate = next(), threads(of: candidate.submitter) == 0, !running.contains(where: \.stopping) else { return nil }
        let share = self.share
        let holders = Set(running.map(\.submitter)).filter { threads(of: $0) > share }
        guard let greediest = holders.sorted().max(by: { threads(of: $0) < threads(of: $1) }) else { return nil }
        return running.filter { $0.submitter == greediest && $0.priority <= candidate.priority }
            .min { ($0.priority, -$0.threads, -$0.submission.rawValue) < ($1.priority, -$1.threads, -$1.submission.rawValue) }
    }
}
