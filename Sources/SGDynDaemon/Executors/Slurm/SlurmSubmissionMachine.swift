import Logging

/// The decisions of one Slurm submission until Slurm has it (or never will): when to run `sbatch`,
/// when to look its token up in the queue first, what to follow and what to cancel. A value with no
/// I/O: `SlurmExecutor` runs the commands it asks for and feeds their results back.
///
/// Submission is idempotent: every array carries the submission's token as `--comment`. An `sbatch`
/// that did not answer (a controller that hangs, munged stopped, a timeout) may still have been
/// accepted — a stopped controller reads the request when it resumes — so after any `sbatch`
/// that did not clearly succeed, the token is looked up before `sbatch` runs again, and whatever
/// Slurm already accepted is adopted. Of several arrays with the token the oldest is followed and
/// the others are cancelled. (Arrays that appear later still, after the submission is followed,
/// are found by `SlurmQueueReconciliation` and cancelled.)
struct SlurmSubmissionMachine: Sendable, Equatable {
    /// Where it is.
    enum Phase: Sendable, Equatable {
        /// Ready to run `sbatch` (not before `notBefore`).
        case readyToSubmit(notBefore: ContinuousClock.Instant?)
        /// An earlier `sbatch` may have been accepted: look the token up (not before `notBefore`).
        case mustLookUp(notBefore: ContinuousClock.Instant?)
        /// A command is running; its result is awaited.
        case waitingFor(Command)
        /// Slurm has it under this job id.
        case followed(String)
        /// Over without an array to follow (refused, or stopped before Slurm took it).
        case over
    }

    /// A command the machine asks for.
    enum Command: Sendable, Equatable {
        case sbatch
        case lookUp
    }

    /// What to do next.
    enum Action: Sendable, Equatable {
        case run(Command)
        /// Nothing before this instant.
        case wait(until: ContinuousClock.Instant)
        /// Nothing more to do for this submission.
        case done
    }

    /// How an `sbatch` ended.
    enum SubmitResult: Sendable, Equatable {
        /// It printed the array's job id.
        case accepted(String)
        /// Slurm refused it for a reason no retry fixes (an invalid partition, …).
        case refused(String)
        /// No clear answer (timeout, controller unreachable, any other failure): it may or may not
        /// have been accepted.
        case unknown(String)
    }

    /// How a look-up of the token ended.
    enum LookUpResult: Sendable, Equatable {
        /// The queue answered; these arrays carry the token (oldest first or in any order).
        case found([String])
        /// The queue did not answer.
        case failed(String)
    }

    /// What the executor does after a result.
    enum Effect: Sendable, Equatable {
        /// Follow this array: it is the submission's.
        case follow(String, adopted: Bool)
        /// Cancel these arrays: duplicates of the submission (or arrays of a stopped one).
        case cancel([String])
        /// The submission can never run here: the job fails with this reason.
        case fail(String)
        /// The submission is over without running (stopped before Slurm took it, or adopted after a
        /// restart and not in the queue): its units are settled from the spool and resume.
        case endUnrun(String)
        /// A log line.
        case notice(String, level: Logger.Level)
    }

    private(set) var phase: Phase
    /// `sbatch` runs so far (for the back-off and the log).
    private(set) var submitAttempts = 0
    /// Look-ups that failed in a row.
    private(set) var failedLookUps = 0
    /// Adopted after a restart: never submitted by this daemon, so not found means not there, and
    /// it is never submitted again (its units resume in a new submission).
    let adopted: Bool
    /// The daemon asked it to stop (cancel, quarantine): no more `sbatch`; what Slurm took is
    /// cancelled.
    private(set) var stopRequested = false

    /// First retry after this long; doubled up to `maximumBackOff`.
    static let firstBackOff: Duration = .seconds(2)
    static let maximumBackOff: Duration = .seconds(60)

    /// A new submission: `sbatch` at once.
    init() {
        phase = .readyToSubmit(notBefore: nil)
        adopted = false
    }

    /// A submission a previous daemon recorded without learning its job id: look it up.
    init(adoptedAfterRestart: Void) {
        phase = .mustLookUp(notBefore: nil)
        adopted = true
    }

    func backOff(after failures: Int) -> Duration {
        var delay = Self.firstBackOff
        for _ in 1..<max(1, failures) where delay < Self.maximumBackOff { delay = delay * 2 }
        return min(delay, Self.maximumBackOff)
    }

    /// The next thing to do at `now`; running a command moves the machine to waiting for it.
    mutating func next(now: ContinuousClock.Instant) -> Action {
        switch phase {
        case .readyToSubmit(let notBefore):
            if stopRequested { phase = .over; return .done }
            if let notBefore, notBefore > now { return .wait(until: notBefore) }
            phase = .waitingFor(.sbatch)
            submitAttempts += 1
            return .run(.sbatch)
        case .mustLookUp(let notBefore):
            if let notBefore, notBefore > now { return .wait(until: notBefore) }
            phase = .waitingFor(.lookUp)
            return .run(.lookUp)
        case .waitingFor:
            // A result is awaited; the caller never asks meanwhile (one driver per submission).
            return .wait(until: now + .seconds(1))
        case .followed, .over:
            return .done
        }
    }

    /// The daemon wants it stopped. Returns what to do now (an array already followed is cancelled
    /// by the caller's usual stop; one not yet known is looked up first and cancelled when found).
    mutating func requestStop() -> [Effect] {
        stopRequested = true
        if case .readyToSubmit = phase, submitAttempts == 0 {
            // Never submitted: nothing can be in Slurm.
            phase = .over
            return [.endUnrun("stopped before it was submitted to Slurm")]
        }
        if case .readyToSubmit = phase { phase = .mustLookUp(notBefore: nil) }
        return []
    }

    mutating func sbatchEnded(_ result: SubmitResult, now: ContinuousClock.Instant) -> [Effect] {
        guard phase == .waitingFor(.sbatch) else { return [] }
        switch result {
        case .accepted(let jobID):
            phase = .followed(jobID)
            return stopRequested ? [.follow(jobID, adopted: false), .cancel([jobID])] : [.follow(jobID, adopted: false)]
        case .refused(let why):
            phase = .over
            return [.fail(why)]
        case .unknown(let why):
            let delay = backOff(after: submitAttempts)
            phase = .mustLookUp(notBefore: now + delay)
            return [.notice("sbatch gave no clear answer (\(why)); looking its token up in the queue before any retry (in \(Int(delay.components.seconds)) s)",
                            level: submitAttempts == 1 ? .warning : .notice)]
        }
    }

    mutating func lookUpEnded(_ result: LookUpResult, now: ContinuousClock.Instant) -> [Effect] {
        guard phase == .waitingFor(.lookUp) else { return [] }
        switch result {
        case .failed(let why):
            failedLookUps += 1
            let delay = backOff(after: failedLookUps)
            phase = .mustLookUp(notBefore: now + delay)
            return failedLookUps == 1
                ? [.notice("Slurm does not answer (squeue: \(why)); the submission waits and is looked up again", level: .warning)] : []
        case .found(let arrays):
            failedLookUps = 0
            // Job ids are numbers given in order: the oldest is the one Slurm took first.
            let sorted = arrays.sorted { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }
            guard let first = sorted.first else {
                if stopRequested {
                    phase = .over
                    return [.endUnrun("stopped before Slurm accepted it")]
                }
                if adopted {
                    phase = .over
                    return [.endUnrun("it was never submitted to Slurm (the daemon stopped first)")]
                }
                phase = .readyToSubmit(notBefore: nil)
                return []
            }
            phase = .followed(first)
            var effects: [Effect] = [.follow(first, adopted: true)]
            let duplicates = Array(sorted.dropFirst())
            if stopRequested {
                effects.append(.cancel(sorted))
            } else if !duplicates.isEmpty {
                effects.append(.cancel(duplicates))
                effects.append(.notice("Slurm had accepted \(sorted.count) arrays with this submission's token; following \(first), cancelling \(duplicates.joined(separator: ", "))",
                                       level: .warning))
            }
            return effects
        }
    }
}

/// Which arrays in the queue no one follows: arrays of this store (their comment starts with the
/// store's prefix) whose token is not that of a submission the executor follows or is still
/// submitting, and duplicates of a followed submission's token under another job id. They would
/// run units a second time; the executor cancels them. Pure.
enum SlurmQueueReconciliation {
    struct Stray: Sendable, Equatable {
        var arrayJobID: String
        var token: String
        var why: String
    }

    /// - Parameters:
    ///   - queue: (array job id, comment) of every array in the queue (any user's; filtered here).
    ///   - storePrefix: `sgdyn-<store token>-`.
    ///   - followed: token → the job id followed for it.
    ///   - submitting: tokens still being submitted or looked up (their arrays are theirs to adopt).
    static func strays(queue: [(arrayJobID: String, comment: String)], storePrefix: String, followed: [String: String],
                       submitting: Set<String>) -> [Stray] {
        var seen: Set<String> = []
        var strays: [Stray] = []
        for entry in queue where entry.comment.hasPrefix(storePrefix) && seen.insert(entry.arrayJobID).inserted {
            if let mine = followed[entry.comment] {
                if mine != entry.arrayJobID {
                    strays.append(Stray(arrayJobID: entry.arrayJobID, token: entry.comment,
                                        why: "a second array of submission \(entry.comment), which is followed as \(mine)"))
                }
            } else if !submitting.contains(entry.comment) {
                strays.append(Stray(arrayJobID: entry.arrayJobID, token: entry.comment, why: "no open submission of this store knows it"))
            }
        }
        return strays
    }
}
