import Foundation
import Testing
@testable import SGDynDaemon
import SGDynCore
import SGDynJobs
@testable import SGDynStore

@Suite("Local batches")
struct LocalBatchTests {
    static func units(_ t_max: Double, count: Int) throws -> [UnitRecord] {
        let spec = try JobParser.parse(Array(#"{"N": 100, "K": 2, "M": 2, "t_max": \#(t_max), "seeds": \#(count)}"#.utf8), defaultName: "b")
        return JobPlan.units(of: spec).enumerated().map { index, unit in
            UnitRecord(id: UnitID(Int64(index)), jobID: JobID(1), index: index, kind: .simulation, pointIndex: unit.pointIndex, seed: unit.seed,
                       spec: unit.work.encoded(), state: .queued, stepsDone: 0, totalSteps: unit.totalSteps, hasResult: false, divergedAt: nil,
                       wallSeconds: 0, latestEg: nil, crashes: 0, attempt: 0, executorState: nil, error: nil)
        }
    }

    @Test("short units: at most 32 per thread, in order; never fewer than one per thread")
    func shortUnits() throws {
        let units = try Self.units(0.5, count: 1000)
        let batch = LocalBatch.units(units, threads: 2)
        #expect(batch.count == 64 && batch.map(\.index) == Array(0..<64))
        #expect(LocalBatch.units(Array(units.prefix(3)), threads: 8).count == 3)
    }

    @Test("long units: about 30 s of estimated work per thread, at least one unit per thread")
    func longUnits() throws {
        let units = try Self.units(1_000_000, count: 10)
        let estimate = WorkUnitResources.estimatedSeconds(try WorkUnit(encoded: units[0].spec!))
        #expect(estimate > 30)
        #expect(LocalBatch.units(units, threads: 2).count == 2)
    }
}
