import ArgumentParser

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a job file in the foreground.")
    func run() throws {}
}
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check a job file.")
    func run() throws {}
}
enum SGDynVersion { static let string = "0.1.0" }
