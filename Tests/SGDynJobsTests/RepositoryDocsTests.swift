import Foundation
import Testing

/// The README is the short entry (what sgdyn is, the two commands, a first job, where to look
/// next); the manuals live in docs/. These checks keep it that way: the README stays short, and
/// every relative link of the README and of docs/*.md names a file that exists, so moving a
/// section cannot leave a reader at a dead link.
@Suite("Docs: README and docs/ stand on their own")
struct RepositoryDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardizedFileURL

    /// Markdown files whose links are checked: the README and every page in docs/.
    static func pages() throws -> [URL] {
        let docs = root.appendingPathComponent("docs")
        let names = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }
        return [root.appendingPathComponent("README.md")] + names.sorted().map { docs.appendingPathComponent($0) }
    }

    /// The targets of `[text](target)` and `![alt](target)` that are neither web addresses nor
    /// anchors, without any `#fragment`.
    static func relativeLinks(in text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).compactMap { match in
            guard let r = Range(match.range(at: 1), in: text) else { return nil }
            let target = String(text[r])
            if target.hasPrefix("http:") || target.hasPrefix("https:") || target.hasPrefix("#") || target.hasPrefix("mailto:") {
                return nil
            }
            return String(target.split(separator: "#", maxSplits: 1)[0])
        }
    }

    @Test("README is at most 250 lines")
    func readmeIsShort() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(lines <= 250, "README.md has \(lines) lines; move manuals and measured tables into docs/")
    }

    @Test("every relative link in README.md and docs/*.md names an existing file")
    func linksResolve() throws {
        let pages = try Self.pages()
        #expect(pages.count >= 5)
        for page in pages {
            let text = try String(contentsOf: page, encoding: .utf8)
            for link in Self.relativeLinks(in: text) {
                let target = page.deletingLastPathComponent().appendingPathComponent(link).standardizedFileURL
                #expect(FileManager.default.fileExists(atPath: target.path),
                        "\(page.lastPathComponent) links to \(link), which does not exist")
            }
        }
    }

    @Test("the link check finds links, and misses none of the forms used")
    func linkExtraction() {
        let sample = "see [a](docs/a.md), ![p](plots/x.svg) and [b](b.md#part), not [w](https://x.org) or [c](#here)"
        #expect(Self.relativeLinks(in: sample) == ["docs/a.md", "plots/x.svg", "b.md"])
    }

    @Test("no stray files at the repository's root")
    func rootIsTidy() throws {
        let allowed: Set<String> = [".ci", ".git", ".gitignore", "Fuzz", "Makefile", "Package.swift", "README.md",
                                    "Sources", "Tests", "docs", "examples", "inbox", "outbox", "scripts", "systemd"]
        // Only what git tracks counts: build folders and local state are ignored by .gitignore.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", Self.root.path, "ls-files"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let tracked = String(decoding: data, as: UTF8.self).split(separator: "\n")
        let tops = Set(tracked.map { String($0.split(separator: "/", maxSplits: 1)[0]) })
        #expect(tracked.count > 100)
        #expect(tops.subtracting(allowed).isEmpty, "unexpected files at the root: \(tops.subtracting(allowed).sorted())")
    }
}
