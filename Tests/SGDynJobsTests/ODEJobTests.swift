import Foundation
import SGDynCore
import Testing
@testable import SGDynJobs

/// `ode` and `compare` jobs from job file to bundle.
@Suite("ODE and compare jobs")
struct ODEJobTests {
    @Test("a compare job runs the simulations and the ODE from each seed's initial point, and reports their deviation")
    func compareEndToEnd() throws {
        let text = #"{"kind": "compare", "name": "cmp", "N": 2000, "K": 2, "M": 2, "lr": 0.5, "sigma": 0.01, "t_max": 10, "points": 20, "seeds": 2}"#
        let spec = try JobParser.parse(Array(text.utf8), defaultName: "cmp")
        let (outcomes, odes) = try JobRunner.run(spec, threads: 2)
        #expect(odes.count == 2 && odes.map(\.seed) == [0, 1])
        for (run, ode) in zip(outcomes, odes) {
            // Same start: the ODE begins at the simulation's exact initial order parameters.
            #expect(ode.result.records[0].orderParameters == run.records[0].orderParameters)
            #expect(ode.result.records.map(\.t) == run.records.map(\.t))
            // N = 2000 before the plateau escape: deviations are O(N^{-1/2}) ≈ a few per cent.
            let deviation = try #require(ode.deviation)
            #expect(deviation.relative > 0 && deviation.relative < 0.08, "\(deviation)")
        }
        let outbox = BundleTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let files = ResultBundle.simulation(spec: spec, jobBytes: Array(text.utf8), outcomes: outcomes, odes: odes,
                                            timing: Timing(startedAt: Date(), finishedAt: Date(), steps: 1), log: [])
        let folder = try BundleWriter.write(files, name: "cmp", outbox: outbox)
        for name in ["seed-0.csv", "seed-1.csv", "ode-seed-0.csv", "ode-seed-1.csv"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
        }
        let result = try JSONParser.parse([UInt8](Data(contentsOf: folder.appendingPathComponent("result.json"))))
        let worst = odes.compactMap(\.deviation).map(\.relative).max()!
        #expect(result["max_rel_deviation"]?["value"] == .double(worst))
        let summary = try String(contentsOf: folder.appendingPathComponent("summary.csv"), encoding: .utf8)
        #expect(summary.hasPrefix("seeds,final_eg_mean,final_eg_stderr,final_eg_ode,max_rel_deviation,max_rel_deviation_t\n2,"))
    }

    @Test("an ode job integrates every sweep point at the job's output times, same columns as a simulation")
    func odeJob() throws {
        let text = #"{"kind": "ode", "K": 3, "M": 2, "t_max": 50, "points": 25, "sweep": {"lr": [0.1, 0.4]}, "ode": {"method": "rk4", "dt": 0.01}}"#
        let spec = try JobParser.parse(Array(text.utf8), defaultName: "o")
        let odes = try JobRunner.run(spec, threads: 2).odes
        #expect(odes.count == 2 && odes.allSatisfy { $0.result.statistics.method == .rk4(dt: 0.01) })
        #expect(odes[0].result.records.map(\.t) == OutputSchedule.times(tMax: 50, points: 25))
        let csv = JobODEs.csv(odes[1].result).split(separator: "\n")
        #expect(csv[0] == "t,eg,Q11,Q12,Q13,Q22,Q23,Q33,R11,R12,R21,R22,R31,R32,v1,v2,v3" && csv.count == 27)
        // Drawn initial conditions: the ODE starts where a simulation with that seed and N starts.
        var p = spec.points[0].parameters
        p.seed = 0
        #expect(odes[0].result.records[0].orderParameters == Simulation(parameters: p).records[0].orderParameters)
    }

    @Test("an ODE whose fields outgrew the quadrature's cap says so: result.json, README, page and log name the time it started")
    func underResolvedIsReported() throws {
        // tanh students of norm 10 (Q_ii = 100) on the joint rule: beyond its 241 nodes per level.
        let text = #"{"kind": "ode", "name": "big", "activation": "tanh", "K": 2, "M": 1, "t_max": 0.5, "points": 5, "initial": {"Q": [[100, 0], [0, 100]], "R": [[0.1], [0.1]], "T": [[1]], "v": [1, 1], "vstar": [1]}}"#
        let spec = try JobParser.parse(Array(text.utf8), defaultName: "big")
        let odes = try JobRunner.run(spec, threads: 1).odes
        let statistics = try #require(odes.first?.result.statistics)
        #expect(statistics.underResolvedFrom == 0 && statistics.underResolvedEvaluations == statistics.rhsEvaluations)
        let outbox = BundleTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: outbox) }
        let log = JobResults.logLines(runs: [], odes: odes)
        let files = ResultBundle.simulation(spec: spec, jobBytes: Array(text.utf8), outcomes: [], odes: odes,
                                            timing: Timing(startedAt: Date(), finishedAt: Date(), steps: 1), log: log)
        let folder = try BundleWriter.write(files, name: "big", outbox: outbox)
        let result = try JSONParser.parse([UInt8](Data(contentsOf: folder.appendingPathComponent("result.json"))))
        guard case .array(let points)? = result["points"], case .array(let integrations)? = points.first?["ode"],
              let ode = integrations.first else { Issue.record("no points[0].ode[0]"); return }
        #expect(ode["under_resolved_from"] == JSONValue.double(0))
        #expect(ode["under_resolved_evaluations"] == JSONValue.int(statistics.rhsEvaluations))
        let readme = try String(contentsOf: folder.appendingPathComponent("README.txt"), encoding: .utf8)
        #expect(readme.contains("under-resolved from t = 0"), "\(readme)")
        let page = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(page.contains("under-resolved from t = 0"))
        #expect(log.contains { $0.hasPrefix("ODE point 0 under-resolved from t = 0.0: \(statistics.rhsEvaluations) right-hand side(s)") }, "\(log)")
        // The same job at unit norms has none of it (and result.json none of the keys).
        let unit = text.replacingOccurrences(of: "[[100, 0], [0, 100]]", with: "[[1, 0], [0, 1]]")
        let plain = try JobRunner.run(try JobParser.parse(Array(unit.utf8), defaultName: "big"), threads: 1).odes
        #expect(plain.first?.result.statistics.underResolvedFrom == nil)
        #expect(!JobResults.logLines(runs: [], odes: plain).contains { $0.contains("under-resolved") })
    }

    @Test("explicit initial conditions that are not positive semi-definite are rejected, naming the entry")
    func notSemidefinite() {
        let text = #"{"kind": "ode", "K": 2, "M": 1, "initial": {"Q": [[1, 0], [0, 1]], "R": [[2], [0]], "T": [[1]], "v": [1, 1], "vstar": [1]}}"#
        #expect(throws: JobError.self) { try JobParser.parse(Array(text.utf8), defaultName: "x") }
        do {
            _ = try JobParser.parse(Array(text.utf8), defaultName: "x")
        } catch {
            #expect(error.key == "initial.R" && error.message.contains("positive semi-definite"))
        }
    }
}
