import Foundation
import FuzzSupport
import SGDynCore
import SGDynJobs

// Writes the seed corpora of the fuzz targets, Fuzz/Corpus/<target>/, from real data: the job
// files of examples/ and Tests/Fixtures/job-corpus, and snapshots, records, units and spool
// reports made by running small jobs through the same code the daemon and its workers use.
// Deterministic: running it again writes the same bytes.
//
//     fuzz-seeds REPOSITORY CORPUS
let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: fuzz-seeds REPOSITORY CORPUS\n".utf8))
    exit(64)
}
var corpus = SeedCorpus(root: arguments[2])
let jobFiles = try JobFileSeeds.all(repository: arguments[1])
for (name, bytes) in jobFiles { corpus.add("job-parser", name, bytes) }
for (name, bytes) in jobFiles {
    guard let spec = try? JobParser.parse(bytes, defaultName: "seed") else { continue }
    // A seed sets libFuzzer's largest input; the few big sweeps would slow every run down.
    let stored = spec.storedForm()
    if stored.count <= 16 << 10 { corpus.add("stored-form", name, stored) }
}
// A checkpoint of format version 1 (sgdyn 0.1.0), which still restores.
if let v1 = FileManager.default.contents(atPath: arguments[1] + "/Tests/Fixtures/snapshot-v1/erf-N200-K2-M2.snapshot") {
    corpus.add("simulation-snapshot", "format-1-erf-N200-K2-M2", [UInt8](v1))
}
// Every input a target once found a problem with (or that trapped a decoder): each run tries them first.
let findings = arguments[1] + "/Tests/Fixtures/fuzz-findings"
for file in ((try? FileManager.default.contentsOfDirectory(atPath: findings)) ?? []).sorted() {
    let parts = file.components(separatedBy: "--")
    guard parts.count == 2, let bytes = FileManager.default.contents(atPath: findings + "/" + file) else { continue }
    corpus.add(parts[0], "finding-" + parts[1], [UInt8](bytes))
}
RunSeeds.write(into: &corpus)
SpoolSeeds.write(into: &corpus)
ConfigSeeds.write(into: &corpus, repository: arguments[1])
try corpus.save()
print("fuzz-seeds: \(corpus.count) files in \(corpus.targets.count) corpora under \(arguments[2])")
