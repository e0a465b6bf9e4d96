import Foundation

/// The job files of examples/ and every entry of Tests/Fixtures/job-corpus/corpus.txt (valid and
/// invalid ones: the fuzzer learns the error paths from them too).
enum JobFileSeeds {
    static func all(repository: String) throws -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        let fm = FileManager.default
        for folder in ["examples", "examples/quick"] {
            for file in try fm.contentsOfDirectory(atPath: repository + "/" + folder).sorted() where file.hasSuffix(".json") {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: repository + "/" + folder + "/" + file)))
                out.append(((folder == "examples" ? "example-" : "quick-") + file, bytes))
            }
        }
        let text = try String(contentsOfFile: repository + "/Tests/Fixtures/job-corpus/corpus.txt", encoding: .utf8)
        var name: String?
        var lines: [Substring] = []
        func flush() {
            if let name { out.append(("corpus-" + name + ".json", Array(lines.joined(separator: "\n").utf8))) }
            lines = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("=== ") {
                flush()
                name = String(line.dropFirst(4))
            } else {
                lines.append(line)
            }
        }
        flush()
        return out
    }
}
