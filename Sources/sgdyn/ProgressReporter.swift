import Foundation
import SGDynJobs

/// Prints a progress line to stderr at most every few seconds (every 2 s on a terminal, 30 s
/// otherwise), from whichever worker thread reports.
final class ProgressReporter: Sendable {
    private let quiet: Bool
    private let interval: Double
    private let lastPrinted = Locked<Double>(0)

    init(quiet: Bool) {
        self.quiet = quiet
        interval = isatty(2) != 0 ? 2 : 30
    }

    func report(_ progress: RunProgress) {
        guard !quiet else { return }
        let due = lastPrinted.withLock { last -> Bool in
            guard progress.elapsedSeconds - last >= interval else { return false }
            last = progress.elapsedSeconds
            return true
        }
        guard due else { return }
        var line = String(format: "%5.1f%%  %d/%d runs  %.0f steps/s", 100 * progress.fraction, progress.runsDone,
                          progress.runsTotal, progress.stepsPerSecond)
        if let eta = progress.etaSeconds { line += "  ETA " + ProgressReporter.duration(eta) }
        if let eg = progress.latestError { line += String(format: "  eg %.3g", eg) }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// A wall-clock time as HH:MM:SS (local time), for "next try at …".
    static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        return String(format: "%.1f h", Double(s) / 3600)
    }
}
