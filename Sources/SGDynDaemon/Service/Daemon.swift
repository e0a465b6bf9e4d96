import Foundation
import Logging
import SGDynCore
import SGDynJobs
import SGDynStore

/// `sgdyn serve`: takes job files from the inbox into the job store, hands their units to an
/// executor (worker processes here, or Slurm), imports what the workers report, and publishes each
/// job's bundle to the outbox — without losing or duplicating a job across crashes, restarts, full
/// disks and hostile files.
///
/// One loop (`run`) does everything in turn: intake, cancellations, following runs, scheduling,
/// publishing, status. It wakes on inbox hints, executor events, finished bundle writers, signals
/// and a one-second tick. It never computes anything for a job and never holds a job's results in
/// memory: workers compute, bundle writers (child processes) read the store and write bundles.
public actor Daemon {
    let state: StateFolder
    var configuration: DaemonConfiguration
    let configFile: String?
    let executable: String
    let logger: Logger
    let notifier: SystemdNotifier
    let store: JobStore
    let stateLock: FileLock
    let jobLog: JobLog
    /// Every executor the daemon may use, by name; `configuration.executor` picks the one new
    /// submissions go to, while running ones stay where they are.
    let executors: [String: any Executor]
    let wakeups: AsyncStream<DaemonWakeup>
    let wake: AsyncStream<DaemonWakeup>.Continuation
    /// A tick is waiting in `wakeups`: the ticker adds no other, so a pass of the loop that took
    /// long (admitting a 10,000-unit job) is followed by one extra pass, not by one per second it
    /// took, and executor events are not queued behind a backlog of ticks.
    let tickPending = Locked(false)

    var phase = DaemonPhase.starting
    var intake: Intake
    /// The submissions being followed, with what their units last reported.
    var runs = RunBook()
    /// Bundles being written, and when the outbox index was last refreshed.
    var publishing = PublishBook()
    /// systemd STATUS= and progress lines already sent.
    var reporting = StatusBook()
    /// Submitters' names and who administers the daemon.
    var users = UserDirectory()
    /// Whose turn it is among submitters at equal priority (`FairShare`).
    var schedulingTurns = FairShare.Turns()

    /// Opens the state folder (one daemon per folder), the job store and the executors. Nothing
    /// runs until `run()`.
    /// - Parameter executable: this program, started as `executable worker …` and
    ///   `executable write-bundle …`.
    public init(configuration: DaemonConfiguration, configFile: String?, executable: String, logger: Logger,
                notifier: SystemdNotifier) throws {
        let state = StateFolder(configuration.state)
        try state.create()
        for folder in [configuration.inbox, configuration.outbox] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        guard let lock = try FileLock(path: state.daemonLock) else {
            throw ConfigurationError("another sgdyn daemon is using the state folder \(state.path) (it holds \(state.daemonLock)); one daemon per state folder")
        }
        self.state = state
        self.configuration = configuration
        self.configFile = configFile
        self.executable = executable
        self.logger = logger
        self.notifier = notifier
        self.stateLock = lock
        store = try JobStore.open(at: state.database, identityFile: state.identityFile)
        jobLog = JobLog(state: state)
        intake = try Intake(configuration: configuration, state: state)
        executors = try Executors.make(configuration: configuration, executable: executable, storeID: store.storeID)
        (wakeups, wake) = AsyncStream.makeStream(of: DaemonWakeup.self, bufferingPolicy: .bufferingNewest(4096))
    }

    /// Asks the loop to stop: no more intake, running jobs checkpoint and become interrupted.
    public nonisolated func requestShutdown() { wake.yield(.shutdown) }

    /// Asks the loop to re-read the config file.
    public nonisolated func requestReload() { wake.yield(.reload) }

    /// Runs until `requestShutdown`; returns once every local worker has checkpointed and stopped.
    public func run() async throws {
        for executor in executors.values {
            Task { [wake] in
                for await event in executor.events { wake.yield(.executor(event)) }
            }
        }
        try await startUp()
        let ticker = Task { [wake, tickPending] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if tickPending.withLock({ pending in defer { pending = true }; return !pending }) { wake.yield(.tick) }
            }
        }
        defer { ticker.cancel() }
        for await wakeup in wakeups {
            await handle(wakeup)
            if case .draining = phase { break }
            hangIfFaultSwitchIsSet()
            await cycle()
        }
        await shutDown()
    }

    func handle(_ wakeup: DaemonWakeup) async {
        switch wakeup {
        case .shutdown:
            phase = .draining(deadline: .now + .seconds(25))
        case .reload:
            reloadConfiguration()
        case .executor(let event):
            await handle(event)
        case .bundleWritten(let result):
            await finishPublishing(result)
        case .inboxHint(let hint):
            intake.note(hint, logger: logger, wake: wake)
        case .tick:
            tickPending.withLock { $0 = false }
        }
    }

    /// One pass of the loop's work.
    func cycle() async {
        do {
            checkFreeSpace()
            if phase.acceptsWork { try await takeFromInbox() }
            try await handleCancellations()
            try await followRuns()
            if phase.acceptsWork { try await schedule() }
            try await publishReadyJobs()
            try await reportStatus()
        } catch {
            logger.error("scheduler loop: \(error)")
        }
        notifier.send(.watchdog)
    }

    func startUp() async throws {
        logger.info("job store \(state.database) opened (store \(store.storeID), quick_check ok)")
        for stale in BundleWriter.removeStaleTemporaryFolders(in: URL(fileURLWithPath: configuration.outbox)) {
            logger.notice("removed the unfinished bundle folder \(stale) left by an earlier run")
        }
        try await convertLegacyJobs()
        try await adoptOpenSubmissions()
        try await reconcileClaimedFiles()
        intake.startWatching(logger: logger, wake: wake)
        phase = .serving
        checkFreeSpace()
        if phase.acceptsWork {
            try await takeFromInbox()
            try await schedule()
        }
        try await publishReadyJobs()
        try await reportStatus()
        refreshOutboxIndex(reason: "start-up")
        notifier.send(.ready)
        logger.info("sgdyn \(SGDynVersion.string) serving inbox \(configuration.inbox) → outbox \(configuration.outbox) with the \(configuration.executor) executor (\(configuration.workers) local worker thread(s))")
    }

    func shutDown() async {
        let local = runs.open.values.filter { $0.executor == "local" }.count
        logger.notice("shutting down: no more intake; checkpointing \(local) local run(s)")
        notifier.send(.stopping)
        intake.stopWatching()
        for submission in runs.open.values where submission.executor == "local" {
            await executors["local"]?.stop(submission.id)
        }
        var lastExtension = ContinuousClock.now - .seconds(10)
        guard case .draining(let deadline) = phase else { return }
        while runs.open.values.contains(where: { $0.executor == "local" }) && ContinuousClock.now < deadline {
            if ContinuousClock.now - lastExtension >= .seconds(5) {
                notifier.send(.extendTimeout(.seconds(10)))
                lastExtension = .now
            }
            if let wakeup = await nextWakeup(within: .milliseconds(200)), case .executor(let event) = wakeup {
                await handle(event)
            }
        }
        for submission in runs.open.values where submission.executor == "local" {
            logger.error("the worker of job \(submission.jobName) did not stop in time; killing it (it resumes from its last checkpoint)")
            await executors["local"]?.kill(submission.id)
        }
        for executor in executors.values { await executor.shutDown() }
        try? store.close()
        phase = .stopped
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
            let reloaded = try configuration.reloading(configFile: configFile)
            if reloaded.inbox != configuration.inbox || reloaded.outbox != configuration.outbox || reloaded.state != configuration.state {
                logger.warning("SIGHUP: folder changes in \(configFile) take effect after a restart")
            }
            if executors[reloaded.executor] == nil {
                logger.warning("SIGHUP: the \(reloaded.executor) executor can only be enabled by a restart; new jobs stay on \(configuration.executor)")
            }
            configuration.adoptReloadable(from: reloaded, available: Set(executors.keys))
            (executors["local"] as? LocalExecutor)?.setWorkers(configuration.workers)
            (executors["slurm"] as? SlurmExecutor)?.update(configuration.slurm)
            logger.notice("SIGHUP: reloaded \(configFile): executor \(configuration.executor), \(configuration.workers) local thread(s), checkpoints every \(configuration.checkpointInterval) s (running jobs keep their settings)")
        } catch {
            logger.error("SIGHUP: cannot reload \(configFile): \(error); keeping the current settings")
        }
    }

    /// The test-only fault switch for the watchdog test: hang the loop while the file exists.
    func hangIfFaultSwitchIsSet() {
        guard FaultSwitch.hangScheduler.isSet(in: state.path) else { return }
        logger.critical("test fault switch \(FaultSwitch.hangScheduler.rawValue) is set: the scheduler loop hangs (no watchdog pings)")
        while FaultSwitch.hangScheduler.isSet(in: state.path) {
            usleep(1_000_000)  // deliberately blocks the loop, as a real hang would
        }
    }

    /// Logs a line about a job to journald (with `job=` metadata) and to the job's own log file.
    func say(_ level: Logger.Level, _ message: String, job: JobRecord, state: String? = nil) {
        say(level, message, jobName: job.name, state: state ?? job.state.rawValue, claimedName: job.claimedName)
    }

    func say(_ level: Logger.Level, _ message: String, jobName: String, state: String? = nil, claimedName: String?) {
        var metadata: Logger.Metadata = ["job": "\(jobName)"]
        if let state { metadata["state"] = "\(state)" }
        logger.log(level: level, "job \(jobName): \(message)", metadata: metadata)
        if let claimedName { jobLog.append(level, message, claimedName: claimedName) }
    }
}
