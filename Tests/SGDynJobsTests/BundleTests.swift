import Foundation
import SGDynCore
import Testing
@testable import SGDynJobs

@Suite("Result bundles")
struct BundleTests {
    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let job = #"{"name": "tiny", "N": 60, "K": 3, "t_max": 2, "points": 8, "seeds": 2, "sweep": {"lr": [0.2, 0.6]}}"#

    static func runBundle(into outbox: URL) throws -> URL {
        let spec = try JobParser.parse(Array(job.utf8), defaultName: "tiny")
        let outcomes = try JobRunner.run(spec, threads: 2).runs
        let timing = Timing(startedAt: Date(), finishedAt: Date(), steps: outcomes.reduce(0) { $0 + $1.steps })
        let files = ResultBundle.simulation(spec: spec, jobBytes: Array(job.utf8), outcomes: outcomes, timing: timing, log: ["a line"])
        return try BundleWriter.write(files, name: spec.name, outbox: outbox)
    }

    @Test("a simulation bundle holds result.json, job.json, a CSV per run, summary.csv, log.txt, plots, index.html and a manifest of them all")
    func layout() throws {
        let outbox = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let folder = try Self.runBundle(into: outbox)
        #expect(folder.lastPathComponent == "tiny")
        let expected = ["README.txt", "index.html", "job.json", "log.txt", "lr=0.2/eg.svg", "lr=0.2/order-parameters.svg", "lr=0.2/seed-0.csv", "lr=0.2/seed-1.csv",
                        "lr=0.6/eg.svg", "lr=0.6/order-parameters.svg", "lr=0.6/seed-0.csv",
                        "lr=0.6/seed-1.csv", "manifest.json", "result.json", "summary.csv", "sweep.svg"]
        let found = FileManager.default.enumerator(atPath: folder.path)!.compactMap { $0 as? String }
            .filter { !$0.hasSuffix("lr=0.2") && !$0.hasSuffix("lr=0.6") }.sorted()
        #expect(found == expected)
        #expect(try Data(contentsOf: folder.appendingPathComponent("job.json")) == Data(Self.job.utf8))
        // The manifest lists every other file with its true size and SHA-256.
        let manifest = try JSONParser.parse([UInt8](Data(contentsOf: folder.appendingPathComponent("manifest.json"))))
        guard case .array(let entries)? = manifest["files"] else { Issue.record("no files"); return }
        #expect(entries.count == expected.count - 1)
        for entry in entries {
            guard case .string(let path)? = entry["path"], case .string(let sha)? = entry["sha256"] else { continue }
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(path)))
            #expect(SHA256.hexDigest(bytes) == sha && entry["size"] == .int(bytes.count), "\(path)")
        }
        // CSV: header, then t = 0 and the output times.
        let csv = try String(contentsOf: folder.appendingPathComponent("lr=0.6/seed-1.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv[0] == "t,eg,Q11,Q12,Q13,Q22,Q23,Q33,R11,R12,R21,R22,R31,R32,v1,v2,v3,step")
        #expect(csv[1].hasPrefix("0.0,") && csv.last!.hasSuffix(",120"))
        let summary = try String(contentsOf: folder.appendingPathComponent("summary.csv"), encoding: .utf8).split(separator: "\n")
        #expect(summary[0] == "lr,seeds,final_eg_mean,final_eg_stderr,final_eg_ode" && summary.count == 3 && summary[1].hasPrefix("0.2,2,"))
        let result = try JSONParser.parse([UInt8](Data(contentsOf: folder.appendingPathComponent("result.json"))))
        #expect(result["status"] == .string("done"))
        guard case .array(let points)? = result["points"] else { Issue.record("no points"); return }
        #expect(points.count == 2 && points[1]["parameters"]?["lr"] == .number("0.6"))
    }

    @Test("the same job gives byte-identical bundles apart from timing and log timestamps")
    func deterministic() throws {
        let outbox = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let first = try Self.runBundle(into: outbox)
        let second = try Self.runBundle(into: outbox)
        #expect(second.lastPathComponent == "tiny-2", "an existing bundle is never replaced")
        for path in ["lr=0.2/seed-0.csv", "lr=0.6/seed-1.csv", "summary.csv", "job.json"] {
            #expect(try Data(contentsOf: first.appendingPathComponent(path)) == Data(contentsOf: second.appendingPathComponent(path)), "\(path)")
        }
        func withoutTiming(_ url: URL) throws -> JSONValue {
            guard case .object(let members) = try JSONParser.parse([UInt8](Data(contentsOf: url.appendingPathComponent("result.json")))) else { return .null }
            return .object(members.filter { $0.key != "timing" })
        }
        #expect(try withoutTiming(first) == withoutTiming(second))
    }

    @Test("a rejected job gets a bundle with the error and the bytes as submitted; stale partial folders are removed")
    func rejection() throws {
        let outbox = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let bytes: [UInt8] = Array("{\"lr\": -1}".utf8)
        let error = try #require(throws: JobError.self) { try JobParser.parse(bytes, defaultName: "bad") }
        let name = ResultBundle.rejectionName(forFile: "../bad job?.json")
        #expect(name == "rejected-.._bad_job_" || name.hasPrefix("rejected-"))
        #expect(!name.contains("/"))
        let folder = try BundleWriter.write(ResultBundle.rejection(name: name, jobBytes: bytes, error: error, log: []), name: name, outbox: outbox)
        let result = try JSONParser.parse([UInt8](Data(contentsOf: folder.appendingPathComponent("result.json"))))
        #expect(result["status"] == .string("rejected") && result["error"]?["key"] == .string("lr"))
        #expect(try Data(contentsOf: folder.appendingPathComponent("job.json")) == Data(bytes))
        try FileManager.default.createDirectory(at: outbox.appendingPathComponent(BundleWriter.temporaryPrefix + "x"), withIntermediateDirectories: false)
        #expect(BundleWriter.removeStaleTemporaryFolders(in: outbox) == [BundleWriter.temporaryPrefix + "x"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: outbox.path) == [name])
    }
}

@Suite("Publishing bundles once")
struct PublishOnceTests {
    @Test("a bundle is found again by the source recorded in its manifest, among NAME, NAME-2, …")
    func existingBundle() throws {
        let outbox = BundleTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let files = [BundleFile(path: "a.txt", text: "a")]
        try BundleWriter.write(files, name: "job", outbox: outbox, source: "one")
        let second = try BundleWriter.write(files, name: "job", outbox: outbox, source: "two")
        #expect(second.lastPathComponent == "job-2")
        #expect(BundleWriter.existingBundle(name: "job", source: "two", outbox: outbox)?.lastPathComponent == "job-2")
        #expect(BundleWriter.existingBundle(name: "job", source: "one", outbox: outbox)?.lastPathComponent == "job")
        #expect(BundleWriter.existingBundle(name: "job", source: "three", outbox: outbox) == nil)
        #expect(BundleWriter.existingBundle(name: "other", source: "one", outbox: outbox) == nil)
    }
}

@Suite("Bundle README")
struct BundleReadmeTests {
    @Test("README.txt says what ran, its status and each point's headline numbers")
    func readme() throws {
        let spec = try JobParser.parse(Array(BundleTests.job.utf8), defaultName: "tiny")
        let outcomes = try JobRunner.run(spec, threads: 2).runs
        let files = ResultBundle.simulation(spec: spec, jobBytes: [], outcomes: outcomes,
                                            timing: Timing(startedAt: Date(), finishedAt: Date().addingTimeInterval(3), steps: 480),
                                            log: [], status: "cancelled")
        let text = try #require(files.first { $0.path == "README.txt" }).bytes
        let readme = String(decoding: text, as: UTF8.self)
        #expect(readme.hasPrefix("sgdyn \(SGDynVersion.string) — job 'tiny' (simulate): cancelled\n"))
        #expect(readme.contains("2 sweep point(s), 2 seed(s) each; 480 SGD steps in 3.0 s."))
        #expect(readme.contains("  lr=0.2: simulation ") && readme.contains("  lr=0.6: simulation ") && readme.contains("(s.e., 2 seeds)"))
        #expect(BundleReadme.short(1.1444e-5) == "1.144e-5" && BundleReadme.short(0.0281) == "0.0281")
    }
}

@Suite("Bundle names between submitters")
struct BundleNamingTests {
    static func owners(_ map: [String: String]) -> (String) -> String? { { map[$0] } }

    @Test("a name free, or taken by the same submitter or by a bundle without one, is numbered as before")
    func ownSeries() {
        #expect(BundleNaming.folderName(for: "shared", submitter: "alice", entries: [], owner: Self.owners([:])) == "shared")
        #expect(BundleNaming.folderName(for: "shared", submitter: "alice", entries: ["shared"], owner: Self.owners(["shared": "alice"])) == "shared-2")
        #expect(BundleNaming.folderName(for: "shared", submitter: "alice", entries: ["shared"], owner: Self.owners([:])) == "shared-2")
        #expect(BundleNaming.folderName(for: "shared", submitter: nil, entries: ["shared"], owner: Self.owners(["shared": "bob"])) == "shared-2")
    }

    @Test("another submitter's name gives NAME~USER, numbered in the user's own series")
    func otherSubmitter() {
        let owner = Self.owners(["shared": "bob", "shared-2": "bob"])
        #expect(BundleNaming.folderName(for: "shared", submitter: "alice", entries: ["shared", "shared-2"], owner: owner) == "shared~alice")
        #expect(BundleNaming.folderName(for: "shared", submitter: "alice", entries: ["shared", "shared~alice"], owner: owner) == "shared~alice-2")
        #expect(BundleNaming.personalName("x", submitter: "d.o/e") == "x~d.o_e")
        // '~' is not allowed in job names, so no job can be named like alice's folder.
        #expect(JobDraft.isValidName("shared~alice") == false)
    }

    @Test("the outbox's own index.html is never a bundle's name")
    func reserved() {
        #expect(BundleNaming.folderName(for: "index.html", submitter: nil, entries: [], owner: Self.owners([:])) == "index.html-2")
        #expect(BundleNaming.firstFree("index.html", in: ["index.html-2"]) == "index.html-3")
    }

    @Test("manifest.json's bundle is the folder's name, and the submitter is recorded")
    func manifestNamesTheFolder() throws {
        let outbox = BundleTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let files = [BundleFile(path: "a.txt", text: "a")]
        try BundleWriter.write(files, name: "shared", outbox: outbox, source: "1", submitter: "bob")
        let second = try BundleWriter.write(files, name: "shared", outbox: outbox, source: "2", submitter: "bob")
        let third = try BundleWriter.write(files, name: "shared", outbox: outbox, source: "3", submitter: "alice")
        #expect(second.lastPathComponent == "shared-2" && third.lastPathComponent == "shared~alice")
        for folder in [second, third] {
            let manifest = try JSONParser.parse([UInt8](try Data(contentsOf: folder.appendingPathComponent("manifest.json"))))
            #expect(manifest["bundle"] == .string(folder.lastPathComponent))
        }
        #expect(BundleWriter.owner(of: third) == "alice" && BundleWriter.owner(of: second) == "bob")
        #expect(BundleWriter.existingBundle(name: "shared", source: "3", outbox: outbox, submitter: "alice")?.lastPathComponent == "shared~alice")
        let local = try BundleWriter.write(files, name: "index.html", outbox: outbox)
        #expect(local.lastPathComponent == "index.html-2")
    }

    @Test("a job named index.html cannot break the outbox report")
    func indexHTMLJob() throws {
        let outbox = BundleTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let spec = try JobParser.parse(Array(#"{"name": "index.html", "N": 20, "K": 1, "M": 1, "t_max": 0.5, "seeds": 1}"#.utf8), defaultName: "x")
        let files = ResultBundle.simulation(spec: spec, jobBytes: [], outcomes: [], timing: Timing(startedAt: Date(), finishedAt: Date(), steps: 0),
                                            log: [])
        let folder = try BundleWriter.write(files, name: spec.name, outbox: outbox)
        #expect(folder.lastPathComponent != "index.html")
        let outcome = try OutboxReport.write(outbox: outbox.path, activity: nil, now: Date().timeIntervalSince1970 + 60)
        #expect(outcome.bundles == 1)
        // An outbox damaged by an older sgdyn is explained, not silently broken.
        let damaged = BundleTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: damaged) }
        try FileManager.default.createDirectory(at: damaged.appendingPathComponent("index.html"), withIntermediateDirectories: false)
        #expect(throws: OutboxReportError.self) { try OutboxReport.write(outbox: damaged.path, activity: nil, now: 0) }
    }

    @Test("result.json and the bundle page name the submitter; without one, nothing changes")
    func submitterInResult() throws {
        let spec = try JobParser.parse(Array(#"{"name": "s", "N": 20, "K": 1, "M": 1, "t_max": 0.5, "seeds": 1}"#.utf8), defaultName: "s")
        let timing = Timing(startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 1), steps: 0)
        let with = ResultBundle.simulation(spec: spec, jobBytes: [], outcomes: [], timing: timing, log: [], submitter: "alice")
        let without = ResultBundle.simulation(spec: spec, jobBytes: [], outcomes: [], timing: timing, log: [])
        let result = try JSONParser.parse(with.first { $0.path == "result.json" }!.bytes)
        #expect(result["submitter"] == .string("alice"))
        #expect(String(decoding: with.first { $0.path == "index.html" }!.bytes, as: UTF8.self).contains("submitted by alice"))
        #expect(try JSONParser.parse(without.first { $0.path == "result.json" }!.bytes)["submitter"] == nil)
        #expect(try BundleSummary(result: result).submitter == "alice")
        let rejected = ResultBundle.rejection(name: "rejected-x", jobBytes: [], error: JobError("bad"), log: [], submitter: "bob")
        #expect(try JSONParser.parse(rejected.first { $0.path == "result.json" }!.bytes)["submitter"] == .string("bob"))
    }
}
