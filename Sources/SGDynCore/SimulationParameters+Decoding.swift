/// What decoders check of parameters read from bytes, before they allocate anything for them.
extension SimulationParameters {
    /// Why no run of sgdyn could have these parameters, or nil: a broken invariant
    /// (`invariantProblem`, the one list), a non-finite or overflowing step count, and sizes
    /// beyond `SimulationLimits`. The weights and samples, N·(K + M + 2B) doubles, are bounded
    /// exactly as job validation bounds them for every kind of job, which also keeps every size
    /// product of the simulator and its estimates far from overflow. Comparisons are written so
    /// that NaN fails them.
    public var decodingProblem: String? {
        if let problem = invariantProblem { return problem.description }
        guard K <= SimulationLimits.maxUnits, M <= SimulationLimits.maxUnits else {
            return "K = \(K), M = \(M): more than \(SimulationLimits.maxUnits) units"
        }
        guard points <= SimulationLimits.maxPoints else { return "points = \(points) out of range" }
        guard tMax * Double(N) <= Double(SimulationLimits.maxSteps) else { return "t_max·N = \(tMax * Double(N)) steps" }
        let rows = Double(K) + Double(M) + 2 * Double(batchSize)
        guard 8 * rows * Double(N) <= Double(SimulationLimits.maxRunBytes) else {
            return "weights and samples of (K + M + 2B)·N = \(rows * Double(N)) doubles"
        }
        if let size = monteCarloTestSize, size > SimulationLimits.maxTestSet {
            return "a Monte-Carlo test set of \(size) samples"
        }
        return nil
    }

    /// Why a simulation with these parameters may not be built from bytes, or nil: the memory
    /// it holds (`SimulationResources.runBytes`, which is exact in Int once `decodingProblem`
    /// is nil) over `SimulationLimits.maxRunBytes`.
    public var simulationMemoryProblem: String? {
        let bytes = SimulationResources.runBytes(self)
        return bytes <= SimulationLimits.maxRunBytes ? nil : "a run of \(bytes) bytes, over the limit of \(SimulationLimits.maxRunBytes)"
    }
}
