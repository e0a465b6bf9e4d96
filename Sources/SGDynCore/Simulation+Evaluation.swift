/// Measurements taken at output times: order parameters, ε_g, and the optional training and
/// Monte-Carlo errors.
extension Simulation {
    /// Appends the record for the current step (applying any pending update first), or, when ε_g,
    /// Q, R, v (or the training or Monte-Carlo error) is not finite, sets `divergence` instead: no
    /// record ever holds inf or NaN.
    /// With `stop_below`, a finite record whose ε_g is below it ends the run (`earlyStop`).
    mutating func record() {
        applyPendingUpdate()
        if parameters.data != nil { return recordDataSet() }
        guard parameters.task == .regress else { return recordClassification() }
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
        append(SimulationRecord(step: step, t: Double(step) / Double(parameters.N), eg: eg,
                                orderParameters: op, trainingError: trainingError, monteCarloError: monteCarloError))
    }

    /// A classification record: ε_g is ½·mean (sign(φ*) − φ)² on the fixed test set (clean
    /// labels), next to the fraction of wrong signs there; with a finite training set, the same
    /// two on it, with its labels as trained on (flips included).
    mutating func recordClassification() {
        let op = computeOrderParameters()
        let diverged = Divergence(t: Double(step) / Double(parameters.N), step: step)
        let test = classificationErrors(stream: .testSample, count: parameters.effectiveTestSize ?? 1, trainingLabels: false)
        let training = parameters.trainingSetSize.map { classificationErrors(stream: .trainingSample, count: $0, trainingLabels: true) }
        guard test.squared.isFinite, training?.squared.isFinite ?? true, Divergence.allFinite(op.Q), Divergence.allFinite(op.R),
              Divergence.allFinite(op.v) else {
            divergence = diverged
            return
        }
        var record = SimulationRecord(step: step, t: Double(step) / Double(parameters.N), eg: test.squared,
                                      orderParameters: op, trainingError: training?.squared)
        record.classificationError = test.wrong
        record.trainingClassificationError = training?.wrong
        append(record)
    }

    /// A record of a run on a real data set (no teacher: Q and v only): ε_g is ½·mean (y − φ)² on
    /// the given test set and `et` the same on the training set; with `task` "classify" also the
    /// fraction of wrong signs on both (sign(y) against sign(φ), 0 counted as +1).
    mutating func recordDataSet() {
        guard let data = dataSet else { return }
        let op = computeOrderParameters()
        let test = dataSetErrors(inputs: data.testInputs, labels: data.testLabels)
        let training = dataSetErrors(inputs: data.trainInputs, labels: data.trainLabels)
        guard test.squared.isFinite, training.squared.isFinite, Divergence.allFinite(op.Q), Divergence.allFinite(op.v) else {
            divergence = Divergence(t: Double(step) / Double(parameters.N), step: step)
            return
        }
        var record = SimulationRecord(step: step, t: Double(step) / Double(parameters.N), eg: test.squared,
                                      orderParameters: op, trainingError: training.squared)
        if parameters.task == .classify {
            record.classificationError = test.wrong
            record.trainingClassificationError = training.wrong
        }
        append(record)
    }

    /// ½·mean (y − φ(x))² and the fraction of wrong signs over the rows of `inputs` (row-major, N
    /// columns) with their `labels`.
    func dataSetErrors(inputs: [Double], labels: [Double]) -> (squared: Double, wrong: Double) {
        precondition(!hasPendingUpdate)
        let p = parameters
        let N = p.N, K = p.K
        let invSqrtN = 1 / Double(N).squareRoot()
        var sum = 0.0, wrong = 0
        studentWeights.withUnsafeBufferPointer { wBuffer in
            inputs.withUnsafeBufferPointer { xBuffer in
                let w = wBuffer.baseAddress!
                for index in labels.indices {
                    let x = xBuffer.baseAddress! + index * N
                    var phi = 0.0
                    for k in 0..<K {
                        phi += studentSecondLayer[k] * p.studentActivation.value(RowKernels.dot(w + k * N, x, N) * invSqrtN)
                    }
                    let y = labels[index]
                    sum += 0.5 * (y - phi) * (y - phi)
                    if (phi >= 0) != (y >= 0) { wrong += 1 }
                }
            }
        }
        return (sum / Double(labels.count), Double(wrong) / Double(labels.count))
    }

    /// Keeps a finite record, and ends the run there when its ε_g is below `stop_below`.
    private mutating func append(_ record: SimulationRecord) {
        records.append(record)
        if let threshold = parameters.stopBelow, record.eg < threshold, step < totalSteps {
            earlyStop = EarlyStop(t: record.t, step: step, eg: record.eg, threshold: threshold)
        }
    }

    /// ½·mean (y − φ)² and the fraction of samples with sign(φ) ≠ sign(y) (0 counted as +1) over
    /// `count` samples regenerated from `(seed, stream, index)`. Test labels are sign(φ*); the
    /// training set's are the labels SGD sees (`classLabel` of the sample's ζ).
    func classificationErrors(stream: RandomStream, count: Int, trainingLabels: Bool) -> (squared: Double, wrong: Double) {
        precondition(!hasPendingUpdate)
        let p = parameters
        let N = p.N, K = p.K, M = p.M
        let invSqrtN = 1 / Double(N).squareRoot()
        var x = [Double](repeating: 0, count: N)
        var sum = 0.0, wrong = 0
        studentWeights.withUnsafeBufferPointer { wBuffer in
            teacherWeights.withUnsafeBufferPointer { tBuffer in
                x.withUnsafeMutableBufferPointer { xBuffer in
                    let w = wBuffer.baseAddress!, teacher = tBuffer.baseAddress!, xp = xBuffer.baseAddress!
                    for index in 0..<count {
                        var normals = NormalStream(seed: p.seed, stream: stream, counter: UInt64(index))
                        normals.fill(xp, count: N)
                        var teacherOutput = 0.0
                        for m in 0..<M {
                            teacherOutput += teacherSecondLayer[m] * p.teacherActivation.value(RowKernels.dot(teacher + m * N, xp, N) * invSqrtN)
                        }
                        let y = trainingLabels ? Simulation.classLabel(teacherOutput, zeta: normals.next(), flip: p.labelFlip)
                            : (teacherOutput >= 0 ? 1.0 : -1.0)
                        var phi = 0.0
                        for k in 0..<K {
                            phi += studentSecondLayer[k] * p.studentActivation.value(RowKernels.dot(w + k * N, xp, N) * invSqrtN)
                        }
                        sum += 0.5 * (y - phi) * (y - phi)
                        if (phi >= 0 ? 1.0 : -1.0) != y { wrong += 1 }
                    }
                }
            }
        }
        return (sum / Double(count), Double(wrong) / Double(count))
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
