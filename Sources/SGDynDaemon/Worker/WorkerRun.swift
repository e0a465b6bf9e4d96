import CProcessControl
import Foundation
import Logging
import SGDynCore
import SGDynJobs
import SGDynStore
import Synchronization

/// The body of `sgdyn worker`: runs the unfinished units of one job on dedicated threads,
/// resuming each from its last valid checkpoint, checkpointing every `checkpointInterval` and
/// when asked to stop (SIGTERM), and recording finished units in the job store.
///
/// Exit status: 0 when every unit is done, 75 when stopped on request (checkpoints written),
/// anything else on failure. A worker is a separate process so that a trap or an out-of-memory
/// kill in one job never takes the daemon or other jobs down.
public enum WorkerRun {
    public static func run(statePath: String, jobID: JobID, threads: Int, checkpointInterval: Duration,
                           logger: Logger) async -> Int32 {
        var logger = logger
        if sgdyn_die_with_parent() != 0 {
            logger.warning("worker: cannot arrange to stop with the daemon: \(String(cString: strerror(errno)))")
        }
        // One worker per job, ever: a second one (e.g. from a daemon restarted while an old
        // worker was still exiting) waits for the lock and then finds the units it needs.
        let lockDirectory = (statePath as NSString).appendingPathComponent("locks")
        try? FileManager.default.createDirectory(atPath: lockDirectory, withIntermediateDirectories: true)
        let lockPath = (lockDirectory as NSString).appendingPathComponent("job-\(jobID.rawValue).lock")
        var jobLock: FileLock?
        let lockDeadline = ContinuousClock.now + .seconds(30)
        while jobLock == nil {
            do { jobLock = try FileLock(path: lockPath) } catch {
                logger.error("worker: \(error)")
                return 70
            }
            if jobLock == nil {
                guard ContinuousClock.now < lockDeadline else {
                    logger.error("worker: job \(jobID) is still locked by another worker after 30 s")
                    return WorkerExit.stoppedStatus
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        defer { jobLock?.release() }
        let databasePath = (statePath as NSString).appendingPathComponent("sgdyn.sqlite")
        let store: JobStore
        do {
            store = try JobStore.open(at: databasePath)
        } catch {
            logger.error("worker cannot open the job store \(databasePath): \(error)")
            return 70
        }
        defer { try? store.close() }
        do {
            guard let job = try await store.job(jobID) else {
                logger.error("worker: no job \(jobID) in the store")
                return 70
            }
            logger[metadataKey: "job"] = "\(job.name)"
            let units = try await store.runnableUnits(of: jobID)
            var work: [UnitWork] = []
            for unit in units {
                let recovery = try await store.latestValidCheckpoint(unit.id)
                for skipped in recovery.skipped {
                    logger.warning("unit \(unit.index): \(skipped); falling back to the previous checkpoint")
                }
                var simulation: Simulation?
                if let checkpoint = recovery.checkpoint {
                    do {
                        simulation = try Simulation(snapshot: checkpoint.snapshot)
                    } catch {
                        logger.warning("unit \(unit.index): checkpoint \(checkpoint.sequence) cannot be restored (\(error)); starting the unit again")
                    }
                }
                if simulation == nil { simulation = Simulation(parameters: try UnitParameters.decode(unit.parametersJSON)) }
                try await store.markUnitRunning(unit.id)
                let ready = simulation!
                work.append(UnitWork(id: unit.id.rawValue) { ready })
            }
            if FileManager.default.fileExists(atPath: (statePath as NSString).appendingPathComponent(".fault-crash-worker")) {
                fatalError("test fault switch .fault-crash-worker is set")
            }
            logger.info("worker running \(work.count) unit(s) on \(threads) thread(s)")
            let stopRequested = StopFlag.installSIGTERMHandler()
            let failures = Mutex<[String]>([])
            let unitStarts = Mutex<[Int64: ContinuousClock.Instant]>([:])
            let latestErrors = Mutex<[Int64: Double]>([:])
            let executor = UnitExecutor(threads: threads, checkpointInterval: checkpointInterval)
            let allWork = work
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    executor.run(allWork, events: { event in
                        do {
                            try handle(event, store: store, unitStarts: unitStarts, latestErrors: latestErrors)
                        } catch {
                            failures.withLock { $0.append("\(error)") }
                            // A full disk is not the job's fault: stop every unit (their last
                            // stored checkpoints remain) and let the daemon resume it later.
                            if WorkerRun.isDiskFull(error) { stopRequested.set() }
                        }
                    }, stopRequested: { stopRequested.isSet })
                    done.resume()
                }
                thread.start()
            }
            let problems = failures.withLock { $0 }
            for problem in problems { logger.error("worker: \(problem)") }
            if stopRequested.isSet {
                logger.info(problems.isEmpty ? "worker stopped on request; checkpoints written"
                                             : "worker stopped: the disk is full; the job resumes from its last stored checkpoints")
                return WorkerExit.stoppedStatus
            }
            let remaining = try await store.runnableUnits(of: jobID).count + (try await store.units(of: jobID).filter { $0.state == .running }.count)
            return remaining == 0 && problems.isEmpty ? 0 : 70
        } catch {
            logger.error("worker failed: \(error)")
            return 70
        }
    }

    /// Whether a store error means the disk (or quota) is full: SQLite's SQLITE_FULL (13), which
    /// the store reports in its message (this module does not see SQLite's types).
    static func isDiskFull(_ error: any Error) -> Bool {
        let text = "\(error)"
        return text.contains("SQLite error 13") || text.contains("disk is full")
    }

    /// Stores what a simulation thread reports. Runs on that thread and waits for the store,
    /// which is fine: simulation threads are dedicated, not the cooperative pool.
    static func handle(_ event: UnitEvent, store: JobStore, unitStarts: borrowing Mutex<[Int64: ContinuousClock.Instant]>,
                       latestErrors: borrowing Mutex<[Int64: Double]>) throws {
        switch event {
        case .started(let id):
            unitStarts.withLock { $0[id] = .now }
        case .progress(let id, _, let eg):
            if let eg { latestErrors.withLock { $0[id] = eg } }
        case .checkpoint(let id, let snapshot, let step), .stopped(let id, let snapshot, let step):
            let wall = elapsed(id, unitStarts)
            let eg = latestErrors.withLock { $0[id] }
            try blocking {
                _ = try await store.saveCheckpoint(UnitID(id), snapshot: snapshot, stepsDone: Int64(step))
                try await store.recordUnitProgress(UnitID(id), stepsDone: Int64(step), wallSeconds: wall, latestEg: eg)
            }
        case .finished(let id, let simulation):
            let wall = elapsed(id, unitStarts)
            let final = simulation.records.last
            let result = JSONValue.object([("final_eg", final.map { .double($0.eg) } ?? .null), ("steps", .int(simulation.step))])
            let snapshot = simulation.snapshot()
            try blocking {
                _ = try await store.saveCheckpoint(UnitID(id), snapshot: snapshot, stepsDone: Int64(simulation.step))
                try await store.recordUnitProgress(UnitID(id), stepsDone: Int64(simulation.step), wallSeconds: wall, latestEg: final?.eg)
                try await store.completeUnit(UnitID(id), resultJSON: JSONWriter.string(result, pretty: false), wallSeconds: wall)
            }
        }
    }

    private static func elapsed(_ id: Int64, _ starts: borrowing Mutex<[Int64: ContinuousClock.Instant]>) -> Double {
        let start = starts.withLock { $0[id] } ?? .now
        return (ContinuousClock.now - start).seconds
    }
}

/// Runs async work from a dedicated (non-cooperative) thread and waits for it.
func blocking(_ operation: @escaping @Sendable () async throws -> Void) throws {
    let semaphore = DispatchSemaphore(value: 0)
    let outcome = Mutex<(any Error)?>(nil)
    Task {
        do { try await operation() } catch { outcome.withLock { $0 = error } }
        semaphore.signal()
    }
    semaphore.wait()
    if let error = outcome.withLock({ $0 }) { throw error }
}

/// Set once SIGTERM arrives; simulation threads poll it between chunks.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    nonisolated(unsafe) private static var source: DispatchSourceSignal?

    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }

    static func installSIGTERMHandler() -> StopFlag {
        let stop = StopFlag()
        signal(SIGTERM, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        source.setEventHandler { stop.set() }
        source.resume()
        Self.source = source
        return stop
    }
}
