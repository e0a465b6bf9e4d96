import Foundation
import Testing
@testable import SGDynDaemon

/// docs/configuration.md states every config key's meaning, range and default as the code checks
/// them: its tables are rendered from `DaemonConfiguration.keys` and `SlurmConfiguration.keys`, and
/// this test fails when the page and the code disagree. `SGDYN_UPDATE_DOCS=1` rewrites the tables.
@Suite("Docs: configuration.md agrees with the config keys")
struct ConfigDocsTests {
    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/configuration.md").standardizedFileURL

    static let tables: [(name: String, text: String)] = [
        ("daemon", ConfigurationDocs.daemonTable), ("slurm", ConfigurationDocs.slurmTable),
    ]

    @Test("every generated table of docs/configuration.md is what the keys render")
    func tablesAgree() throws {
        var text = try String(contentsOf: Self.page, encoding: .utf8)
        for (name, table) in Self.tables {
            let start = "<!-- generated: \(name) -->\n", end = "<!-- end: \(name) -->"
            guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else {
                Issue.record("docs/configuration.md has no '\(start.dropLast())' … '\(end)' section")
                continue
            }
            let current = String(text[a.upperBound..<b.lowerBound])
            if ProcessInfo.processInfo.environment["SGDYN_UPDATE_DOCS"] == "1" {
                text.replaceSubrange(a.upperBound..<b.lowerBound, with: table)
            } else {
                #expect(current == table, "docs/configuration.md, table '\(name)' should read:\n\(table)")
            }
        }
        if ProcessInfo.processInfo.environment["SGDYN_UPDATE_DOCS"] == "1" {
            try Data(text.utf8).write(to: Self.page)
        }
    }

    @Test("every numeric key states a finite range")
    func everyNumberHasARange() {
        let numeric: Set<String> = ["workers", "checkpoint_interval", "min_free_mb", "quiet_period", "incomplete_wait", "stall_warning",
                                    "stall_kill", "rescan_interval"]
        for key in DaemonConfiguration.keys where numeric.contains(key.name) {
            #expect(key.range.map { $0.lower.isFinite && $0.upper.isFinite && $0.lower <= $0.upper } == true, "\(key.name)")
        }
        for name in ["cpus_per_task", "mem_per_cpu", "max_running", "units_per_task", "signal_seconds", "poll_interval", "command_timeout"] {
            #expect(SlurmConfiguration.keys.first { $0.name == name }?.range != nil, "slurm.\(name)")
        }
    }
}
