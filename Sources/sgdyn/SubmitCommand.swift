import ArgumentParser
import Foundation
import SGDynDaemon
import SGDynJobs

/// `sgdyn submit`: drops a job file into the inbox the safe way.
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Validate a job file and drop it into the inbox atomically.",
        discussion: """
            Checks the job like `sgdyn validate`, copies it to INBOX/.NAME.json.tmp (ignored by the \
            daemon), flushes it, then renames it to INBOX/NAME.json so the daemon never sees half a \
            file. Refuses to replace a file of the same name that is still waiting in the inbox.
            """
    )

    @Argument(help: "Job files to submit.")
    var files: [String]

    @Option(help: "The daemon's inbox folder.")
    var inbox: String = "inbox"

    @Flag(help: "Submit even if the job does not validate (the daemon will write a rejection bundle).")
    var force = false

    func run() throws {
        for file in files {
            let (bytes, defaultName) = try JobFileInput.read(file)
            var name = defaultName
            if !force, let problem = JobFileInput.nameProblem(file, defaultName: defaultName) {
                JobFileInput.printError(problem)
                throw JobFileInput.invalidJob
            }
            do {
                name = try JobParser.parse(bytes, defaultName: defaultName).name
            } catch where JobParser.isMissingDataFolder(error) {
                // A job on a data set: its files are the daemon's to check, beneath its data_folder.
                if case .string(let given)? = (try? JSONParser.parse(bytes))?["name"] { name = given }
            } catch {
                guard force else {
                    JobFileInput.printError("\(file): \(error.description)")
                    throw JobFileInput.invalidJob
                }
            }
            let target = URL(fileURLWithPath: inbox).appendingPathComponent(defaultName + ".json")
            let temporary = URL(fileURLWithPath: inbox).appendingPathComponent(".\(defaultName).json.\(getpid()).tmp")
            guard !FileManager.default.fileExists(atPath: target.path) else {
                throw ValidationError("\(target.path) exists and has not been taken by the daemon yet; not replacing it")
            }
            do {
                try Data(bytes).write(to: temporary)
            } catch {
                JobFileInput.printError("\(file): cannot write it into \(inbox): \(JobFileInput.reason(error))")
                throw ExitCode(73)  // sysexits.h EX_CANTCREAT
            }
            // Readable by the daemon whatever the user's umask (a shared inbox is group-owned).
            chmod(temporary.path, 0o644)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
            guard BundleWriter.renameNoReplace(temporary.path, target.path) == 0 else {
                let problem = SystemError("placing \(target.path)")
                try? FileManager.default.removeItem(at: temporary)
                throw ValidationError("\(problem)")
            }
            print("submitted \(file) as job '\(name)': \(target.path)")
        }
    }
}
