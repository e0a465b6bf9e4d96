import ArgumentParser
import Foundation
import Logging
import SGDynDaemon
import SGDynJobs
import SGDynStore

/// `sgdyn worker`: runs the units of one task of a submission from the spool; started by the
/// daemon (locally) or by Slurm (an array task), not by people.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the units of one task of a submission, reading and writing only the spool (started by `sgdyn serve` or by Slurm).",
        discussion: "Exits 0 when every unit ended, 75 when stopped by SIGTERM or SIGUSR1 after checkpointing (or on a full disk), 70 on failure.",
        shouldDisplay: false
    )

    @Option(help: "The job's spool folder.")
    var spool: String

    @Option(help: "The submission's id.")
    var submission: Int64

    @Option(help: "The task number (default: $SLURM_ARRAY_TASK_ID, else 0).")
    var task: Int?

    @Option(help: "Threads.")
    var threads: Int = 1

    @Option(name: .customLong("checkpoint-interval"), help: "Seconds between checkpoints.")
    var checkpointInterval: Double = 60

    func validate() throws {
        do { try DaemonConfiguration.checkCommandLine("--checkpoint-interval", checkpointInterval) } catch {
            throw ValidationError(error.description)
        }
        guard (1...4096).contains(threads) else { throw ValidationError("--threads must be an integer from 1 to 4096, got \(threads)") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { JournalLogHandler(label: $0) }
        let logger = Logger(label: "sgdyn-worker")
        let task = self.task ?? ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) ?? 0
        let status = await WorkerRun.run(spoolFolder: spool, submission: submission, task: task, threads: max(1, threads),
                                         checkpointInterval: .milliseconds(Int64(checkpointInterval * 1000)), logger: logger)
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

/// `sgdyn write-bundle`: writes one job's bundle from the job store; started by the daemon.
struct WriteBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write-bundle",
        abstract: "Write one job's bundle from the job store (started by `sgdyn serve`).",
        discussion: "Prints the bundle's folder. Exits 75 when writing failed for a reason that may pass, 70 when it cannot work.",
        shouldDisplay: false
    )

    @Option(help: "The daemon's state folder.")
    var state: String

    @Option(help: "The outbox.")
    var outbox: String

    @Option(help: "The job's id in the job store.")
    var job: Int64

    func run() async throws {
        do {
            print(try await BundlePublisher.write(state: StateFolder(state), outbox: outbox, jobID: JobID(job)))
        } catch {
            JobFileInput.printError(error.description)
            switch error {
            case .temporary: throw ExitCode(ExitStatus.temporaryFailure.rawValue)
            case .permanent: throw ExitCode(ExitStatus.failed.rawValue)
            }
        }
    }
}
