import Foundation
import Testing
@testable import SGDynDaemon

/// Config values that once trapped the daemon while it read its config file (at start, and on
/// SIGHUP while jobs run): numbers converted to integers after a check that only asked for
/// "positive". Found while writing the fuzz target `fuzz-daemon-config` (Fuzz/).
@Suite("Config files: huge numbers are errors, not traps")
struct ConfigHostileValueTests {
    @Test("a huge number is refused naming its key", arguments: [
        (#"{"min_free_mb": 1e300}"#, "min_free_mb"),
        (#"{"slurm": {"spool": "/s", "time_limit": 1e300}}"#, "slurm.time_limit"),
        (#"{"slurm": {"spool": "/s", "max_time_limit": 1e19}}"#, "slurm.max_time_limit"),
    ])
    func huge(json: String, key: String) {
        do {
            _ = try DaemonConfiguration().applying(configJSON: Array(json.utf8), path: "test.json")
            Issue.record("\(json) was accepted")
        } catch {
            #expect(error.description.contains("'\(key)'"), "\(error.description)")
        }
    }

    @Test("the largest values still accepted convert exactly")
    func largest() throws {
        let c = try DaemonConfiguration().applying(configJSON: Array(#"{"min_free_mb": 1099511627776}"#.utf8), path: "test.json")
        #expect(c.minFreeBytes == Int64(1) << 60)
    }

    /// Every numeric key, with values that once passed and then trapped (1e300 as a Duration),
    /// and their cousins: negative, zero, not finite (1e999 reads as infinity), huge integers.
    static let numericKeys = ["workers", "checkpoint_interval", "min_free_mb", "quiet_period", "incomplete_wait", "stall_warning",
                              "stall_kill", "rescan_interval"]
    static let slurmNumericKeys = ["cpus_per_task", "mem_per_cpu", "max_running", "units_per_task", "signal_seconds", "poll_interval"]
    static let hostileNumbers = ["1e300", "-1", "0", "1e999", "-1e999", "9223372036854775808", "1e19", "-0"]

    @Test("every numeric key refuses hostile numbers naming the key (issue 17, item 4)", arguments: numericKeys, hostileNumbers)
    func hostileTopLevel(key: String, number: String) {
        let json = key == "stall_warning" ? #"{"stall_warning": \#(number), "stall_kill": 2592000}"# : #"{"\#(key)": \#(number)}"#
        do {
            let c = try DaemonConfiguration().applying(configJSON: Array(json.utf8), path: "test.json")
            // A few are in range for some keys (0 is never; 1e19 is never): only accept what the
            // stated range allows.
            let range = DaemonConfiguration.keys.first { $0.name == key }?.range
            Issue.record("\(json) was accepted (range \(range?.documented ?? "none")): \(c)")
        } catch {
            #expect(error.description.contains("'\(key)'") || error.description.contains("'stall_kill'"), "\(error.description)")
        }
    }

    @Test("every numeric key of the slurm object refuses hostile numbers naming the key", arguments: slurmNumericKeys, hostileNumbers)
    func hostileSlurm(key: String, number: String) {
        let json = #"{"slurm": {"spool": "/s", "\#(key)": \#(number)}}"#
        do {
            _ = try DaemonConfiguration().applying(configJSON: Array(json.utf8), path: "test.json")
            Issue.record("\(json) was accepted")
        } catch {
            #expect(error.description.contains("'slurm.\(key)'"), "\(error.description)")
        }
    }

    @Test("the largest value of each range is accepted and converts to a Duration without trapping")
    func largestOfEachRange() throws {
        for key in DaemonConfiguration.keys {
            guard let range = key.range else { continue }
            var json = #"{"\#(key.name)": \#(ConfigRange.text(range.upper))}"#
            if key.name == "stall_warning" { json = #"{"stall_warning": \#(ConfigRange.text(range.upper)), "stall_kill": 2592000}"# }
            let c = try DaemonConfiguration().applying(configJSON: Array(json.utf8), path: "test.json")
            // What the daemon does with them: durations, and integer milliseconds for workers.
            _ = Duration.seconds(c.stallKill) + .seconds(c.stallWarning) + .seconds(c.quietPeriod) + .seconds(c.incompleteWait)
            _ = Int64(c.checkpointInterval * 1000)
        }
    }

    @Test("command-line numbers are bounded as their config keys are")
    func commandLine() {
        for bad in [1e300, -1, 0, .infinity, .nan, 1e-9] {
            #expect(throws: ConfigurationError.self) { try CommandLineSettings(checkpointInterval: bad).check() }
        }
        for bad in [0, -3, 5000, Int.max] {
            #expect(throws: ConfigurationError.self) { try CommandLineSettings(workers: bad).check() }
        }
        #expect(throws: Never.self) { try CommandLineSettings(workers: 2, checkpointInterval: 0.5).check() }
    }

    @Test("a reload reads the file as a restart would: a key removed goes back to its default; the command line still wins")
    func reloadLikeRestart() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-reload-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try #"{"stall_warning": 30, "stall_kill": 90, "quiet_period": 5, "workers": 3}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let started = try DaemonConfiguration.starting(configFile: path, commandLine: CommandLineSettings(checkpointInterval: 7))
        #expect(started.stallWarning == 30 && started.quietPeriod == 5 && started.workers == 3 && started.checkpointInterval == 7)
        try #"{"workers": 2}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let reloaded = try started.reloading(configFile: path)
        let defaults = DaemonConfiguration()
        #expect(reloaded.stallWarning == defaults.stallWarning && reloaded.stallKill == defaults.stallKill)
        #expect(reloaded.quietPeriod == defaults.quietPeriod && reloaded.workers == 2 && reloaded.checkpointInterval == 7)
        try #"{"stall_kill": 1e300}"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try started.reloading(configFile: path) }
    }
}
