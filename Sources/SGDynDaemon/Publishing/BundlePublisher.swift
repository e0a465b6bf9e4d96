import Foundation
import SGDynCore
import SGDynJobs
import SGDynStore

/// Writes one job's bundle from the job store: the body of `sgdyn write-bundle`, which the daemon
/// runs as a child process for every job whose outcome is decided, so that reading a whole job's
/// results and rendering its files never happens in the daemon itself. Also run in-process by
/// `sgdyn publish` when no daemon is running.
public enum BundlePublisher {
    /// Why a bundle was not written.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// May pass (the outbox not writable, a full disk, the store busy): try again later.
        case temporary(String)
        /// Will not pass by itself (the stored results cannot be read).
        case permanent(String)

        public var description: String {
            switch self {
            case .temporary(let why), .permanent(let why): return why
            }
        }
    }

    /// Writes the bundle of `jobID` into `outbox` (unless a crash left it written already) and
    /// returns its folder.
    public static func write(state: StateFolder, outbox: String, jobID: JobID) async throws(Failure) -> String {
        let store: JobStore
        do { store = try JobStore.openReadOnly(at: state.database) } catch { throw .temporary("cannot open the job store: \(error)") }
        defer { try? store.close() }
        let job: JobRecord
        let units: [UnitRecord]
        var checkpoints: [UnitID: Checkpoint] = [:]
        do {
            guard let found = try await store.job(jobID) else { throw Failure.permanent("no job \(jobID) in the store") }
            job = found
            units = try await store.units(of: jobID)
            for unit in units where unit.result == nil {
                if let checkpoint = try await store.latestValidCheckpoint(unit.id).checkpoint { checkpoints[unit.id] = checkpoint }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .temporary("reading the job store: \(error)")
        }
        let outboxURL = URL(fileURLWithPath: outbox)
        if let published = BundleWriter.existingBundle(name: job.bundleName, source: job.claimedName, outbox: outboxURL) {
            return published.path
        }
        let log = JobLog(state: state).lines(claimedName: job.claimedName)
        let files = try bundleFiles(job: job, units: units, checkpoints: checkpoints, log: log, state: state)
        do {
            return try BundleWriter.write(files, name: job.bundleName, outbox: outboxURL, source: job.claimedName).path
        } catch {
            throw .temporary("\(error)")
        }
    }

    static func bundleFiles(job: JobRecord, units: [UnitRecord], checkpoints: [UnitID: Checkpoint], log: [String],
                            state: StateFolder) throws(Failure) -> [BundleFile] {
        if job.outcome == .rejected {
            let rejection = job.rejection ?? Rejection(message: job.error ?? "rejected")
            return ResultBundle.rejection(name: job.bundleName, jobBytes: job.jobBytes,
                                          error: JobError(rejection.message, key: rejection.key, line: rejection.line, column: rejection.column),
                                          log: log, keptAt: state.rejectedFile(job.claimedName))
        }
        let spec: JobSpec
        do {
            if let stored = job.spec { spec = try JobSpec(storedForm: stored) } else { spec = try JobParser.parse(job.jobBytes, defaultName: job.name) }
        } catch {
            throw .permanent("the job's stored form cannot be read: \(error)")
        }
        var entries: [UnitResultEntry] = []
        for unit in units {
            guard let encoded = unit.spec, let work = try? WorkUnit(encoded: encoded) else {
                throw .permanent("unit \(unit.index)'s work cannot be read")
            }
            var result: UnitResult?
            if let bytes = unit.result {
                do { result = try UnitResult(work, bytes: bytes) } catch { throw .permanent("unit \(unit.index)'s result cannot be read: \(error)") }
            } else if let checkpoint = checkpoints[unit.id] {
                // Not finished (cancelled, or stored by sgdyn 0.1.0 as its final checkpoint): what it got to.
                result = (try? UnitComputation(work, snapshot: checkpoint.snapshot)).map(UnitResult.init)
            }
            entries.append(UnitResultEntry(kind: unit.kind == .simulation ? .simulation : .ode, pointIndex: unit.pointIndex,
                                           seed: unit.seed, result: result))
        }
        let (runs, odes) = JobResults.outcomes(spec: spec, units: entries)
        let timing = Timing(startedAt: job.createdAt, finishedAt: Date(), steps: runs.reduce(0) { $0 + $1.steps }, resumes: job.resumes)
        let outcome = job.outcome ?? .done
        let error = outcome == .failed || outcome == .quarantined ? job.error : nil
        return ResultBundle.simulation(spec: spec, jobBytes: job.jobBytes, outcomes: runs, odes: odes, timing: timing,
                                       log: log + JobResults.logLines(runs: runs, odes: odes), status: outcome.bundleStatus, error: error)
    }
}
