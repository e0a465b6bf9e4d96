import SGDynCore
import Testing
@testable import SGDynJobs

/// Inputs found by the fuzz targets (Fuzz/, docs/operations.md, "Fuzzing and sanitizers") or by reading the decoders while
/// writing them, kept as regressions: each must be refused with a typed error. A trap would end
/// this test process (and, for a job file, the daemon that parsed it).
@Suite("Hostile job files and spool files")
struct HostileInputTests {
    @Test("absurd sizes are refused by name; their message once trapped formatting 10³¹ bytes or 2⁶³ rows as an Int", arguments: [
        #"{"N": 1e15, "batch_size": 1e15}"#,
        #"{"kind": "ode", "N": 1e15, "batch_size": 1e15, "K": 1, "M": 1, "initial": {"Q": [[1]], "R": [[0]], "T": [[1]], "v": [1], "vstar": [1]}}"#,
        #"{"N": 9007199254740992, "K": 1024, "M": 1024, "batch_size": 9007199254740992}"#,
        #"{"batch_size": 4611686018427387904}"#,  // K + M + 2B beyond Int in the message
    ])
    func absurdSizes(job: String) {
        #expect(throws: JobError.self) { _ = try JobParser.parse(Array(job.utf8), defaultName: "absurd") }
        #expect(JobLimits.format(1.6e31).hasSuffix("e+22 GiB"))
        #expect(JobLimits.format(Double.infinity).hasPrefix("inf"))
    }

    @Test("a t_max so small that t_max/100 underflows is refused naming t_max; with 3 points it passed and trapped the run")
    func tinyTMax() throws {
        do {
            _ = try JobParser.parse(Array(#"{"t_max": 5e-324, "points": 3}"#.utf8), defaultName: "tiny")
            Issue.record("accepted")
        } catch {
            #expect(error.key == "t_max")
        }
        // A tiny t_max that works keeps working (every output time falls on step 0).
        let spec = try JobParser.parse(Array(#"{"t_max": 1e-300, "points": 3, "N": 10}"#.utf8), defaultName: "small")
        let p = spec.points[0].parameters
        #expect(OutputSchedule.steps(tMax: p.tMax, points: p.points, N: p.N) == [0])
    }

    @Test("every job validation accepts decodes again: the job limits lie within the decoders' limits")
    func limitsNest() {
        #expect(JobLimits.maxUnits <= SimulationLimits.maxUnits)
        #expect(JobLimits.maxPoints <= SimulationLimits.maxPoints)
        #expect(JobLimits.maxStepsPerRun <= SimulationLimits.maxSteps)
        #expect(JobLimits.maxTestSet <= SimulationLimits.maxTestSet)
        #expect(JobLimits.maxBytesPerRun <= SimulationLimits.maxRunBytes)
        #expect(JobLimits.maxODEWorkspaceBytes <= SimulationLimits.maxODEWorkspaceBytes)
        // Every size at its job limit at once, weights and samples at the job's 2 GiB.
        let p = SimulationParameters(N: 1 << 10, M: JobLimits.maxUnits, K: JobLimits.maxUnits, batchSize: 1 << 16,
                                     tMax: Double(JobLimits.maxStepsPerRun >> 10), points: JobLimits.maxPoints,
                                     monteCarloTestSize: JobLimits.maxTestSet)
        #expect(p.decodingProblem == nil)
    }

    /// A report as `UnitReport.encoded()` frames it, with any kind, payload and declared length.
    static func report(kind: UInt8, declaredLength: Int, payload: [UInt8]) -> [UInt8] {
        var header = ByteWriter()
        header.append(Array("SGDYNSPL".utf8))
        header.write(UInt64(2))
        header.write(string: "sgdyn-test-j1-x")
        for value in [1, 1] { header.write(value) }
        header.write(string: "")
        header.write(kind)
        for value in [1, 10] { header.write(value) }
        header.write(0.5)
        header.write(optional: Double?.none)
        header.write(1e9)
        header.write(declaredLength)
        let digest = SHA256.hash(payload)
        return header.bytes + payload + digest + SHA256.hash(header.bytes + digest)
    }

    @Test("a spool file whose payload length is near Int.max is malformed, not an overflow")
    func hugePayloadLength() {
        #expect(Self.report(kind: 1, declaredLength: 3, payload: [1, 2, 3]).count > 0)
        #expect((try? UnitReport.decode(Self.report(kind: 1, declaredLength: 3, payload: [1, 2, 3]))) != nil)
        for length in [Int.max, Int.max - 63, -1] {
            #expect(throws: SpoolDecodingError.self) { _ = try UnitReport.decode(Self.report(kind: 1, declaredLength: length, payload: [1, 2, 3])) }
        }
    }

    @Test("a heartbeat with a payload is malformed (found by fuzz-unit-report: it was dropped, its digest returned)")
    func heartbeatWithPayload() throws {
        let empty = try UnitReport.decode(Self.report(kind: 2, declaredLength: 0, payload: []))
        guard case .progress = empty.report else { Issue.record("not a heartbeat"); return }
        #expect(throws: SpoolDecodingError.malformed("a progress report with a payload")) {
            _ = try UnitReport.decode(Self.report(kind: 2, declaredLength: 13, payload: [UInt8](repeating: 7, count: 13)))
        }
    }
}
