import Foundation
import Testing
@testable import SGDynJobs

/// docs/job-files.md's result.json table and scripts/result_fields.py are what `ResultDocument`
/// renders, and the Python scripts spell no result.json field the type does not declare.
/// `SGDYN_UPDATE_DOCS=1` rewrites the table and the module in place.
@Suite("Docs: result.json's fields agree with ResultDocument")
struct ResultDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL
    static let update = ProcessInfo.processInfo.environment["SGDYN_UPDATE_DOCS"] == "1"

    @Test("docs/job-files.md's result.json table is what ResultDocument renders")
    func table() throws {
        let page = JobDocsTests.page
        var text = try String(contentsOf: page, encoding: .utf8)
        let start = "<!-- generated: result -->\n", end = "<!-- end: result -->"
        let a = try #require(text.range(of: start), "docs/job-files.md has no '\(start.dropLast())'")
        let b = try #require(text.range(of: end, range: a.upperBound..<text.endIndex))
        if Self.update {
            text.replaceSubrange(a.upperBound..<b.lowerBound, with: ResultDocument.docsTable)
            try Data(text.utf8).write(to: page)
        } else {
            #expect(String(text[a.upperBound..<b.lowerBound]) == ResultDocument.docsTable,
                    "docs/job-files.md's result.json table should read:\n\(ResultDocument.docsTable)")
        }
    }

    @Test("scripts/result_fields.py is what ResultDocument renders")
    func pythonModule() throws {
        let url = Self.root.appendingPathComponent("scripts/result_fields.py")
        if Self.update { try Data(ResultDocument.pythonModule.utf8).write(to: url) }
        #expect(try String(contentsOf: url, encoding: .utf8) == ResultDocument.pythonModule, "scripts/result_fields.py is stale")
    }

    /// `R.NAME` in a script that imports result_fields as R.
    static func namesUsed(in text: String) -> Set<String> {
        var names = Set<String>()
        var rest = Substring(text)
        while let range = rest.range(of: "R.") {
            let before = range.lowerBound == rest.startIndex ? " " : rest[rest.index(before: range.lowerBound)]
            let name = rest[range.upperBound...].prefix { $0.isUppercase || $0 == "_" || $0.isNumber }
            if !(before.isLetter || before.isNumber || before == "_" || before == "."), !name.isEmpty { names.insert(String(name)) }
            rest = rest[range.upperBound...]
        }
        return names
    }

    @Test("every result.json field a script reads (R.NAME) is a field of ResultDocument")
    func scriptsReadDeclaredFields() throws {
        let declared = Set(ResultDocument.allFields.flatMap { $0.fields.map { $0.name.uppercased() } })
        let scripts = Self.root.appendingPathComponent("scripts")
        // The scripts and their harness library (scripts/sgdyn_harness/).
        let library = "sgdyn_harness"
        let files = try FileManager.default.contentsOfDirectory(atPath: scripts.path)
            + FileManager.default.contentsOfDirectory(atPath: scripts.appendingPathComponent(library).path).map { library + "/" + $0 }
        var users = 0
        for name in files where name.hasSuffix(".py") && name != "result_fields.py" {
            let text = try String(contentsOf: scripts.appendingPathComponent(name), encoding: .utf8)
            guard text.contains("import result_fields as R") else { continue }
            users += 1
            let unknown = Self.namesUsed(in: text).subtracting(declared).subtracting(["FIELDS"])
            #expect(unknown.isEmpty, "scripts/\(name) reads \(unknown.sorted()), which result.json does not have")
        }
        #expect(users >= 5)
    }
}
