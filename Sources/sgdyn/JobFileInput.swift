import ArgumentParser
import Foundation
import SGDynDaemon
import SGDynJobs

/// Reading a job file from the command line, with the same checks the daemon applies.
enum JobFileInput {
    /// Exit status for a job file that is not valid (sysexits.h EX_DATAERR).
    static let invalidJob = ExitCode(65)

    /// Exit status for a job file that cannot be read (sysexits.h EX_NOINPUT).
    static let unreadable = ExitCode(66)

    /// The bytes of `path` (refusing anything over 1 MiB) and the name the job gets by default.
    /// A file that cannot be read is one line naming it and why, not Foundation's error dump.
    static func read(_ path: String) throws -> (bytes: [UInt8], defaultName: String) {
        let url = URL(fileURLWithPath: path)
        let limit = 1 << 20
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            printError("\(path): cannot read it: \(reason(error))")
            throw unreadable
        }
        guard data.count <= limit else {
            printError("\(path): over 1 MiB; job files are limited to 1 MiB")
            throw invalidJob
        }
        let file = url.lastPathComponent
        return ([UInt8](data), file.hasSuffix(".json") ? String(file.dropLast(5)) : file)
    }

    /// The system's words for why a file operation failed ("No such file or directory").
    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        let posix = (ns.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? $0 : nil }
            ?? (ns.domain == NSPOSIXErrorDomain ? ns : nil)
        if let posix { return SystemError.message(for: Int32(posix.code)) }
        return ns.localizedDescription
    }

    /// Parses and validates, printing the error (with the key or line and column) on failure.
    /// `dataFolder`: where a job's `data` files are (`--data`), made absolute here.
    static func load(_ path: String, dataFolder: String? = nil) throws -> (spec: JobSpec, bytes: [UInt8]) {
        let (bytes, defaultName) = try read(path)
        let folder = dataFolder.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        do {
            return (try JobParser.parse(bytes, defaultName: defaultName, dataFolder: folder), bytes)
        } catch {
            printError("\(path): \(error.description)")
            throw invalidJob
        }
    }

    /// The daemon's rule for the name a file gets in the inbox (`JobFileNaming`): the one rule,
    /// so that `validate` and `submit` refuse what the daemon would reject for its name.
    static func nameProblem(_ path: String, defaultName: String) -> String? {
        guard let problem = JobFileNaming.nameProblem(Array(defaultName.utf8)) else { return nil }
        return "\(path): the daemon would reject the inbox name '\(defaultName).json': \(problem)"
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
    }

    static func printNote(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
