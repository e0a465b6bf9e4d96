/// Measurements taken at output times: order parameters, ε_g, and the optional training and
/// Monte-Carlo errors.
extension Simulation {
    /// Appends the record for the current step (applying any pending update first), or, when ε_g,
    /// Q, R, v (or the training or Monte-Carlo error) is not finite, sets `divergence` instead: no
    /// record ever holds inf or NaN.
    mutating func record() {
        applyPendingUpdate()
        let op = computeOrderParameters()
        // T and v* never change: a teacher pair without a closed form (quadrature) is summed once.
        let teacher = parameters.teacherActivation
        if teacherTerm == nil, !PairAverage.isClosed(teacher, teacher) {
            teacherTerm = GeneralisationError.teacherTerm(op, teacher: teacher)
        }
        let eg = GeneralisationError.analytic(op, teacher: teacher, student: parameters.studentActivation, teacherTerm: teacherTerm)
        let diverged = Divergence(t: Double(step) / Double(parameters.N), step: step)
        guard eg.isFinite, Divergence.allFinite(op.Q), Divergence.allFinite(op.R), Divergence.allFinite(op.v) else {
            divergence = diverged
            return
        }
        let trainingError = parameters.trainingSetSize.map { meanHalfSquaredError(stream: .trainingSample, count: $0, noisyLabels: true) }
        let monteCarloError = parameters.monteCarloTestSize.map { meanHalfSquaredError(stream: .testSample, count: $0, noisyLabels: false) }
        guard trainingError?.isFinite ?? true, monteCarloError?.isFinite ?? true else {
            divergence = diverged
            return
        }
        records.append(SimulationRecord(step: step, t: Double(step) / Double(parameters.N), eg: eg,
                                        orderParameters: op, trainingError: trainingError, monteCarloError: monteCarloError))
    }

    /// Q, R from the weights (which must have no pending update), T cached, v, v*.
    func computeOrderParameters() -> OrderParameters {
        precondition(!hasPendingUpdate)
        let p = parameters
        return OrderParameters(
            K: p.K, M: p.M,
            Q: Simulation.symmetricGram(studentWeights, rows: p.K, n: p.N),
            R: Simulation.gram(studentWeights, teacherWeights, rowsA: p.K, rowsB: p.M, n: p.N),
            T: teacherOverlaps, v: studentSecondLayer, vstar: teacherSecondLayer)
    }

    /// ½·mean over `count` samples of (y − φ)², each sample x regenerated from the generator keyed
    /// `(seed, stream, index)` so no data set is ever held in memory. With `noisyLabels` the label is
    /// y = φ* + σζ with ζ drawn after x (the training set); otherwise y = φ* (a test set).
    func meanHalfSquaredError(stream: RandomStream, count: Int, noisyLabels: Bool) -> Double {
        precondition(!hasPendingUpdate)
        let p = parameters
        let N = p.N, K = p.K, M = p.M
        let invSqrtN = 1 / Double(N).squareRoot()
        var x = [Double](repeating: 0, count: N)
        var sum = 0.0
        studentWeights.withUnsafeBufferPointer { wBuffer in
            teacherWeights.withUnsafeBufferPointer { tBuffer in
                x.withUnsafeMutableBufferPointer { xBuffer in
                    let w = wBuffer.baseAddress!, teacher = tBuffer.baseAddress!, xp = xBuffer.baseAddress!
                    for index in 0..<count {
                        var normals = NormalStream(seed: p.seed, stream: stream, counter: UInt64(index))
                        normals.fill(xp, count: N)
                        var y = noisyLabels ? p.noise * normals.next() : 0
                        for m in 0..<M {
                            y += teacherSecondLayer[m] * p.teacherActivation.value(RowKernels.dot(teacher + m * N, xp, N) * invSqrtN)
                        }
                        var phi = 0.0
                        for k in 0..<K {
                            phi += studentSecondLayer[k] * p.studentActivation.value(RowKernels.dot(w + k * N, xp, N) * invSqrtN)
                        }
                        sum += 0.5 * (y - phi) * (y - phi)
                    }
                }
            }
        }
        return sum / Double(count)
    }
}
