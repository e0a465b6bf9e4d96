import ArgumentParser
import Foundation
import SGDynJobs

/// Reading a job file from the command line, with the same checks the daemon applies.
enum JobFileInput {
    /// Exit status for a job file that is not valid (sysexits.h EX_DATAERR).
    static let invalidJob = ExitCode(65)

    /// The bytes of `path` (refusing anything over 1 MiB) and the name the job gets by default.
    static func read(_ path: String) throws -> (bytes: [UInt8], defaultName: String) {
        let url = URL(fileURLWithPath: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        if let size = attributes[.size] as? Int, size > 1 << 20 {
            throw ValidationError("\(path): \(size) bytes; job files are limited to 1 MiB")
        }
        let bytes = [UInt8](try Data(contentsOf: url))
        let file = url.lastPathComponent
        return (bytes, file.hasSuffix(".json") ? String(file.dropLast(5)) : file)
    }

    /// Parses and validates, printing the error (with the key or line and column) on failure.
    static func load(_ path: String) throws -> (spec: JobSpec, bytes: [UInt8]) {
        let (bytes, defaultName) = try read(path)
        do {
            return (try JobParser.parse(bytes, defaultName: defaultName), bytes)
        } catch {
            printError("\(path): \(error.description)")
            throw invalidJob
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
    }

    static func printNote(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
