import Foundation
import SGDynCore
import Testing
@testable import SGDynJobs

/// `BundleSizeEstimate` against bundles really written: never below, and close where the CSVs
/// (which it bounds exactly) dominate.
@Suite("Bundle size estimate")
struct BundleSizeTests {
    static let jobs = [
        #"{"N": 100, "t_max": 5, "points": 30, "seeds": 3}"#,
        #"{"N": 60, "t_max": 2, "points": 20, "seeds": 2, "mc_test_set": 10, "sweep": {"training_set": [null, 2], "lr": [0.1, 0.3]}}"#,
        #"{"kind": "compare", "N": 300, "K": 3, "M": 2, "t_max": 3, "points": 15, "seeds": 2, "train_second_layer": true}"#,
        #"{"kind": "ode", "K": 2, "M": 1, "t_max": 5, "points": 50, "initial": {"Q": [[1, 0.1], [0.1, 1]], "R": [[0.2], [0.3]], "T": [[1]], "v": [1, 1], "vstar": [1]}}"#,
        #"{"kind": "ode", "K": 3, "M": 2, "N": 100, "t_max": 4, "points": 40, "seeds": 3, "sweep": {"lr": [0.1, 0.2]}}"#,
        #"{"N": 20, "t_max": 1, "points": 3, "sweep": {"lr": [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.19, 0.2], "K": [1, 2]}}"#,
        #"{"N": 50, "K": 20, "M": 10, "t_max": 2, "points": 40, "seeds": 2, "train_second_layer": true}"#,
    ]

    static func folderBytes(_ folder: URL) throws -> Int {
        var total = 0
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey])
        while let url = enumerator?.nextObject() as? URL {
            total += try url.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
        }
        return total
    }

    @Test("the estimate is never below the bundle really written", arguments: Array(jobs.enumerated()))
    func bound(_ index: Int, _ text: String) throws {
        let bytes = Array(text.utf8)
        let spec = try JobParser.parse(bytes, defaultName: "size-\(index)")
        let (outcomes, odes) = try JobRunner.run(spec, threads: 2)
        let log = (0..<spec.runs.count).map { "2025-01-01T00:00:00Z info run \($0) of the job finished after a while, eg = 0.0123456789" }
        let files = ResultBundle.simulation(spec: spec, jobBytes: bytes, outcomes: outcomes, odes: odes,
                                            timing: Timing(startedAt: Date(), finishedAt: Date(), steps: 1), log: log)
        let outbox = BundleTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let actual = try Self.folderBytes(try BundleWriter.write(files, name: spec.name, outbox: outbox))
        let estimate = BundleSizeEstimate(spec: spec, jobBytes: bytes.count).totalBytes
        #expect(actual <= estimate, "\(actual) > \(estimate)")
        let largest = files.map(\.bytes.count).max() ?? 0
        #expect(largest <= BundleSizeEstimate(spec: spec, jobBytes: bytes.count).largestFileBytes)
        let records = JobResourceCheck.recordBytes(BundleSizeEstimate(spec: spec, jobBytes: bytes.count))
        let heldRecords = outcomes.reduce(0) { $0 + $1.records.count } + odes.reduce(0) { $0 + $1.result.records.count }
        #expect(heldRecords * SimulationResources.recordBytes(K: 1, M: 1) <= records)
        // Where CSVs and curves dominate (K = 20), the estimate stays within a factor 2.
        if spec.points[0].parameters.K >= 20 { #expect(Double(estimate) <= 2 * Double(actual), "\(estimate) vs \(actual)") }
    }
}

/// An ODE integration's memory estimate covers what its worker was measured to hold
/// (`scripts/limits-measure.sh --daemon`, docs/operations.md, "Limits"): it is what `sgdyn validate` shows as
/// one run's memory and what Slurm's `--mem` derives from.
@Suite("ODE integration memory")
struct ODEIntegrationMemoryTests {
    @Test("at the checkpoint edge the estimate is above the 805 MiB measured, and within the run limit")
    func checkpointEdge() throws {
        let spec = try JobParser.parse(Array(#"{"kind": "ode", "K": 20, "M": 2, "t_max": 100, "points": 72001}"#.utf8), defaultName: "edge")
        let estimate = JobResourceEstimate(spec: spec, jobBytes: 64)
        // The worker's peak (VmHWM) included ≈ 26 MiB of the process itself.
        #expect(estimate.runBytes >= (805 - 26) << 20)
        #expect(estimate.runBytes <= JobLimits.maxBytesPerRun)
        let unit = try #require(JobPlan.units(of: spec).first)
        #expect(WorkUnitResources.memoryBytes(unit.work) >= estimate.runBytes)
    }
}
