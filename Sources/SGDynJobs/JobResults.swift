import SGDynCore

/// One unit's part of a job's results, whatever computed it (`sgdyn run` in-process, a local
/// worker, a Slurm task): where it belongs and what it left.
public struct UnitResultEntry: Sendable {
    public var kind: PlannedUnit.Kind
    public var pointIndex: Int
    public var seed: UInt64?
    /// Its records: complete (or diverged) for a finished unit, partial for one stopped by a
    /// cancellation (from its last checkpoint), nil when there is nothing.
    public var result: UnitResult?

    public init(kind: PlannedUnit.Kind, pointIndex: Int, seed: UInt64?, result: UnitResult?) {
        self.kind = kind
        self.pointIndex = pointIndex
        self.seed = seed
        self.result = result
    }
}

/// Turns a job's unit results into its bundle: the one path from results to files, shared by
/// `sgdyn run` and the daemon's bundle writer, so both give the same bytes.
public enum JobResults {
    /// The simulations' outcomes and the ODE integrations' (with, for `compare`, each one's
    /// deviation from the simulation of the same sweep point and seed).
    public static func outcomes(spec: JobSpec, units: [UnitResultEntry]) -> (runs: [RunOutcome], odes: [ODEOutcome]) {
        var runs: [RunOutcome] = []
        for unit in units where unit.kind == .simulation {
            guard case .simulation(let records)? = unit.result, let seed = unit.seed else { continue }
            var run = RunOutcome(pointIndex: unit.pointIndex, seed: seed, records: records.records, steps: records.step,
                                 divergence: records.divergence, earlyStop: records.earlyStop)
            run.finalWeights = records.finalWeights
            run.finalSecondLayer = records.finalSecondLayer
            runs.append(run)
        }
        var odes: [ODEOutcome] = []
        for unit in units where unit.kind == .ode {
            guard case .ode(let integration)? = unit.result else { continue }
            let result = integration.result
            var deviation: EgDeviation?
            if spec.kind == .compare, let run = runs.first(where: { $0.pointIndex == unit.pointIndex && $0.seed == unit.seed }),
               !run.records.isEmpty {
                // A diverged ODE has records up to its divergence only: compare there.
                deviation = try? ODEComparison.largestRelativeDeviation(simulation: run.records, ode: result.records,
                                                                        upTo: result.divergence?.t)
            }
            odes.append(ODEOutcome(pointIndex: unit.pointIndex, seed: unit.seed, result: result, deviation: deviation))
        }
        return (runs, odes)
    }

    /// Lines for the job's log about what the units did (ODE statistics, divergences, the largest
    /// simulation–ODE deviation).
    public static func logLines(runs: [RunOutcome], odes: [ODEOutcome]) -> [String] {
        var lines: [String] = []
        for run in runs {
            if let divergence = run.divergence {
                lines.append("run point \(run.pointIndex) seed \(run.seed) diverged at t = \(divergence.t) (step \(divergence.step ?? 0)); its records stop there")
            }
        }
        for run in runs {
            if let stop = run.earlyStop {
                lines.append("run point \(run.pointIndex) seed \(run.seed) stopped early at t = \(stop.t) (step \(stop.step)): eg = \(stop.eg) < stop_below = \(stop.threshold)")
            }
        }
        for ode in odes {
            let s = ode.result.statistics
            lines.append("ODE point \(ode.pointIndex)\(ode.seed.map { " seed \($0)" } ?? ""): \(s.method.name), \(s.steps) steps, \(s.rhsEvaluations) right-hand sides, error estimate \(s.errorEstimate)")
            if let divergence = ode.result.divergence {
                lines.append("ODE point \(ode.pointIndex)\(ode.seed.map { " seed \($0)" } ?? "") diverged after t = \(divergence.t); its records stop there")
            }
            if let from = s.underResolvedFrom {
                lines.append("ODE point \(ode.pointIndex)\(ode.seed.map { " seed \($0)" } ?? "") under-resolved from t = \(from): "
                             + "\(s.underResolvedEvaluations) right-hand side(s) took a quadrature at its cap on the work (the fields "
                             + "outgrew the scale it resolves); records after that may be off by more than the tolerance "
                             + "(docs/numerics.md \"Where the rules cap their work\")")
            }
        }
        if let worst = odes.compactMap(\.deviation).max(by: { $0.relative < $1.relative }) {
            lines.append("largest relative deviation of eg, simulation vs ODE: \(worst.relative) at t = \(worst.t)")
        }
        return lines
    }
}
