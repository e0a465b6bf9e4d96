import Foundation

/// The seed files of every target, collected in memory and written at the end; each target's
/// folder is emptied first, so a seed that is no longer made does not linger.
struct SeedCorpus {
    let root: String
    private(set) var files: [String: [(name: String, bytes: [UInt8])]] = [:]

    init(root: String) { self.root = root }

    var targets: [String] { files.keys.sorted() }
    var count: Int { files.values.reduce(0) { $0 + $1.count } }

    mutating func add(_ target: String, _ name: String, _ bytes: [UInt8]) {
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
        files[target, default: []].append((safe, bytes))
    }

    func save() throws {
        let fm = FileManager.default
        for (target, seeds) in files {
            let folder = root + "/" + target
            try? fm.removeItem(atPath: folder)
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for seed in seeds {
                try Data(seed.bytes).write(to: URL(fileURLWithPath: folder + "/" + seed.name))
            }
        }
    }
}
