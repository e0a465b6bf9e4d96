import ArgumentParser
import Foundation
import Logging
import SGDynDaemon
import SGDynStore

/// `sgdyn worker`: runs one job's units; started by the daemon, not by people.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the unfinished units of one job from the job store (started by `sgdyn serve`).",
        discussion: "Exits 0 when every unit is done, 75 when stopped by SIGTERM after checkpointing.",
        shouldDisplay: false
    )

    @Option(help: "The daemon's state folder.")
    var state: String

    @Option(help: "The job's id in the job store.")
    var job: Int64

    @Option(help: "Simulation threads.")
    var threads: Int = 1

    @Option(name: .customLong("checkpoint-interval"), help: "Seconds between checkpoints.")
    var checkpointInterval: Double = 60

    func run() async throws {
        LoggingSystem.bootstrap { JournalLogHandler(label: $0) }
        let logger = Logger(label: "sgdyn-worker")
        let status = await WorkerRun.run(statePath: state, jobID: JobID(job), threads: max(1, threads),
                                         checkpointInterval: .milliseconds(Int64(checkpointInterval * 1000)), logger: logger)
        if status != 0 { throw ExitCode(status) }
    }
}
