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
        do {
            guard let found = try await store.job(jobID) else { throw Failure.permanent("no job \(jobID) in the store") }
            job = found
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .temporary("reading the job store: \(error)")
        }
        let outboxURL = URL(fileURLWithPath: outbox)
        if let published = BundleWriter.existingBundle(name: job.bundleName, source: job.claimedName, outbox: outboxURL,
                                                           submitter: job.submitter?.name) {
            return published.path
        }
        var entries: [UnitResultEntry] = []
        var start: StartWeights?
        if job.outcome != .rejected {
            do {
                (entries, start) = try await unitResults(store.units(of: jobID), in: store)
            } catch let failure as Failure {
                throw failure
            } catch {
                throw .temporary("reading the job store: \(error)")
            }
        }
        let log = JobLog(state: state).lines(claimedName: job.claimedName)
        let files = try bundleFiles(job: job, units: entries, start: start, log: log, state: state)
        do {
            return try BundleWriter.write(files, name: job.bundleName, outbox: outboxURL, source: job.claimedName,
                                          submitter: job.submitter?.name).path
        } catch {
            throw .temporary("\(error)")
        }
    }

    /// `start`: the weights a job took from earlier runs (`teacher_from`, `student_from`), as its
    /// units carry them, for the `.npy` files of `store_weights`.
    static func bundleFiles(job: JobRecord, units entries: [UnitResultEntry], start: StartWeights? = nil, log: [String],
                            state: StateFolder) throws(Failure) -> [BundleFile] {
        if job.outcome == .rejected {
            let rejection = job.rejection ?? Rejection(message: job.error ?? "rejected")
            return ResultBundle.rejection(name: job.bundleName, jobBytes: job.jobBytes,
                                          error: JobError(rejection.message, key: rejection.key, line: rejection.line, column: rejection.column),
                                          log: log, keptAt: state.rejectedFile(job.claimedName), submitter: job.submitter?.name)
        }
        var spec: JobSpec
        do {
            if FaultSwitch.unreadableJob.isSet(in: state.path) {
                throw JobError("test fault switch \(FaultSwitch.unreadableJob.rawValue) is set")
            }
            if let stored = job.spec { spec = try JobSpec(storedForm: stored) } else { spec = try JobParser.parse(job.jobBytes, defaultName: job.name) }
        } catch {
            throw .permanent("the job's stored form cannot be read: \(error)")
        }
        spec.startWeights = start
        let (runs, odes) = JobResults.outcomes(spec: spec, units: entries)
        let timing = Timing(startedAt: job.createdAt, finishedAt: Date(), steps: runs.reduce(0) { $0 + $1.steps }, resumes: job.resumes)
        let outcome = job.outcome ?? .done
        let error = outcome == .failed || outcome == .quarantined ? job.error : nil
        return ResultBundle.simulation(spec: spec, jobBytes: job.jobBytes, outcomes: runs, odes: odes, timing: timing,
                                       log: log + JobResults.logLines(runs: runs, odes: odes), status: outcome.bundleStatus, error: error,
                                       submitter: job.submitter?.name)
    }

    /// Each unit's records, read and decoded one unit at a time so that no more than one unit's
    /// stored bytes are held beside the decoded records: a finished unit's stored records, or for
    /// an unfinished one (cancelled, or stored by sgdyn 0.1.0 as its final checkpoint) what its
    /// latest checkpoint got to.
    /// Also the start weights the simulation units carry (the same in all of them), if any.
    static func unitResults(_ units: [UnitRecord], in store: JobStore) async throws -> (entries: [UnitResultEntry], start: StartWeights?) {
        var start: StartWeights?
        var entries: [UnitResultEntry] = []
        entries.reserveCapacity(units.count)
        for unit in units {
            guard let encoded = unit.spec, let work = try? WorkUnit(encoded: encoded) else {
                throw Failure.permanent("unit \(unit.index)'s work cannot be read")
            }
            if start == nil { start = work.start }
            var result: UnitResult?
            if unit.hasResult, let bytes = try await store.unitResult(unit.id) {
                do { result = try UnitResult(work, bytes: bytes) } catch { throw Failure.permanent("unit \(unit.index)'s result cannot be read: \(error)") }
            } else if let checkpoint = try await store.latestValidCheckpoint(unit.id).checkpoint {
                result = (try? UnitComputation(work, snapshot: checkpoint.snapshot)).map(UnitResult.init)
            }
            entries.append(UnitResultEntry(kind: unit.kind == .simulation ? .simulation : .ode, pointIndex: unit.pointIndex,
                                           seed: unit.seed, result: result))
        }
        return (entries, start)
    }
}
