import Foundation
import Testing
@testable import SGDynJobs

/// docs/job-files.md states the keys, their types, defaults, sweepability and the limits as the
/// schema has them: its tables are rendered from `JobSchema` and `JobLimits`, and this test fails
/// when the page and the code disagree. `SGDYN_UPDATE_DOCS=1` rewrites the tables in place.
@Suite("Docs: job-files.md agrees with the schema")
struct JobDocsTests {
    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/job-files.md").standardizedFileURL

    /// Each generated table sits between `<!-- generated: NAME -->` and `<!-- end: NAME -->`.
    static let tables: [(name: String, text: String)] = [
        ("keys", JobSchema.keysTable), ("ode", JobSchema.odeTable), ("initial", JobSchema.initialTable),
        ("slurm", JobSchema.slurmTable), ("data", JobSchema.dataTable), ("limits", JobSchema.limitsTable), ("activations", JobSchema.activationsTable),
    ]

    @Test("every generated table of docs/job-files.md is what the schema renders")
    func tablesAgree() throws {
        var text = try String(contentsOf: Self.page, encoding: .utf8)
        for (name, table) in Self.tables {
            let start = "<!-- generated: \(name) -->\n", end = "<!-- end: \(name) -->"
            guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else {
                Issue.record("docs/job-files.md has no '\(start.dropLast())' … '\(end)' section")
                continue
            }
            let current = String(text[a.upperBound..<b.lowerBound])
            if ProcessInfo.processInfo.environment["SGDYN_UPDATE_DOCS"] == "1" {
                text.replaceSubrange(a.upperBound..<b.lowerBound, with: table)
            } else {
                #expect(current == table, "docs/job-files.md, table '\(name)' should read:\n\(table)")
            }
        }
        if ProcessInfo.processInfo.environment["SGDYN_UPDATE_DOCS"] == "1" {
            try Data(text.utf8).write(to: Self.page)
        }
    }

    @Test("the page mentions every key, and links nothing outside the repository")
    func keysMentioned() throws {
        let text = try String(contentsOf: Self.page, encoding: .utf8)
        for field in JobSchema.fields { #expect(text.contains("`\(field.name)`"), "\(field.name)") }
        // No link to the developers' spec folder beside the repository (a clone does not have it);
        // the name is assembled so that this test itself names no path outside the repository.
        let specFolder = ["..", "shared"].joined(separator: "/")
        #expect(!text.contains(specFolder))
    }
}
