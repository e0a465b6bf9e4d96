import SGDynCore

/// What one work unit needs from the machine that runs it, from its parameters alone: the memory
/// (Slurm's `--mem`), and a rough run time (how many short units go into one Slurm task).
public enum WorkUnitResources {
    /// Bytes a worker holds for the unit: a simulation's weights, samples, records and a checkpoint
    /// being made (job validation bounds this), and the start weights it carries; an integration's (`ODEResources.integrationBytes`),
    /// and the weights it draws to find its start.
    public static func memoryBytes(_ unit: WorkUnit) -> Int {
        switch unit.work {
        case .simulation(let p):
            // Start weights the unit carries (`teacher_from`, `student_from`) are held beside the run's own copy.
            let carried = [unit.start?.teacher, unit.start?.student].compactMap { $0 }.reduce(0) { $0 + 8 * ($1.first.count + $1.second.count) }
            return SimulationResources.runBytes(p) + carried
        case .ode(let o):
            let p = o.parameters
            let drawing = o.start == .drawn ? SimulationResources.weightBytes(p) : 0
            return drawing + ODEResources.integrationBytes(K: p.K, M: p.M, activation: p.studentActivation,
                                                           trainSecondLayer: p.trainSecondLayer, times: o.outputTimes.count)
        }
    }

    /// Seconds on one core, roughly: a simulation step costs about a nanosecond per element of the
    /// weights and samples it touches (N·(K+M+2)·B; measured 0.9–1.2 G elements/s on the
    /// development machines); an integration's right-hand side is taken at ~30 flop per integral
    /// of K²(K+M)² times a few thousand evaluations. Only used to group units far shorter than a
    /// Slurm scheduling round, so a factor of two either way does not matter.
    public static func estimatedSeconds(_ unit: WorkUnit) -> Double {
        switch unit.work {
        case .simulation(let p):
            // Plus, at every record, one pass over the test and training sets (Monte-Carlo ε_g,
            // classification errors, training error): N·(K+M+1) per sample.
            let evaluated = Double((p.effectiveTestSize ?? 0) + (p.trainingSetSize ?? 0))
            let records = Double(SimulationResources.recordCount(p))
            return (Double(p.totalSteps) * Double(p.N * (p.K + p.M + 2) * p.batchSize)
                    + records * evaluated * Double(p.N * (p.K + p.M + 1))) * 1e-9
        case .ode(let o):
            let K = Double(o.parameters.K), D = Double(o.parameters.K + o.parameters.M)
            let perEvaluation = 30e-9 * K * K * D * D * (o.parameters.studentActivation == .relu ? 20 : 1)
            return 5_000 * perEvaluation
        }
    }
}
