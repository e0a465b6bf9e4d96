import ArgumentParser
import Foundation
import Logging
import SGDynDaemon
import ServiceLifecycle
import UnixSignals

/// `sgdyn serve`: the daemon, in the foreground (systemd or a terminal runs it).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: take jobs from the inbox, run them, write bundles to the outbox.",
        discussion: """
            Drop job files into the inbox (write .NAME.json.tmp, then rename it to NAME.json, or use \
            `sgdyn submit`). Bundles appear in the outbox. State (the SQLite job store, claimed files, \
            checkpoints, per-job logs) lives in the state folder. SIGTERM checkpoints running jobs and \
            exits 0; SIGHUP re-reads the config file. Command-line options win over the config file.
            """
    )

    @Option(help: "Inbox folder to watch for job files (default: inbox).")
    var inbox: String?

    @Option(help: "Outbox folder for result bundles (default: outbox).")
    var outbox: String?

    @Option(help: "State folder: job store, claimed files, checkpoints, logs (default: state).")
    var state: String?

    @Option(help: "Threads in all worker processes together (default: all cores; 1 to 4096).")
    var workers: Int?

    @Option(name: .customLong("checkpoint-interval"), help: "Seconds between checkpoints of each running unit (default: 60; 0.001 to 86400).")
    var checkpointInterval: Double?

    @Option(help: "JSON config file with keys \(DaemonConfiguration.keys.map(\.name).joined(separator: ", ")); re-read on SIGHUP.")
    var config: String?

    var commandLine: CommandLineSettings {
        CommandLineSettings(inbox: inbox, outbox: outbox, state: state, workers: workers, checkpointInterval: checkpointInterval)
    }

    func validate() throws {
        do { try commandLine.check() } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let configuration = try DaemonConfiguration.starting(configFile: config, commandLine: commandLine)
        LoggingSystem.bootstrap { JournalLogHandler(label: $0) }
        let logger = Logger(label: "sgdyn")
        let daemon = try Daemon(configuration: configuration, configFile: config, executable: Self.executablePath(),
                            logger: logger, notifier: SystemdNotifier(logger: logger))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: DaemonService(daemon: daemon))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// This program's own path, for starting worker processes.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// Adapts the daemon to swift-service-lifecycle: graceful shutdown on SIGTERM/SIGINT, reload on SIGHUP.
struct DaemonService: Service {
    let daemon: Daemon

    func run() async throws {
        let reloads = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) { daemon.requestReload() }
        }
        defer { reloads.cancel() }
        try await withGracefulShutdownHandler {
            try await daemon.run()
        } onGracefulShutdown: {
            daemon.requestShutdown()
        }
    }
}
