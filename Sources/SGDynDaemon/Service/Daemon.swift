import Foundation
import Logging
import SGDynCore
import SGDynJobs
import SGDynStore

/// Something that wakes the daemon's scheduler loop.
enum DaemonWakeup: Sendable {
    case tick
    case inboxHint(InboxHint)
    case workerExited(JobID, WorkerExit)
    case reload
    case shutdown
}

/// `sgdyn serve`: takes job files from the inbox into the job store, runs them in worker
/// processes, and publishes their bundles to the outbox — without losing or duplicating a job
/// across crashes, restarts, full disks and hostile files.
///
/// One loop (`run`) does everything in turn: intake, cancellations, scheduling, bookkeeping of
/// finished workers, systemd status. It wakes on inbox hints, worker exits, signals and a
/// one-second tick, and never runs simulations itself.
public actor Daemon {
    var configuration: DaemonConfiguration
    let configFile: String?
    let executable: String
    let logger: Logger
    let notifier: SystemdNotifier
    let wakeups: AsyncStream<DaemonWakeup>
    let wake: AsyncStream<DaemonWakeup>.Continuation

    var store: JobStore!
    var scanner: InboxScanner!
    var claimer: InboxClaimer!
    var jobLog: JobLog
    var watcher: (any InboxWatcher)?
    var workers: [JobID: WorkerProcess] = [:]
    var stopping = false
    var intakePaused = false
    var lastFullScan = ContinuousClock.now
    var nextRecheck: ContinuousClock.Instant?
    var lastStatus = ""
    var lastProgressLog: [JobID: ContinuousClock.Instant] = [:]
    var stateLock: FileLock?
    /// Jobs whose bundle is being written in the background (ODE integrations can take seconds).
    var publishing: Set<JobID> = []

    /// - Parameters:
    ///   - executable: this program, started as `executable worker …` for each job.
    public init(configuration: DaemonConfiguration, configFile: String?, executable: String, logger: Logger,
                notifier: SystemdNotifier) {
        self.configuration = configuration
        self.configFile = configFile
        self.executable = executable
        self.logger = logger
        self.notifier = notifier
        self.jobLog = JobLog(directory: configuration.logsDirectory)
        (wakeups, wake) = AsyncStream.makeStream(of: DaemonWakeup.self, bufferingPolicy: .bufferingNewest(4096))
    }

    /// Asks the loop to stop: no more intake, running jobs checkpoint and become interrupted.
    public nonisolated func requestShutdown() { wake.yield(.shutdown) }

    /// Asks the loop to re-read the config file.
    public nonisolated func requestReload() { wake.yield(.reload) }

    /// Runs until `requestShutdown`; returns once every worker has checkpointed and stopped.
    public func run() async throws {
        try await startUp()
        let ticker = Task { [wake] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                wake.yield(.tick)
            }
        }
        defer { ticker.cancel() }
        for await wakeup in wakeups {
            switch wakeup {
            case .shutdown:
                stopping = true
            case .reload:
                reloadConfiguration()
            case .workerExited(let jobID, let exit):
                await workerExited(jobID, exit)
            case .inboxHint(let hint):
                if case .watchEnded(let reason) = hint { switchToPolling(reason) }
            case .tick:
                break
            }
            if stopping { break }
            await hangIfFaultSwitchIsSet()
            await cycle()
        }
        await shutDown()
    }

    /// One pass of the loop's work.
    func cycle() async {
        do {
            checkFreeSpace()
            try await requeueOrphans()
            if !intakePaused { try await intake() }
            try await handleCancellations()
            if !intakePaused { try await schedule() }
            try await reportStatus()
        } catch {
            logger.error("scheduler loop: \(error)")
        }
        notifier.send(.watchdog)
    }

    func startUp() async throws {
        for folder in [configuration.inbox, configuration.outbox, configuration.state, configuration.rejectedDirectory] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let lockPath = (configuration.state as NSString).appendingPathComponent("daemon.lock")
        guard let lock = try FileLock(path: lockPath) else {
            throw ConfigurationError("another sgdyn daemon is using the state folder \(configuration.state) (it holds \(lockPath)); one daemon per state folder")
        }
        stateLock = lock
        store = try JobStore.open(at: configuration.databasePath)
        logger.info("job store \(configuration.databasePath) opened (quick_check ok)")
        for stale in BundleWriter.removeStaleTemporaryFolders(in: URL(fileURLWithPath: configuration.outbox)) {
            logger.notice("removed the unfinished bundle folder \(stale) left by an earlier run")
        }
        for jobID in try await store.recoverInterrupted() {
            if let job = try await store.job(jobID) {
                say(.notice, "was running when the daemon stopped; it will resume from its checkpoints", job: job)
            }
        }
        claimer = try InboxClaimer(inbox: configuration.inbox, stateDirectory: configuration.state)
        scanner = InboxScanner(inbox: configuration.inbox, quietPeriod: .seconds(configuration.quietPeriod))
        try await reconcileClaimedFiles()
        startWatcher()
        try await intake()
        try await schedule()
        try await reportStatus()
        notifier.send(.ready)
        logger.info("sgdyn \(SGDynVersion.string) serving inbox \(configuration.inbox) → outbox \(configuration.outbox) with \(configuration.workers) simulation thread(s)")
    }

    func shutDown() async {
        logger.notice("shutting down: no more intake; checkpointing \(workers.count) running job(s)")
        notifier.send(.stopping)
        watcher?.stop()
        for worker in workers.values { worker.requestStop() }
        let deadline = ContinuousClock.now + .seconds(25)
        var lastExtension = ContinuousClock.now - .seconds(10)
        while !workers.isEmpty && ContinuousClock.now < deadline {
            if ContinuousClock.now - lastExtension >= .seconds(5) {
                notifier.send(.extendTimeout(.seconds(10)))
                lastExtension = .now
            }
            if let wakeup = await nextWakeup(within: .milliseconds(200)), case .workerExited(let jobID, let exit) = wakeup {
                await workerExited(jobID, exit)
            }
        }
        for worker in workers.values {
            logger.error("worker of job \(worker.jobName) did not stop in time; killing it (it resumes from its last checkpoint)")
            worker.kill9()
        }
        try? store.close()
        logger.notice("stopped")
    }

    /// The next wakeup, or nil after `timeout`.
    func nextWakeup(within timeout: Duration) async -> DaemonWakeup? {
        let timer = Task { [wake] in
            try await Task.sleep(for: timeout)
            wake.yield(.tick)
        }
        defer { timer.cancel() }
        var iterator = wakeups.makeAsyncIterator()
        let next = await iterator.next()
        if case .tick? = next { return nil }
        return next
    }

    func reloadConfiguration() {
        guard let configFile else {
            logger.notice("SIGHUP: no config file given; nothing to reload")
            return
        }
        do {
            let reloaded = try DaemonConfiguration(inbox: configuration.inbox, outbox: configuration.outbox, state: configuration.state,
                                                   workers: configuration.workers, checkpointInterval: configuration.checkpointInterval,
                                                   minFreeBytes: configuration.minFreeBytes, quietPeriod: configuration.quietPeriod,
                                                   rescanInterval: configuration.rescanInterval).applying(configFile: configFile)
            if reloaded.inbox != configuration.inbox || reloaded.outbox != configuration.outbox || reloaded.state != configuration.state {
                logger.warning("SIGHUP: folder changes in \(configFile) take effect after a restart")
            }
            configuration.workers = reloaded.workers
            configuration.checkpointInterval = reloaded.checkpointInterval
            configuration.minFreeBytes = reloaded.minFreeBytes
            configuration.rescanInterval = reloaded.rescanInterval
            logger.notice("SIGHUP: reloaded \(configFile): \(configuration.workers) simulation thread(s), checkpoints every \(configuration.checkpointInterval) s (running jobs keep their settings)")
        } catch {
            logger.error("SIGHUP: cannot reload \(configFile): \(error); keeping the current settings")
        }
    }

    /// The test-only fault switch for the watchdog test: hang the loop while the file exists.
    func hangIfFaultSwitchIsSet() async {
        guard FileManager.default.fileExists(atPath: configuration.hangSwitchPath) else { return }
        logger.critical("test fault switch \(configuration.hangSwitchPath) is set: the scheduler loop hangs (no watchdog pings)")
        while FileManager.default.fileExists(atPath: configuration.hangSwitchPath) {
            usleep(1_000_000)  // deliberately blocks the loop, as a real hang would
        }
    }

    /// Logs a line about a job to journald (with `job=` metadata) and to the job's own log file.
    func say(_ level: Logger.Level, _ message: String, job: JobRecord) {
        say(level, message, jobName: job.name, state: job.state.rawValue, claimedPath: job.claimedPath)
    }

    func say(_ level: Logger.Level, _ message: String, jobName: String, state: String? = nil, claimedPath: String?) {
        var metadata: Logger.Metadata = ["job": "\(jobName)"]
        if let state { metadata["state"] = "\(state)" }
        logger.log(level: level, "job \(jobName): \(message)", metadata: metadata)
        if let claimedPath { jobLog.append(level, message, claimedPath: claimedPath) }
    }
}
