import ArgumentParser
import SGDynJobs

/// The `sgdyn` command: runs teacher–student online-SGD experiments.
@main
struct SGDyn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgdyn",
        abstract: "Teacher–student online SGD: simulations, ODEs, and a daemon that runs them overnight.",
        version: SGDynVersion.string,
        subcommands: [RunCommand.self, ValidateCommand.self, ServeCommand.self, SubmitCommand.self, StatusCommand.self, ReportCommand.self,
                      CancelCommand.self, PublishCommand.self, WorkerCommand.self, WriteBundleCommand.self, BenchCommand.self]
    )
}
