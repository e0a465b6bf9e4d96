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
}
