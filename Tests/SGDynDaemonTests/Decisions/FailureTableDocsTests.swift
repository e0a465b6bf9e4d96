import Foundation
import Testing

/// The failure tables and their in-process tests stay in step: every row of docs/operations.md's
/// Slurm failure table ("| event | what sgdyn does |") is listed in docs/daemon.md's "| failure |
/// test |" table, every row listed there has a `@Test` named after it word for word, calling the
/// function the table names, and every test of `FailureTableTests` is listed — so a row added to
/// the manual without a test, or a test renamed away from its row, fails here.
@Suite("Docs: every failure-table row has its decision test")
struct FailureTableDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../..").standardizedFileURL

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The rows (cells, trimmed) of the markdown table whose header line is `header`.
    static func rows(of text: String, header: String) -> [[String]] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: header) else { return [] }
        return lines[(start + 2)...].prefix { $0.hasPrefix("|") }.map { line in
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// `@Test("NAME") func FUNCTION` pairs of a Swift file.
    static func tests(in source: String) -> [String: String] {
        let pattern = try! NSRegularExpression(pattern: #"@Test\("((?:[^"\\]|\\.)*)"\)\s*func\s+(\w+)"#)
        var found: [String: String] = [:]
        for match in pattern.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
            guard let name = Range(match.range(at: 1), in: source), let function = Range(match.range(at: 2), in: source) else { continue }
            found[String(source[name])] = String(source[function])
        }
        return found
    }

    @Test("every row of the Slurm failure table and of the local rules has a test named after it")
    func everyRowHasATest() throws {
        let slurmRows = Self.rows(of: try Self.read("docs/operations.md"), header: "| event | what sgdyn does |").map { $0[0] }
        let mapping = Self.rows(of: try Self.read("docs/daemon.md"), header: "| failure | test |")
        let tests = Self.tests(in: try Self.read("Tests/SGDynDaemonTests/Decisions/FailureTableTests.swift"))
        #expect(slurmRows.count >= 14, "the Slurm failure table was not found in docs/operations.md")
        #expect(mapping.count >= slurmRows.count, "the mapping table was not found in docs/daemon.md")
        let listed = Set(mapping.map { $0[0] })
        let unlisted = slurmRows.filter { !listed.contains($0) }
        #expect(unlisted.isEmpty, "rows of docs/operations.md not listed in docs/daemon.md, \"Decisions are values\": \(unlisted)")
        for row in mapping {
            let function = row[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            #expect(tests[row[0]] == function, "no @Test(\"\(row[0])\") func \(function) in FailureTableTests.swift")
        }
        let unmapped = tests.keys.filter { !listed.contains($0) }.sorted()
        #expect(unmapped.isEmpty, "tests of FailureTableTests that no row of docs/daemon.md lists: \(unmapped)")
    }

    @Test("the table and test readers find what they look for")
    func readers() {
        let table = "x\n| a | b |\n|---|---|\n| one `x` | two |\n| three | four |\n\nafter"
        #expect(Self.rows(of: table, header: "| a | b |") == [["one `x`", "two"], ["three", "four"]])
        #expect(Self.tests(in: "@Test(\"say \\\"hi\\\"\")\n    func hi() {}") == ["say \\\"hi\\\"": "hi"])
    }
}
