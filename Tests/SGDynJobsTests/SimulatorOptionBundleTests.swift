import Foundation
import SGDynCore
import Testing
@testable import SGDynJobs

/// The bundle of a job using the options of the authors' simulator (issue 21): classification,
/// a sparse teacher, early stop.
@Suite("Bundles with classification, sparse teachers and early stop")
struct SimulatorOptionBundleTests {
    static let job = #"{"name": "cls", "N": 60, "K": 2, "M": 2, "t_max": 30, "points": 30, "seeds": 3, "task": "classify", "label_flip": 0.1, "training_set": 3, "mc_test_set": 400, "stop_below": 0.3, "sweep": {"teacher_sparsity": [0, 0.5]}}"#

    @Test("result.json, the CSVs, summary.csv and the page carry the classification errors and the early stops")
    func bundle() throws {
        let spec = try JobParser.parse(Array(Self.job.utf8), defaultName: "cls")
        #expect(spec.normalised["task"] == .string("classify") && spec.normalised["stop_below"] == .double(0.3))
        let outcomes = try JobRunner.run(spec, threads: 2).runs
        let timing = Timing(startedAt: Date(), finishedAt: Date(), steps: outcomes.reduce(0) { $0 + $1.steps })
        let files = ResultBundle.simulation(spec: spec, jobBytes: Array(Self.job.utf8), outcomes: outcomes, timing: timing, log: [])
        func text(_ path: String) throws -> String {
            String(decoding: try #require(files.first { $0.path == path }).bytes, as: UTF8.self)
        }
        let result = try JSONParser.parse(Array(try text("result.json").utf8))
        guard case .array(let points)? = result["points"] else { Issue.record("no points"); return }
        var stoppedRuns = 0
        for point in points {
            guard case .array(let runs)? = point["runs"] else { continue }
            for run in runs {
                #expect(run["final_cerr"]?.doubleValue != nil && run["final_cerr_train"]?.doubleValue != nil)
                #expect(run["complete"] == .bool(true))
                if let stop = run["stopped_early"] {
                    stoppedRuns += 1
                    // Stopped at a record whose eg is below the threshold, before t_max, and that is its final value.
                    #expect(stop["eg"]!.doubleValue! < 0.3 && stop["t"]!.doubleValue! < 30)
                    #expect(run["final_eg"] == stop["eg"])
                }
            }
            #expect(point["final_cerr_mean"]?.doubleValue != nil)
            #expect(point["final_eg_mean"]?.doubleValue != nil)  // every run counts, whatever its length
        }
        // With eg starting near 1 for ±1 labels and falling well below 0.3 by t = 30 for K = M = 2,
        // some runs stop early: this job was chosen so that they do.
        #expect(stoppedRuns > 0)
        let stopped = outcomes.filter { $0.earlyStop != nil }
        #expect(stopped.count == stoppedRuns)
        for run in stopped { #expect(run.records.last!.eg < 0.3 && run.records.dropLast().allSatisfy { $0.eg >= 0.3 }) }
        let csv = try text("teacher_sparsity=0/seed-0.csv").split(separator: "\n")
        #expect(csv[0] == "t,eg,Q11,Q12,Q22,R11,R12,R21,R22,v1,v2,et,cerr,cerr_train,step")
        let summary = try text("summary.csv").split(separator: "\n")
        #expect(summary[0] == "teacher_sparsity,seeds,final_eg_mean,final_eg_stderr,final_eg_ode,final_cerr_mean,final_cerr_stderr,stopped_early,mean_stop_t")
        #expect(summary.count == 3)
        let page = try text("index.html")
        #expect(page.contains("classification error, mean ± s.e.") && page.contains("stopped early below stop_below"))
        // The sparse teacher's T in the CSV's order parameters is not stored, but the R of a
        // half-sparse teacher starts smaller: R = W Bᵀ/N with half of B zero.
        let log = JobResults.logLines(runs: outcomes, odes: [])
        #expect(log.filter { $0.contains("stopped early") }.count == stoppedRuns)
    }

    @Test("store_weights: .npy files of B, v*, W and v whose overlaps are the Q and R of the CSV's first and last rows")
    func storedWeights() throws {
        let job = #"{"name": "w", "N": 50, "K": 3, "M": 2, "t_max": 2, "points": 6, "seeds": 2, "train_second_layer": true, "store_weights": true}"#
        let spec = try JobParser.parse(Array(job.utf8), defaultName: "w")
        let outcomes = try JobRunner.run(spec, threads: 2).runs
        let timing = Timing(startedAt: Date(), finishedAt: Date(), steps: 0)
        let files = ResultBundle.simulation(spec: spec, jobBytes: Array(job.utf8), outcomes: outcomes, timing: timing, log: [])
        func npy(_ path: String) throws -> (values: [Double], shape: [Int]) {
            let bytes = try #require(files.first { $0.path == path }).bytes
            #expect((bytes.count - 8 * (try #require(NPYFile.decode(bytes))).values.count) % 64 == 0)
            return try #require(NPYFile.decode(bytes))
        }
        for seed in 0..<2 {
            let base = "weights/seed-\(seed)/"
            let B = try npy(base + "B.npy"), vstar = try npy(base + "vstar.npy")
            let W0 = try npy(base + "W-initial.npy"), v0 = try npy(base + "v-initial.npy")
            let W = try npy(base + "W-final.npy"), v = try npy(base + "v-final.npy")
            #expect(B.shape == [2, 50] && vstar.shape == [2] && W0.shape == [3, 50] && v0.shape == [3] && W.shape == [3, 50] && v.shape == [3])
            let csv = String(decoding: try #require(files.first { $0.path == "seed-\(seed).csv" }).bytes, as: UTF8.self)
                .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) } }
            // Columns: t, eg, Q11 Q12 Q13 Q22 Q23 Q33, R11 … R32, v1 v2 v3. The CSV holds the same
            // doubles the simulator computed with the same kernel; sums over N = 50 in another
            // order agree to 1e-12 of the overlaps' scale (entries of order 1).
            for (row, (w, vv)) in [(csv[1], (W0.values, v0.values)), (csv[csv.count - 1], (W.values, v.values))] {
                var column = 2
                for i in 0..<3 { for k in i..<3 {
                    let q = (0..<50).reduce(0.0) { $0 + w[i * 50 + $1] * w[k * 50 + $1] } / 50
                    #expect(abs(q - row[column]!) < 1e-12, "Q\(i + 1)\(k + 1)")
                    column += 1
                } }
                for i in 0..<3 { for n in 0..<2 {
                    let r = (0..<50).reduce(0.0) { $0 + w[i * 50 + $1] * B.values[n * 50 + $1] } / 50
                    #expect(abs(r - row[column]!) < 1e-12, "R\(i + 1)\(n + 1)")
                    column += 1
                } }
                for i in 0..<3 { #expect(vv[i] == row[column + i]!) }
            }
        }
        #expect(BundleSizeEstimate(spec: spec, jobBytes: job.utf8.count).totalBytes >= files.reduce(0) { $0 + $1.bytes.count })
    }
}
