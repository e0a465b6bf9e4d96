import Foundation
import Logging

/// Everything the daemon says about one job goes to the log (journald) with `job=NAME` metadata
/// and is appended to the job's own file in `state/logs/`, which becomes the bundle's log.txt —
/// also across restarts.
public struct JobLog: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The log file of the job whose claimed file is `claimedPath`.
    public func path(forClaimed claimedPath: String) -> String {
        (directory as NSString).appendingPathComponent((claimedPath as NSString).lastPathComponent + ".log")
    }

    public func append(_ level: Logger.Level, _ message: String, claimedPath: String) {
        let line = ISO8601DateFormatter().string(from: Date()) + " " + level.rawValue + " " + message + "\n"
        let path = path(forClaimed: claimedPath)
        if let handle = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() {
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            try? handle.close()
        }
    }

    public func lines(forClaimed claimedPath: String) -> [String] {
        guard let text = try? String(contentsOfFile: path(forClaimed: claimedPath), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }
}
