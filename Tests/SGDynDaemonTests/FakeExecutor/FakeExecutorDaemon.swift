import Foundation
import Logging
@testable import SGDynDaemon
import SGDynJobs
import SGDynStore
#if canImport(Glibc)
import Glibc
#endif

/// A real `Daemon` actor, in this process, on temporary folders, with a `FakeExecutor` as its
/// only executor (registered as a third kind, `fake`). Time is scaled down (checkpoints every
/// 50 ms, tiny jobs), never the shape: jobs go through intake, scheduling, the spool, the
/// executor's events, review and settlement as with `sgdyn serve`. Publishing needs a child
/// process (`sgdyn write-bundle`): the daemon is given an executable that does not exist, so its
/// attempts fail and are retried; the tests assert on the store and write the bundle in-process
/// with `BundlePublisher`, the body of that child process.
final class FakeExecutorDaemon: Sendable {
    let folder: TemporaryFolder
    let inbox: String
    let outbox: String
    let state: String
    /// The fake's spool root (outside the state folder, like Slurm's shared spool).
    let spool: String
    let logs = LogLines()
    /// Every daemon started, asked to stop when the fixture goes (a test that failed half-way).
    private let started = Locked<[Daemon]>([])

    init(stallKill: Double = 1800) throws {
        self.stallKill = stallKill
        folder = try TemporaryFolder("sgdyn-fake")
        inbox = try folder.subfolder("inbox")
        outbox = try folder.subfolder("outbox")
        state = try folder.subfolder("state")
        spool = try folder.subfolder("shared-spool")
        chmod(spool, 0o700)
    }

    /// Seconds of silence before a running task is killed (`stall_kill`; the config file's
    /// range starts at 2 s, tests set it directly).
    let stallKill: Double

    var configuration: DaemonConfiguration {
        var c = DaemonConfiguration()
        c.inbox = inbox
        c.outbox = outbox
        c.state = state
        c.executor = .fake
        c.workers = 2
        c.checkpointInterval = 0.05
        c.quietPeriod = 0.05
        c.inboxPollInterval = .milliseconds(50)
        c.stallWarning = stallKill / 2
        c.stallKill = stallKill
        return c
    }

    /// Starts a daemon whose only executor is `fake`; its `run()` goes on in the returned task.
    func start(_ fake: FakeExecutor) throws -> (Daemon, Task<Void, any Error>) {
        let logs = self.logs
        let daemon = try Daemon(configuration: configuration, configFile: nil, executable: folder.file("no-such-sgdyn"),
                                logger: Logger(label: "sgdyn-test") { _ in logs.handler() },
                                notifier: SystemdNotifier(environment: [:]), registry: ExecutorRegistry([fake.registration]))
        started.withLock { $0.append(daemon) }
        return (daemon, Task { try await daemon.run() })
    }

    deinit {
        for daemon in started.withLock({ $0 }) { daemon.requestShutdown() }
    }

    /// Drops a job file into the inbox as a submitter would (written aside, renamed in).
    func drop(_ name: String, _ json: String) throws {
        let aside = (inbox as NSString).appendingPathComponent(".\(name).json.tmp")
        try Data(json.utf8).write(to: URL(fileURLWithPath: aside))
        try FileManager.default.moveItem(atPath: aside, toPath: (inbox as NSString).appendingPathComponent("\(name).json"))
    }

    /// The job named `name` once `condition` holds for it, or nil after `timeout` — and at least
    /// 1,500 looks 20 ms apart: in the whole suite, CPU-bound tests may hold the cooperative
    /// threads (and so the daemon) for minutes, which must not count against it.
    func job(_ name: String, of daemon: Daemon, within timeout: Duration = .seconds(30),
             until condition: @Sendable (JobRecord) -> Bool) async throws -> JobRecord? {
        let deadline = ContinuousClock.now + timeout
        let store = await daemon.store
        var looks = 0
        while ContinuousClock.now < deadline || looks < 1_500 {
            if let job = try await store.jobs(named: name).first, condition(job) { return job }
            try await Task.sleep(for: .milliseconds(20))
            looks += 1
        }
        return nil
    }

    /// Asks the daemon to stop and waits at most `timeout` for `run()` to return; false if it did not.
    func stop(_ daemon: Daemon, _ run: Task<Void, any Error>, within timeout: Duration = .seconds(120)) async -> Bool {
        daemon.requestShutdown()
        return await value(within: timeout, otherwise: false) { (try? await run.value) != nil }
    }
}

/// A small job: `seeds` units of a few hundred SGD steps each (milliseconds).
func tinyJob(seeds: Int) -> String {
    #"{"N": 20, "K": 1, "M": 1, "t_max": 2, "points": 2, "seeds": \#(seeds)}"#
}

/// Every log line of a daemon, for assertions.
final class LogLines: Sendable {
    private let lines = Locked<[String]>([])

    var all: [String] { lines.withLock { $0 } }
    func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }

    func handler() -> some LogHandler { Handler(lines: self) }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let lines: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String,
                 line: UInt) {
            lines.append("\(level): \(message)")
        }
    }
}
