/// When crashes stop a job: a unit that ended without finishing this many times (its worker
/// trapped, was OOM-killed, exited with an error, or hung and was killed) quarantines its job — a
/// failed bundle saying why — so that the other jobs can run. Below that, crashed units resume from
/// their checkpoints. The count is the most crashes of any one unit of the job.
struct CrashPolicy: Sendable, Equatable {
    /// Crashes of one unit that quarantine its job.
    static let maximumCrashes = 3

    var maximumCrashes = CrashPolicy.maximumCrashes

    /// What crashes mean for a job.
    enum Verdict: Sendable, Equatable {
        /// Its crashed units resume from their checkpoints.
        case resume
        /// It is quarantined: what still runs of it is stopped, and it ends `quarantined`.
        case quarantine
    }

    /// - Parameter crashes: the most crashes of any one unit of the job.
    func verdict(crashes: Int) -> Verdict {
        crashes >= maximumCrashes ? .quarantine : .resume
    }

    /// The log line for units that just crashed, naming the count and what follows.
    func crashMessage(units: Int, reason: String, crashes: Int) -> String {
        let next = verdict(crashes: crashes) == .quarantine ? "the job is quarantined" : "they resume from their checkpoints"
        return "\(units) unit(s) ended without finishing: \(reason) (crash \(crashes) of at most \(maximumCrashes)); \(next)"
    }
}
