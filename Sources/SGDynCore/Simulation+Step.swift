import RealModule

/// The SGD step (science.md §2), the hot loop of sgdyn.
///
/// Per step: draw the B samples, compute the K+M local fields of each, form the error Δ and the
/// first-layer coefficients c_k = (η/√N)(1/B)·v_k g2'(λ_k)·Δ, update v at once, and leave
/// W ← W·(1 − κ/N) + Σ_b c_k^b x^b pending. With B = 1 the pending update is applied in the same
/// memory pass that computes the next step's student fields (`RowKernels.updateThenDot`), so each
/// step reads and writes W once.
extension Simulation {
    mutating func runSteps(until end: Int) {
        guard step < end else { return }
        let p = parameters
        let N = p.N, K = p.K, M = p.M, B = p.batchSize, D = K + M
        let invSqrtN = 1 / Double(N).squareRoot()
        let firstLayerRate = p.learningRate * invSqrtN / Double(B)
        let secondLayerRate = p.secondLayerLearningRate / (Double(N) * Double(B))
        let decay = 1 - p.weightDecay / Double(N)
        let secondLayerDecay = p.weightDecay / Double(N)
        let sigma = p.noise, seed = p.seed
        let teacherActivation = p.teacherActivation, studentActivation = p.studentActivation
        let trainSecondLayer = p.trainSecondLayer
        let finiteSetSize = p.trainingSetSize
        let classify = p.task == .classify, labelFlip = p.labelFlip
        let fullBatch = p.fullBatch

        // Move the arrays out of `self` so the loop works on locals (no exclusivity checks, no
        // reloads through self) and nothing is copied: each array is uniquely referenced.
        var weights = studentWeights; studentWeights = []
        var secondLayer = studentSecondLayer; studentSecondLayer = []
        var bufferA = pendingSamples; pendingSamples = []
        var bufferB = [Double](repeating: 0, count: B * N)
        var coefficients = pendingCoefficients; pendingCoefficients = []
        var scratch = [Double](repeating: 0, count: B * D + B + K + 3 * D)
        var pending = hasPendingUpdate
        var pendingInA = true
        var s = step
        var diverged = false
        var permutation = self.permutation, permutationEpoch = self.permutationEpoch
        let teacherWeights = self.teacherWeights, teacherSecondLayer = self.teacherSecondLayer
        // A real data set: samples are its rows, labels its labels (carried in `noise`).
        let hasData = dataSet != nil
        let dataInputs = dataSet?.trainInputs ?? [], dataLabels = dataSet?.trainLabels ?? []

        weights.withUnsafeMutableBufferPointer { wBuffer in
        bufferA.withUnsafeMutableBufferPointer { aBuffer in
        bufferB.withUnsafeMutableBufferPointer { bBuffer in
        coefficients.withUnsafeMutableBufferPointer { cBuffer in
        secondLayer.withUnsafeMutableBufferPointer { vBuffer in
        scratch.withUnsafeMutableBufferPointer { sBuffer in
        teacherWeights.withUnsafeBufferPointer { tBuffer in
        teacherSecondLayer.withUnsafeBufferPointer { vStarBuffer in
        dataInputs.withUnsafeBufferPointer { dataBuffer in
            let w = wBuffer.baseAddress!, teacher = tBuffer.baseAddress!
            let c = cBuffer.baseAddress!, v = vBuffer.baseAddress!, vStar = vStarBuffer.baseAddress!
            let fields = sBuffer.baseAddress!, noise = fields + B * D
            let vGradient = noise + B, activations = vGradient + K, slopes = activations + D, scaled = slopes + D
            var xOld = aBuffer.baseAddress!, xNew = bBuffer.baseAddress!

            steps: while s < end {
                // 1. Samples: x^b (N normals) then ζ^b, per sample of the batch.
                if fullBatch {
                    // Gradient descent: the whole training set, in index order, every step (B = P).
                    for b in 0..<B {
                        if hasData {
                            (xNew + b * N).update(from: dataBuffer.baseAddress! + b * N, count: N)
                            noise[b] = dataLabels[b]
                            continue
                        }
                        var normals = NormalStream(seed: seed, stream: .trainingSample, counter: UInt64(b))
                        normals.fill(xNew + b * N, count: N)
                        noise[b] = normals.next()
                    }
                } else if let size = finiteSetSize {
                    for b in 0..<B {
                        let counter = s * B + b
                        if counter / size != permutationEpoch {
                            permutationEpoch = counter / size
                            permutation = Simulation.shuffledIndices(count: size, seed: seed, epoch: permutationEpoch)
                        }
                        let index = permutation[counter % size]
                        if hasData {
                            (xNew + b * N).update(from: dataBuffer.baseAddress! + Int(index) * N, count: N)
                            noise[b] = dataLabels[Int(index)]
                            continue
                        }
                        var normals = NormalStream(seed: seed, stream: .trainingSample, counter: UInt64(index))
                        normals.fill(xNew + b * N, count: N)
                        noise[b] = normals.next()
                    }
                } else {
                    var normals = NormalStream(seed: seed, stream: .step, counter: UInt64(s))
                    for b in 0..<B {
                        normals.fill(xNew + b * N, count: N)
                        noise[b] = normals.next()
                    }
                }

                // 2. Local fields (unscaled dot products), applying the pending update on the way.
                // Rows go in pairs so x is streamed once per two rows (each row's arithmetic is
                // the same as alone, so pairing never changes a bit).
                if B == 1 && pending {
                    var k = 0
                    while k + 2 <= K {
                        (fields[k], fields[k + 1]) = RowKernels.updateThenDot2(
                            w + k * N, w + (k + 1) * N, decay: decay, cw: c[k], cv: c[k + 1], xOld, xNew, N)
                        k += 2
                    }
                    if k < K { fields[k] = RowKernels.updateThenDot(w + k * N, decay: decay, c: c[k], xOld, xNew, N) }
                } else {
                    if pending { Simulation.applyUpdate(w, coefficients: c, samples: xOld, N: N, K: K, B: B, decay: decay) }
                    for b in 0..<B { Simulation.pairedDots(w, rows: K, xNew + b * N, N, into: fields + b * D) }
                }
                for b in 0..<B { Simulation.pairedDots(teacher, rows: M, xNew + b * N, N, into: fields + b * D + K) }

                // 3. Errors and coefficients, all at the pre-update weights.
                for k in 0..<K { vGradient[k] = 0 }
                for b in 0..<B {
                    // g and g' of the K + M fields f/√N (`activations`, `slopes`), erf eight at a time.
                    Simulation.activate(fields + b * D, K: K, M: M, scale: invSqrtN, teacher: teacherActivation,
                                        student: studentActivation, scaled: scaled, values: activations, slopes: slopes)
                    var teacherOutput = 0.0
                    for m in 0..<M { teacherOutput += vStar[m] * activations[K + m] }
                    var studentOutput = 0.0
                    for k in 0..<K { studentOutput += v[k] * activations[k] }
                    let label = hasData ? noise[b] : classify ? Simulation.classLabel(teacherOutput, zeta: noise[b], flip: labelFlip)
                        : teacherOutput + sigma * noise[b]
                    let delta = label - studentOutput
                    // Stop before inf/NaN reaches W and v: W already is step s's (the pending update
                    // was applied above), so the run ends exactly at step s. One branch per sample.
                    guard Simulation.isFinite(delta, fields: fields + b * D, count: K) else {
                        diverged = true
                        pending = false
                        break steps
                    }
                    for k in 0..<K {
                        c[b * K + k] = firstLayerRate * v[k] * slopes[k] * delta
                        vGradient[k] += activations[k] * delta
                    }
                }
                if trainSecondLayer {
                    for k in 0..<K { v[k] = v[k] + secondLayerRate * vGradient[k] - secondLayerDecay * v[k] }
                }
                swap(&xOld, &xNew)
                pending = true
                s += 1
            }
            pendingInA = xOld == aBuffer.baseAddress!
        }}}}}}}}}

        studentWeights = weights
        studentSecondLayer = secondLayer
        pendingSamples = pendingInA ? bufferA : bufferB
        pendingCoefficients = coefficients
        hasPendingUpdate = pending
        self.permutation = permutation
        self.permutationEpoch = permutationEpoch
        step = s
        if diverged { divergence = Divergence(t: Double(s) / Double(N), step: s) }
    }

    /// A classification label (science.md, classification): sign(φ*) with 0 counted as +1; with
    /// probability `flip` replaced by a random ±1. Both draws come from the sample's one label
    /// normal ζ through u = Φ(ζ), uniform on (0, 1): the label is replaced when u < flip, and is
    /// then −1 when u < flip/2 (probability ½ given a replacement). So a classification run sees
    /// exactly the inputs of a regression run with the same seed.
    @inline(__always)
    static func classLabel(_ teacherOutput: Double, zeta: Double, flip: Double) -> Double {
        if flip > 0 {
            let u = 0.5 * Double.erfc(-zeta * 0.7071067811865476)
            if u < flip { return u < 0.5 * flip ? -1 : 1 }
        }
        return teacherOutput >= 0 ? 1 : -1
    }

    /// Whether Δ and the K student fields are all finite, with one branch: f − f is 0 for a
    /// finite f and NaN otherwise, and an inf or NaN anywhere makes the sum non-finite. (An
    /// infinite field can hide behind a saturating activation, so Δ alone would miss it.)
    @inline(__always)
    static func isFinite(_ delta: Double, fields f: UnsafeMutablePointer<Double>, count: Int) -> Bool {
        var probe = delta
        for k in 0..<count { probe += f[k] - f[k] }
        return probe.isFinite
    }

    /// out[r] = rows[r] · x for `rows` consecutive rows of length n, two rows per pass over x.
    @inline(__always)
    static func pairedDots(_ matrix: UnsafePointer<Double>, rows: Int, _ x: UnsafePointer<Double>, _ n: Int,
                           into out: UnsafeMutablePointer<Double>) {
        var r = 0
        while r + 2 <= rows {
            (out[r], out[r + 1]) = RowKernels.dot2(matrix + r * n, matrix + (r + 1) * n, x, n)
            r += 2
        }
        if r < rows { out[r] = RowKernels.dot(matrix + r * n, x, n) }
    }

    /// W ← W·decay + Σ_b c^b x^b, sample by sample in batch order. Both the B > 1 step and
    /// `applyPendingUpdate` go through here; with B = 1 it performs exactly the arithmetic of
    /// `RowKernels.updateThenDot`, so flushing early never changes a bit.
    static func applyUpdate(_ w: UnsafeMutablePointer<Double>, coefficients c: UnsafePointer<Double>,
                            samples x: UnsafePointer<Double>, N: Int, K: Int, B: Int, decay: Double) {
        for k in 0..<K {
            for b in 0..<B {
                RowKernels.update(w + k * N, decay: b == 0 ? decay : 1, c: c[b * K + k], x + b * N, N)
            }
        }
    }

    /// Adds the pending update to W, so that W is the true current weights.
    mutating func applyPendingUpdate() {
        guard hasPendingUpdate else { return }
        let N = parameters.N, K = parameters.K, B = parameters.batchSize
        let decay = 1 - parameters.weightDecay / Double(N)
        studentWeights.withUnsafeMutableBufferPointer { w in
            pendingCoefficients.withUnsafeBufferPointer { c in
                pendingSamples.withUnsafeBufferPointer { x in
                    Simulation.applyUpdate(w.baseAddress!, coefficients: c.baseAddress!, samples: x.baseAddress!,
                                           N: N, K: K, B: B, decay: decay)
                }
            }
        }
        hasPendingUpdate = false
    }

    /// The permutation of the training set for one epoch (sample counter c is in epoch c / P, at
    /// position c mod P): Fisher–Yates from the top, j uniform in 0...i, drawn from the
    /// generator keyed `(seed, epoch stream, epoch)`.
    static func shuffledIndices(count: Int, seed: UInt64, epoch: Int) -> [Int32] {
        var g = Xoshiro256StarStar(seed: seed, stream: .epoch, counter: UInt64(epoch))
        var indices = (0..<Int32(count)).map { $0 }
        var i = count - 1
        while i > 0 {
            let j = Int(g.below(UInt64(i + 1)))
            indices.swapAt(i, j)
            i -= 1
        }
        return indices
    }
}
