import Foundation
import Testing
@testable import SGDynJobs

/// `ResultDocument`: writing what was read gives the same bytes, for bundles of every status and
/// kind and for older versions' documents; the widest document (the size estimate's bound)
/// writes every declared field, in the declared order, and reads back equal.
@Suite("Result documents: the typed result.json")
struct ResultDocumentTests {
    static let fixtures = ResultGoldenTests.folder

    static func fixture(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: fixtures.appendingPathComponent(name).appendingPathComponent("result.json")))
    }

    /// Every case folder with a result.json: the golden bundles and the older versions' documents.
    static func fixtureNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: fixtures.path).filter {
            FileManager.default.fileExists(atPath: fixtures.appendingPathComponent($0).appendingPathComponent("result.json").path)
        }.sorted()
    }

    @Test("read and written again, every fixture's result.json has its bytes; reading what was written gives the same document")
    func roundTrip() throws {
        let names = try Self.fixtureNames()
        #expect(names.count >= 16)
        for name in names {
            let bytes = try Self.fixture(name)
            let document = ResultDocument(json: try JSONParser.parse(bytes))
            #expect(Array(document.text.utf8) == bytes, "\(name)")
            // Compared as JSON: a null read back as NaN (classification, early stops) is not == itself.
            #expect(ResultDocument(json: try JSONParser.parse(Array(document.text.utf8))).json == document.json, "\(name)")
        }
    }

    @Test("a cancelled, a failed, a rejected, a compare and a diverged document read as what they say")
    func typedFields() throws {
        let cancelled = ResultDocument(json: try JSONParser.parse(try Self.fixture("cancelled")))
        #expect(cancelled.status == "cancelled" && cancelled.error?.message == "cancelled by alice at 2025-06-01T02:03:04Z")
        #expect(cancelled.points?.first?.runs.map(\.seed) == [1, 3] && cancelled.timing?.resumes == 1 && cancelled.timing?.steps == 1234)
        let failed = ResultDocument(json: try JSONParser.parse(try Self.fixture("failed")))
        #expect(failed.points?.count == 2 && failed.points?.allSatisfy { $0.runs.isEmpty && $0.finalEgMean == nil } == true)
        let rejected = ResultDocument(json: try JSONParser.parse(try Self.fixture("rejected-syntax")))
        #expect(rejected.status == "rejected" && rejected.error?.line == 3 && rejected.error?.column != nil && rejected.points == nil)
        #expect(rejected.files == .rejection && rejected.kind == nil && rejected.timing == nil)
        let compare = ResultDocument(json: try JSONParser.parse(try Self.fixture("compare")))
        let deviation = try #require(compare.maxRelDeviation)
        #expect(deviation.point == 0 && deviation.seed != nil && (deviation.value ?? -1) >= 0)
        #expect(compare.points?.first?.runs.allSatisfy { $0.maxRelDeviation != nil && $0.finalEgODE != nil } == true)
        #expect(compare.points?.first?.ode?.count == 2 && compare.points?.first?.ode?.first?.method == "adaptive")
        let diverged = ResultDocument(json: try JSONParser.parse(try Self.fixture("ref-diverged-run")))
        #expect(diverged.points?.first?.runs.allSatisfy { $0.divergedAt?.step != nil && $0.finalEg == nil && $0.complete == false } == true)
    }

    @Test("documents of 0.1.0 (no page, plots or readme in files; the ODE mean null) read, summarise and write back unchanged")
    func olderVersions() throws {
        for name in ["v0.1.0-done", "v0.1.0-rejected"] {
            let bytes = try Self.fixture(name)
            let document = ResultDocument(json: try JSONParser.parse(bytes))
            #expect(document.sgdynVersion == "0.1.0", "\(name)")
            #expect(Array(document.text.utf8) == bytes, "\(name)")
            let summary = try BundleSummary(document: document)
            #expect(summary.version == "0.1.0" && summary.mainPlot == nil, "\(name)")
            #expect(BundlePage.html(result: document, files: ["result.json"], log: []).contains("0.1.0"), "\(name)")
        }
        let done = ResultDocument(json: try JSONParser.parse(try Self.fixture("v0.1.0-done")))
        #expect(done.files?.readme == nil && done.files?.page == nil && done.files?.trajectories?.count == 2)
        #expect(done.points?.first?.runs.first?.finalEt != nil && done.points?.first?.finalEgODE == nil)
        // The earliest failed bundles wrote the reason as a plain string.
        let plain = ResultDocument(json: try JSONParser.parse(Array(#"{"status": "failed", "error": "worker killed"}"#.utf8)))
        #expect(plain.error?.message == "worker killed")
    }

    @Test("a non-finite number is null: written so, and read back as written")
    func nulls() throws {
        var run = ResultDocument.Run(seed: 1, finalEg: nil, finalEt: .infinity, finalEgMC: nil, steps: 3, complete: false, csv: "seed-1.csv")
        #expect(JSONWriter.string(run.json, pretty: false) == #"{"seed":1,"final_eg":null,"final_et":null,"steps":3,"complete":false,"csv":"seed-1.csv"}"#)
        let read = ResultDocument.Run(json: run.json)
        #expect(read.finalEt?.isNaN == true && read.json == run.json)
        run.finalEt = nil
        #expect(ResultDocument.Run(json: run.json).finalEt == nil)
    }

    @Test("a point's classification and early-stop members: left out (other jobs), null (no finished run, no stop) or a value, each read back as written")
    func absentNullOrValue() throws {
        var point = ResultDocument.Point(index: 0, parameters: .object([]), folder: "", runs: [], finalEgMean: nil, finalEgStderr: nil,
                                         finalEgODE: nil, ode: nil, maxRelDeviation: nil)
        #expect(JSONWriter.string(point.json, pretty: false)
            == #"{"index":0,"parameters":{},"folder":"","runs":[],"final_eg_mean":null,"final_eg_stderr":null,"final_eg_ode":null}"#)
        point.finalCerrMean = .nan
        point.finalCerrStderr = .nan
        point.stoppedEarly = 0
        point.meanStopT = .nan
        let nulls = #"{"index":0,"parameters":{},"folder":"","runs":[],"final_eg_mean":null,"final_eg_stderr":null,"final_eg_ode":null,"#
            + #""final_cerr_mean":null,"final_cerr_stderr":null,"stopped_early":0,"mean_stop_t":null}"#
        #expect(JSONWriter.string(point.json, pretty: false) == nulls)
        let read = ResultDocument.Point(json: point.json)
        #expect(read.finalCerrMean?.isNaN == true && read.meanStopT?.isNaN == true && read.stoppedEarly == 0 && read.json == point.json)
        point.finalCerrMean = 0.25
        point.meanStopT = 1.5
        #expect(ResultDocument.Point(json: point.json).finalCerrMean == 0.25 && ResultDocument.Point(json: point.json).meanStopT == 1.5)
        point.finalCerrMean = nil
        #expect(ResultDocument.Point(json: point.json).finalCerrMean == nil)
        let run = ResultDocument.Run(seed: 1, finalEg: 0.1, steps: 3, complete: true, csv: "seed-1.csv",
                                     stoppedEarly: ResultDocument.EarlyStop(t: 0.5, step: 25, eg: 0.1, stopBelow: 0.2))
        #expect(JSONWriter.string(run.json, pretty: false) == #"{"seed":1,"final_eg":0.1,"steps":3,"complete":true,"csv":"seed-1.csv","#
            + #""stopped_early":{"t":0.5,"step":25,"eg":0.1,"stop_below":0.2,"reason":"eg fell below stop_below"}}"#)
        #expect(ResultDocument.Run(json: run.json) == run)
        var files = ResultDocument.Files.ran(trajectories: [], plots: [], weights: [])
        #expect(files.json["weights"] == nil)
        files.weights = ["weights/seed-1/B.npy"]
        #expect(ResultDocument.Files(json: files.json) == files)
    }

    /// The widest document with one point holding one run and one integration.
    static var widest: ResultDocument {
        var point = WidestResult.point(parameters: .object([("K", .int(2))]), folder: "K=2")
        point.runs = [WidestResult.run]
        point.ode = [WidestResult.ode]
        return WidestResult.document(name: "n", job: .object([]), warnings: ["w"], points: [point])
    }

    /// The member names of every object of `value`, under its path (as `Fields.path` spells them).
    static func members(_ value: JSONValue, path: String, into found: inout [String: [[String]]]) {
        switch value {
        case .object(let members):
            found[path, default: []].append(members.map(\.key))
            for member in members where !(path.isEmpty && member.key == "job") && !(path == "points[]" && member.key == "parameters") {
                let child: String
                switch member.key {
                case "diverged_at": child = "…diverged_at"
                case "max_rel_deviation": child = "…max_rel_deviation"
                default: child = (path.isEmpty ? "" : path + ".") + member.key
                }
                Self.members(member.value, path: child, into: &found)
            }
        case .array(let items):
            for item in items { members(item, path: path + "[]", into: &found) }
        default: break
        }
    }

    @Test("the widest document (the size estimate's bound) writes every declared field of every object, in the declared order")
    func widestCoversEveryField() throws {
        var found: [String: [[String]]] = [:]
        Self.members(Self.widest.json, path: "", into: &found)
        for object in ResultDocument.allFields {
            let written = try #require(found[object.path], "no \(object.path) in the widest document")
            let declared = object.fields.map(\.name)
            if object.path == "…max_rel_deviation" {
                // A run's and a point's deviation leave out `point` and `seed`; the job's has them.
                #expect(written.contains(declared), "the job's max_rel_deviation writes \(written), declared \(declared)")
            } else {
                for members in written { #expect(members == declared, "\(object.path) writes \(members), declared \(declared)") }
            }
        }
        #expect(Set(found.keys) == Set(ResultDocument.allFields.map(\.path)), "objects written: \(found.keys.sorted())")
        #expect(ResultDocument(json: Self.widest.json) == Self.widest)
    }

    @Test("a run's and an integration's bound is at least what the widest ones take in a real document")
    func widestBytes() throws {
        let one = Self.widest
        var two = one
        two.points![0].runs.append(WidestResult.run)
        two.files!.trajectories = [WidestResult.run.csv!]
        let added = two.text.utf8.count - one.text.utf8.count
        #expect(added <= WidestResult.runBytes && WidestResult.runBytes <= added + 8, "\(added) vs \(WidestResult.runBytes)")
        var three = one
        three.points![0].ode!.append(WidestResult.ode)
        three.files!.trajectories = [WidestResult.ode.csv!]
        let addedODE = three.text.utf8.count - one.text.utf8.count
        #expect(addedODE <= WidestResult.odeBytes && WidestResult.odeBytes <= addedODE + 8, "\(addedODE) vs \(WidestResult.odeBytes)")
    }
}
