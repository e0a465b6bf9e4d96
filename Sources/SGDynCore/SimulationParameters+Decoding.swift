/// What decoders check of parameters read from bytes, before they allocate anything for them.
extension SimulationParameters {
    /// Why no run of sgdyn could have these parameters, or nil: the invariants `check()` traps
    /// on (as a message instead), a non-finite or overflowing step count, and sizes beyond
    /// `SimulationLimits`. The weights and samples, N·(K + M + 2B) doubles, are bounded exactly as
    /// job validation bounds them for every kind of job, which also keeps every size product of
    /// the simulator and its estimates far from overflow. Comparisons are written so that NaN
    /// fails them.
    public var decodingProblem: String? {
        guard N >= 1, M >= 1 || (M == 0 && data != nil), K >= 1, batchSize >= 1 else { return "sizes must be positive" }
        guard K <= SimulationLimits.maxUnits, M <= SimulationLimits.maxUnits else {
            return "K = \(K), M = \(M): more than \(SimulationLimits.maxUnits) units"
        }
        guard points >= 2, points <= SimulationLimits.maxPoints else { return "points = \(points) out of range" }
        guard tMax > 0, tMax * Double(N) <= Double(SimulationLimits.maxSteps) else { return "t_max·N = \(tMax * Double(N)) steps" }
        // The output schedule starts at t_max/100 when t_max < 10; if that underflows to 0, its
        // log-spaced times are 0·∞ = NaN, which traps as a step number.
        guard tMax / 100 > 0 else { return "t_max = \(tMax) is too small for an output schedule" }
        let rows = Double(K) + Double(M) + 2 * Double(batchSize)
        guard 8 * rows * Double(N) <= Double(SimulationLimits.maxRunBytes) else {
            return "weights and samples of (K + M + 2B)·N = \(rows * Double(N)) doubles"
        }
        guard learningRate > 0, secondLayerLearningRate > 0, noise >= 0, weightDecay >= 0 else {
            return "learning rates must be > 0, noise and weight decay ≥ 0"
        }
        if studentInit == .informed || studentInit == .denoise, K < M { return "\(studentInit) needs K ≥ M" }
        if studentInit == .denoise, !trainSecondLayer { return "denoise needs a trained second layer" }
        if let alpha = trainingSetRatio {
            let samples = alpha * Double(N)
            guard samples >= 0.5, samples.rounded() <= Double(Int32.max) else { return "a training set of α·N = \(samples) samples" }
        }
        if let size = monteCarloTestSize, !(1...SimulationLimits.maxTestSet).contains(size) {
            return "a Monte-Carlo test set of \(size) samples"
        }
        guard labelFlip >= 0, labelFlip <= 1, task == .classify || labelFlip == 0 else { return "label_flip = \(labelFlip)" }
        guard teacherSparsity >= 0, teacherSparsity < 1 else { return "teacher_sparsity = \(teacherSparsity)" }
        if let stopBelow, !(stopBelow > 0 && stopBelow.isFinite) { return "stop_below = \(stopBelow)" }
        if let data {
            guard M == 0, trainingSetRatio == nil, monteCarloTestSize == nil, labelFlip == 0, teacherSparsity == 0,
                  studentInit != .informed, studentInit != .denoise, data.trainCount >= 1, data.testCount >= 1,
                  data.trainCount <= Int(Int32.max), 8 * (Double(data.trainCount) + Double(data.testCount)) * (Double(N) + 1) <= Double(SimulationLimits.maxRunBytes) else {
                return "a data set with teacher keys or sizes out of range"
            }
        }
        if fullBatch, trainingSetSize != batchSize { return "full-batch descent with a batch other than the training set" }
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
