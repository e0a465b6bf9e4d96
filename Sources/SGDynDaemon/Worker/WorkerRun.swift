import CProcessControl
import Foundation
import Logging
import SGDynCore
import SGDynJobs
import Synchronization

/// The body of `sgdyn worker`: runs the units of one task of a submission, reading and writing
/// only the spool (never the job store, which may be on another machine): each unit's work, the
/// checkpoint to resume from; then checkpoints every `checkpointInterval`, a heartbeat every
/// second (the first as a unit starts computing), and the outcome when it ends. SIGTERM (a local stop) and SIGUSR1 (Slurm's warning
/// before a time limit) make every unit checkpoint and stop.
///
/// Exit status: 0 when every unit ended (done or diverged), 75 when stopped (or the disk is full),
/// 70 when some unit's files could not be written or read.
public enum WorkerRun {
    /// Seconds between heartbeats (progress files) of each running unit.
    static let heartbeatInterval: Duration = .seconds(1)

    public static func run(spoolFolder: String, submission: Int64, task: Int, threads: Int, checkpointInterval: Duration,
                           logger: Logger) async -> ExitStatus {
        var logger = logger
        logger[metadataKey: "submission"] = "\(submission)"
        if let parent = ProcessInfo.processInfo.environment[WorkerEnvironment.parentPID].flatMap(Int32.init) {
            // A local worker dies with its daemon; if the daemon is already gone, stop at once.
            if sgdyn_die_with_parent() != 0 { logger.warning("worker: cannot arrange to stop with the daemon: \(SystemError("prctl"))") }
            guard getppid() == parent else {
                logger.error("worker: the daemon that started it is gone")
                return .temporaryFailure
            }
        }
        let entries: [SubmissionTasks.Entry]
        let token: String
        do {
            let path = spoolFolder + "/submission-\(submission).tasks"
            guard let bytes = try AtomicFile.read(path, limit: 64 << 20) else {
                logger.error("worker: no tasks file \(path)")
                return .failed
            }
            let tasks = try SubmissionTasks(text: String(decoding: bytes, as: UTF8.self))
            guard tasks.tasks.indices.contains(task) else {
                logger.error("worker: submission \(submission) has no task \(task)")
                return .failed
            }
            entries = tasks.tasks[task]
            token = tasks.token
        } catch {
            logger.error("worker: cannot read its tasks: \(error)")
            return .failed
        }
        let stop = StopFlag.installHandlers(for: [SIGTERM, SIGUSR1])
        let run = WorkerUnits(spoolFolder: spoolFolder, token: token, entries: entries, logger: logger)
        let units = run.threadedUnits()
        if FaultSwitch.crashWorker.isSet(in: (spoolFolder as NSString).deletingLastPathComponent) {
            fatalError("test fault switch \(FaultSwitch.crashWorker.rawValue) is set")
        }
        logger.info("worker running \(units.count) unit(s) of task \(task) on \(threads) thread(s)")
        let heartbeat = run.startHeartbeat(every: heartbeatInterval)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                UnitThreads(threads: threads, checkpointInterval: checkpointInterval).run(units, events: { event in
                    run.handle(event)
                    if run.diskFull { stop.set() }
                }, stopRequested: { stop.isSet })
                done.resume()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        heartbeat.set()
        let problems = run.problems
        for problem in problems { logger.error("worker: \(problem)") }
        if run.diskFull {
            logger.notice("worker stopped: the disk is full; its units resume from their last checkpoints")
            return .temporaryFailure
        }
        if stop.isSet {
            logger.info("worker stopped on request; checkpoints written")
            return .temporaryFailure
        }
        return problems.isEmpty ? .success : .failed
    }
}

/// The units of one worker and what it knows of them while they run: their spool folders, when
/// they started, and their latest progress (which the heartbeat writes).
final class WorkerUnits: Sendable {
    let spoolFolder: String
    /// The submission's token, written into every report (`ReportIdentity`).
    let token: String
    let entries: [SubmissionTasks.Entry]
    let logger: Logger
    private let state = Locked(State())

    private struct State {
        /// SHA-256 of each unit's work, once read.
        var works: [Int64: String] = [:]
        var running: [Int64: RunningUnit] = [:]
        /// Each running unit's lock on its attempt folder.
        var locks: [Int64: FileLock] = [:]
        var problems: [String] = []
        var diskFull = false
    }

    private struct RunningUnit {
        var started: ContinuousClock.Instant
        var wallBefore: Double
        var stepsDone: Int64
        var totalSteps: Int64
        var eg: Double?
    }

    init(spoolFolder: String, token: String, entries: [SubmissionTasks.Entry], logger: Logger) {
        self.spoolFolder = spoolFolder
        self.token = token
        self.entries = entries
        self.logger = logger
    }

    var problems: [String] { state.withLock { $0.problems } }
    var diskFull: Bool { state.withLock { $0.diskFull } }

    func folder(_ unit: Int64) -> UnitSpoolFolder? {
        entries.first { $0.unit == unit }.map { UnitSpoolFolder(path: spoolFolder + "/unit-\($0.unit)/attempt-\($0.attempt)") }
    }

    /// Each unit's computation: from its own latest checkpoint when this attempt already wrote one
    /// (Slurm requeued the task), else from the checkpoint the daemon handed over, else fresh. A
    /// unit that already reported an outcome in this attempt is not run again.
    func threadedUnits() -> [ThreadedUnit] {
        entries.compactMap { entry in
            let folder = UnitSpoolFolder(path: spoolFolder + "/unit-\(entry.unit)/attempt-\(entry.attempt)")
            if FileManager.default.fileExists(atPath: folder.outcome) { return nil }
            let logger = self.logger
            return ThreadedUnit(id: entry.unit) { [self] in
                // One process per unit attempt: after a slurmctld crash Slurm may start a task a
                // second time while the first still runs (docs/slurm.md). The second leaves it.
                guard let lock = try FileLock(path: folder.path + "/lock") else {
                    logger.notice("unit \(entry.unit): another worker runs it; leaving it to that one")
                    return nil
                }
                self.keep(lock, for: entry.unit)
                if FileManager.default.fileExists(atPath: folder.outcome) { return nil }
                guard let bytes = try AtomicFile.read(folder.work, limit: 64 << 20) else {
                    throw SystemError("reading \(folder.work)", errno: ENOENT)
                }
                self.noteWork(entry.unit, SHA256.hexDigest(bytes))
                let work = try WorkUnit(encoded: bytes)
                // A run on a real data set reads it here, in the worker (never in the daemon): a
                // missing, changed or non-finite file fails the unit with the key that names it.
                let dataSet = try DataSetCache.dataSet(for: work)
                for source in [folder.checkpoint, folder.resume] {
                    do {
                        guard let report = try AtomicFile.read(source, limit: JobLimits.maxSnapshotBytes + (1 << 20)) else { continue }
                        let decoded: UnitReport
                        do {
                            decoded = try UnitReport.decode(report).report
                        } catch where source == folder.resume {
                            // The checkpoint the daemon handed over is damaged: report it (the unit
                            // fails here) so the daemon writes it again from the store, rather than
                            // starting over and losing the unit's progress.
                            throw SpoolDamage(path: source, reason: "\(error)")
                        }
                        guard case .checkpoint(let progress, let snapshot) = decoded else { continue }
                        let computation: UnitComputation
                        do {
                            computation = try UnitComputation(work, snapshot: snapshot, dataSet: dataSet)
                        } catch let error where "\(error)".contains(Simulation.dataChangedMessage) {
                            // Not a damaged checkpoint: starting over would silently mix two data sets.
                            throw DataSetFiles.Failure(message: "\(error)", key: "data")
                        }
                        self.noteWallBefore(entry.unit, progress.wallSeconds)
                        return computation
                    } catch let damage as SpoolDamage {
                        throw damage
                    } catch let changed as DataSetFiles.Failure {
                        throw changed
                    } catch {
                        logger.warning("unit \(entry.unit): cannot resume from \(source) (\(error)); trying the previous one")
                    }
                }
                return try UnitComputation(work, dataSet: dataSet)
            }
        }
    }

    private func noteWork(_ unit: Int64, _ digest: String) {
        state.withLock { $0.works[unit] = digest }
    }

    /// Whom a report of `unit` is for.
    func identity(_ unit: Int64) -> ReportIdentity {
        let attempt = entries.first { $0.unit == unit }?.attempt ?? 0
        return ReportIdentity(token: token, unit: unit, attempt: attempt, workSHA256: state.withLock { $0.works[unit] } ?? "")
    }

    private func keep(_ lock: FileLock, for unit: Int64) {
        state.withLock { $0.locks[unit] = lock }
    }

    private func noteWallBefore(_ unit: Int64, _ wall: Double) {
        state.withLock { $0.running[unit] = RunningUnit(started: .now, wallBefore: wall, stepsDone: 0, totalSteps: 0) }
    }

    func handle(_ event: UnitEvent) {
        switch event {
        case .started(let id, let stepsDone, let totalSteps):
            state.withLock { state in
                let before = state.running[id]?.wallBefore ?? 0
                state.running[id] = RunningUnit(started: .now, wallBefore: before, stepsDone: stepsDone, totalSteps: totalSteps)
            }
            // The daemon measures a unit's silence from its first heartbeat: write it now, as the
            // unit starts computing (units waiting for a thread write none, see `StallRule`).
            if let folder = folder(id) {
                try? AtomicFile.write(UnitReport.progress(progress(id, stepsDone, totalSteps, nil)).encoded(for: identity(id)), to: folder.progress, durable: false, mode: 0o600)
            }
        case .progress(let id, _, let stepsDone, _, let eg):
            state.withLock { state in
                state.running[id]?.stepsDone = stepsDone
                if let eg { state.running[id]?.eg = eg }
            }
        case .checkpoint(let id, let snapshot, let stepsDone, let totalSteps, let eg):
            write(.checkpoint(progress(id, stepsDone, totalSteps, eg), snapshot: snapshot), to: \.checkpoint, unit: id)
        case .stopped(let id, let snapshot, let stepsDone, let totalSteps, let eg):
            let p = progress(id, stepsDone, totalSteps, eg)
            if write(.checkpoint(p, snapshot: snapshot), to: \.checkpoint, unit: id) {
                write(.outcome(UnitOutcome(kind: .stopped, progress: p)), to: \.outcome, unit: id)
            }
            finish(id)
        case .finished(let id, let computation):
            let p = progress(id, computation.stepsDone, computation.totalSteps, computation.latestEg)
            let diverged = computation.divergence
            write(.outcome(UnitOutcome(kind: diverged == nil ? .done : .diverged, progress: p, divergedAt: diverged?.t,
                                       result: computation.resultBytes())), to: \.outcome, unit: id)
            finish(id)
        case .failed(let id, let message):
            write(.outcome(UnitOutcome(kind: .failed, progress: progress(id, 0, 0, nil), message: message)), to: \.outcome, unit: id)
            finish(id)
        }
    }

    private func progress(_ id: Int64, _ stepsDone: Int64, _ totalSteps: Int64, _ eg: Double?) -> UnitProgress {
        let wall = state.withLock { state in
            state.running[id].map { $0.wallBefore + (ContinuousClock.now - $0.started).seconds } ?? 0
        }
        return UnitProgress(stepsDone: stepsDone, totalSteps: totalSteps, wallSeconds: wall, latestEg: eg,
                            writtenAt: Date().timeIntervalSince1970)
    }

    private func finish(_ id: Int64) {
        let lock = state.withLock { state -> FileLock? in
            state.running.removeValue(forKey: id)
            return state.locks.removeValue(forKey: id)
        }
        lock?.release()
    }

    /// Writes a report durably; a full disk stops the worker (its units resume later), any other
    /// failure is a problem of this unit.
    @discardableResult
    private func write(_ report: UnitReport, to file: KeyPath<UnitSpoolFolder, String>, unit: Int64) -> Bool {
        guard let folder = folder(unit) else { return false }
        do {
            var bytes = report.encoded(for: identity(unit))
            if file == \UnitSpoolFolder.outcome, !bytes.isEmpty,
               FaultSwitch.damageOutcome.isSet(in: (spoolFolder as NSString).deletingLastPathComponent) {
                bytes[bytes.count - 1] ^= 1
            }
            try AtomicFile.write(bytes, to: folder[keyPath: file], mode: 0o600)
            return true
        } catch {
            state.withLock { state in
                if error.isOutOfSpace { state.diskFull = true } else { state.problems.append("unit \(unit): \(error)") }
            }
            return false
        }
    }

    /// Writes every running unit's progress every `interval` until the returned flag is set.
    func startHeartbeat(every interval: Duration) -> StopFlag {
        let stop = StopFlag()
        let thread = Thread { [self] in
            while !stop.isSet {
                Thread.sleep(forTimeInterval: interval.seconds)
                let running = state.withLock { $0.running }
                for (id, unit) in running where unit.totalSteps > 0 {
                    guard let folder = folder(id) else { continue }
                    let report = UnitReport.progress(progress(id, unit.stepsDone, unit.totalSteps, unit.eg))
                    try? AtomicFile.write(report.encoded(for: identity(id)), to: folder.progress, durable: false, mode: 0o600)
                }
            }
        }
        thread.name = "sgdyn-heartbeat"
        thread.start()
        return stop
    }
}

/// A spool file the daemon wrote is damaged; the daemon writes it again from the store.
struct SpoolDamage: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "damaged spool file \(path): \(reason)" }
}

/// Set once a stop is asked for; unit threads poll it between chunks.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }

    /// A flag set by any of `signals`.
    static func installHandlers(for signals: [Int32]) -> StopFlag {
        let stop = StopFlag()
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.set() }
            source.resume()
            sources.append(source)
        }
        return stop
    }
}
