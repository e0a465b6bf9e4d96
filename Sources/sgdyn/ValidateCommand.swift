import ArgumentParser
import Foundation
import SGDynJobs

/// `sgdyn validate`: the daemon's checks on job files, nothing run.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check job files without running them.",
        discussion: "Prints what each job would run and the memory and bundle size it may need at most (docs/operations.md, 'Limits'), or the problem with the key (or line and column) at fault. Exits 65 if any file is invalid."
    )

    @Argument(help: "Job files (JSON, see docs/job-files.md).")
    var files: [String]

    @Option(name: .customLong("data"), help: ArgumentHelp("Folder the jobs' \"data\" files are read from (their headers only), as `sgdyn run --data`.", valueName: "DIR"))
    var dataFolder: String?

    @Option(help: ArgumentHelp("Outbox whose bundles the jobs' \"teacher_from\"/\"student_from\" name: their arrays are read and checked (shape, values), as `sgdyn run --outbox` and the daemon do. Without it only the form of those keys is checked.", valueName: "DIR"))
    var outbox: String?

    func run() throws {
        var failed = false
        for file in files {
            do {
                let (parsed, bytes) = try JobFileInput.load(file, dataFolder: dataFolder)
                let spec = try Self.readingWeights(parsed, file: file, outbox: outbox)
                let base = URL(fileURLWithPath: file).lastPathComponent
                if let problem = JobFileInput.nameProblem(file, defaultName: base.hasSuffix(".json") ? String(base.dropLast(5)) : base) {
                    JobFileInput.printError(problem)
                    throw JobFileInput.invalidJob
                }
                let runs = spec.points.count * spec.seeds.count
                let steps = spec.runs.reduce(0) { $0 + $1.parameters.totalSteps }
                print("ok: \(file): job '\(spec.name)', kind \(spec.kind.rawValue), \(spec.points.count) sweep point(s) × \(spec.seeds.count) seed(s) = \(runs) run(s), \(steps) SGD steps in all")
                print("needs: \(file): \(JobResourceEstimate(spec: spec, jobBytes: bytes.count).summary)")
                for warning in spec.warnings { print("warning: \(file): \(warning)") }
            } catch let error as ExitCode where error == JobFileInput.invalidJob {
                failed = true
            }
        }
        if failed { throw JobFileInput.invalidJob }
    }

    /// With `--outbox`, the arrays `teacher_from`/`student_from` name, read and checked as
    /// `sgdyn run` reads them; without it the spec as parsed, with a note when such a key is
    /// present (a missing bundle would otherwise only show when the job runs).
    static func readingWeights(_ spec: JobSpec, file: String, outbox: String?) throws -> JobSpec {
        guard let outbox else {
            if !spec.weightSources.isEmpty {
                JobFileInput.printNote("note: \(file): the bundles teacher_from/student_from name are not read (give --outbox DIR to check them)")
            }
            return spec
        }
        do {
            return try spec.readingWeights(outbox: outbox)
        } catch {
            JobFileInput.printError("\(file): \(error.description)")
            throw JobFileInput.invalidJob
        }
    }
}
