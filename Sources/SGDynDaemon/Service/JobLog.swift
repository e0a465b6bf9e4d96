import Foundation
import Logging

/// Everything the daemon says about one job goes to the log (journald) with `job=NAME` metadata
/// and is appended to the job's own file in `state/logs/`, which becomes the bundle's log.txt —
/// also across restarts.
public struct JobLog: Sendable {
    public let state: StateFolder

    public init(state: StateFolder) {
        self.state = state
    }

    public func append(_ level: Logger.Level, _ message: String, claimedName: String) {
        let line = ISO8601DateFormatter().string(from: Date()) + " " + level.rawValue + " " + message + "\n"
        let path = state.jobLog(claimedName)
        if let handle = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() {
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            try? handle.close()
        }
    }

    public func lines(claimedName: String) -> [String] {
        guard let text = try? String(contentsOfFile: state.jobLog(claimedName), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }
}
