import SGDynCore
import SGDynJobs
import SGDynStore

/// How many of a job's runnable units one local worker run takes. A run of a job's every unit
/// would hold its threads until the whole job ends (a 10,000-run sweep for hours) and have the
/// daemon write 10,000 spool folders before it starts, and again after every pause; a batch ends
/// within about `targetSeconds` per thread, so the scheduler chooses again (`FairShare`) at least
/// that often, and a batch's spool is written in about a second. Units are taken in order until
/// the batch holds `targetSeconds` of estimated work per thread or `maximumUnitsPerThread` units
/// per thread, and never fewer than one unit per thread.
enum LocalBatch {
    static let targetSeconds = 30.0
    static let maximumUnitsPerThread = 32

    static func units(_ runnable: [UnitRecord], threads: Int) -> [UnitRecord] {
        let threads = max(1, threads)
        let budget = targetSeconds * Double(threads)
        let limit = maximumUnitsPerThread * threads
        var seconds = 0.0
        var count = 0
        for unit in runnable {
            guard count < threads || (count < limit && seconds < budget) else { break }
            seconds += unit.spec.flatMap { try? WorkUnit(encoded: $0) }.map(WorkUnitResources.estimatedSeconds) ?? targetSeconds
            count += 1
        }
        return Array(runnable.prefix(count))
    }
}
