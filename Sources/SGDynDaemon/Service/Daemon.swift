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
    /// The executors it can make (`ExecutorRegistry.standard` for `sgdyn serve`).
    let registry: ExecutorRegistry
    /// Every executor the daemon may use, by kind; `configuration.executor` picks the one new
    /// submissions go to, while running ones stay where they are.
    var executors: [ExecutorKind: any Executor]
    /// What wakes the loop: control events (lossless, in order) and coalesced inbox news.
    let mailbox = DaemonMailbox()

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
    /// Whether another process holds the job store locked, and when to try it again.
    var storeOutage = StoreOutage()

    /// Opens the state folder (one daemon per folder), the job store and the executors. Nothing
    /// runs until `run()`.
    /// - Parameters:
    ///   - executable: this program, started as `executable worker …` and
    ///     `executable write-bundle …`.
    ///   - registry: the executors it may make (tests register an in-process one).
    public init(configuration: DaemonConfiguration, configFile: String?, executable: String, logger: Logger,
                notifier: SystemdNotifier, registry: ExecutorRegistry = .standard) throws {
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
        self.registry = registry
        executors = try registry.make(ExecutorContext(configuration: configuration, executable: executable, storeID: store.storeID))
    }

    /// Asks the loop to stop: no more intake, running jobs checkpoint and become interrupted.
    public nonisolated func requestShutdown() { mailbox.post(.shutdown) }

    /// Asks the loop to re-read the config file.
    public nonisolated func requestReload() { mailbox.post(.reload) }

    /// Inbox churn alone (files created and deleted in the inbox, nothing for the loop to take)
    /// runs at most one pass per this interval; control events are handled at once.
    static let inboxPassSpacing: Duration = .milliseconds(100)

    /// Runs until `requestShutdown`; returns once every task that does not outlive the daemon (a
    /// local worker) has checkpointed and stopped.
    public func run() async throws {
        for executor in executors.values { forwardEvents(of: executor) }
        try await startUp()
        let ticker = Task { [mailbox] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                mailbox.tick()
            }
        }
        defer { ticker.cancel() }
        var lastPass = ContinuousClock.now - Self.inboxPassSpacing
        while true {
            var wakeups = await mailbox.next()
            if wakeups.control.isEmpty, ContinuousClock.now - lastPass < Self.inboxPassSpacing {
                // Only inbox news (or the tick): let more of it gather, so churn in the inbox costs
                // at most one listing per interval.
                try? await Task.sleep(until: lastPass + Self.inboxPassSpacing)
                wakeups.merge(mailbox.take())
            }
            // Every control event taken is handled, also those after a shutdown request.
            for event in wakeups.control { await handle(event) }
            intake.note(wakeups.inbox, logger: logger, mailbox: mailbox)
            if case .draining = phase { break }
            hangIfFaultSwitchIsSet()
            await cycle()
            lastPass = .now
        }
        await shutDown()
    }

    /// Hands an executor's events to the loop. Its event stream is unbounded; each event becomes
    /// a control event, which the mailbox never drops.
    func forwardEvents(of executor: any Executor) {
        Task { [mailbox] in
            for await event in executor.events { mailbox.post(.executor(event)) }
        }
    }

    func handle(_ event: DaemonControlEvent) async {
        switch event {
        case .shutdown:
            if case .draining = phase { return }
            phase = .draining(deadline: .now + .seconds(25))
        case .reload:
            reloadConfiguration()
        case .executor(let event):
            await handle(event)
        case .executorRetry(let event, let attempt):
            await handle(event, attempt: attempt)
        case .bundleWritten(let result):
            await finishPublishing(result)
        case .offLoopResult(_, let deliver):
            await deliver(self)
        }
    }

    /// Runs `work` off the loop (on the cooperative pool; blocking work should hop to a thread of
    /// its own inside, see `onDedicatedThread`) and hands its result — or a timeout after
    /// `timeout` — to `deliver`, run on the daemon's actor by the loop as a control event, which
    /// is never dropped. This is the one way for work that may wait on something outside the
    /// daemon (a locked store, a slow disk, an external command) to report back. A `work` that
    /// outlives its timeout is left to finish; its late result is discarded.
    nonisolated func offLoop<T: Sendable>(_ label: String, timeout: Duration, work: @escaping @Sendable () async throws -> T,
                                          deliver: @escaping @Sendable (isolated Daemon, Result<T, any Error>) async -> Void) {
        let delivered = Locked(false)
        let mailbox = self.mailbox
        let post: @Sendable (Result<T, any Error>) -> Void = { result in
            guard delivered.withLock({ done in defer { done = true }; return !done }) else { return }
            mailbox.post(.offLoopResult(label: label, deliver: { daemon in await deliver(daemon, result) }))
        }
        let timer = Task {
            try await Task.sleep(for: timeout)
            post(.failure(OffLoopTimeout(label: label, timeout: timeout)))
        }
        Task {
            do {
                post(.success(try await work()))
            } catch {
                post(.failure(error))
            }
            timer.cancel()
        }
    }

    /// One pass of the loop's work.
    func cycle() async {
        // While another process holds the store locked, a pass does nothing but ping the watchdog
        // (running workers go on by themselves); a probe every ≤ 5 s sees when the lock is gone.
        guard await storeAvailable() else {
            notifier.send(.watchdog)
            return
        }
        do {
            checkFreeSpace()
            if phase.acceptsWork {
                await retryUnrecordedClaims()
                try await takeFromInbox()
            }
            try await handleCancellations()
            try await followRuns()
            if phase.acceptsWork { try await schedule() }
            try await publishReadyJobs()
            try await reportStatus()
        } catch {
            if !noteStoreFailure(error) { logger.error("scheduler loop: \(error)") }
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
        intake.startWatching(logger: logger, mailbox: mailbox)
        phase = .serving
        checkFreeSpace()
        if phase.acceptsWork {
            try await takeFromInbox()
            try await schedule()
        }
        try await publishReadyJobs()
        try await reportStatus()
        refreshOutboxIndex(reason: "start-up")
        // From now on a write waits briefly for another process's lock (see `StoreOutage`).
        try await store.limitLockWait(to: Self.storeLockWait)
        notifier.send(.ready)
        logger.info("sgdyn \(SGDynVersion.string) serving inbox \(configuration.inbox) → outbox \(configuration.outbox) with the \(configuration.executor) executor (\(configuration.workers) local worker thread(s))")
    }

    /// The open submissions whose tasks end with the daemon (`Executor.tasksOutliveDaemon`): at
    /// shutdown they checkpoint and stop; the others go on and the next daemon adopts them.
    func runsEndingWithDaemon() -> [OpenSubmission] {
        runs.open.values.filter { executors[$0.executor].map { !$0.tasksOutliveDaemon } ?? false }
    }

    func shutDown() async {
        let local = runsEndingWithDaemon().count
        logger.notice("shutting down: no more intake; checkpointing \(local) local run(s)")
        notifier.send(.stopping)
        intake.stopWatching()
        // A submission whose spool is still being written never ran: it ends now, its job back to
        // the queue for the next start, without waiting for the disk.
        await endPreparingSubmissions()
        for submission in runsEndingWithDaemon() {
            await executors[submission.executor]?.stop(submission.id)
        }
        var lastExtension = ContinuousClock.now - .seconds(10)
        guard case .draining(let deadline) = phase else { return }
        while !runsEndingWithDaemon().isEmpty && ContinuousClock.now < deadline {
            if ContinuousClock.now - lastExtension >= .seconds(5) {
                notifier.send(.extendTimeout(.seconds(10)))
                lastExtension = .now
            }
            for event in await mailbox.next(timeout: .milliseconds(200)).control {
                switch event {
                case .executor, .executorRetry, .offLoopResult, .bundleWritten: await handle(event)
                case .reload, .shutdown: break
                }
            }
        }
        for submission in runsEndingWithDaemon() {
            logger.error("the worker of job \(submission.jobName) did not stop in time; killing it (it resumes from its last checkpoint)")
            await executors[submission.executor]?.kill(submission.id)
        }
        for executor in executors.values { await executor.shutDown() }
        try? store.close()
        // The process exits next; released here too so that a daemon started again in the same
        // process (the in-process tests) can take the state folder.
        stateLock.release()
        phase = .stopped
        logger.notice("stopped")
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
            for executor in executors.values { executor.reconfigure(configuration) }
            logger.notice("SIGHUP: reloaded \(configFile): executor \(configuration.executor), \(configuration.workers) local thread(s), checkpoints every \(configuration.checkpointInterval) s, stall_warning \(Int(configuration.stallWarning)) s, stall_kill \(Int(configuration.stallKill)) s (running jobs keep their threads and checkpoint interval)")
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
