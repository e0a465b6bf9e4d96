/// One online-SGD run of a student learning from a teacher (science.md §1–§4): the weights, the
/// step count and the records so far. A value type; `advance` runs it, `snapshot` freezes it.
///
/// All randomness comes from generators keyed by `(seed, stream, counter)` (see `RandomStream`),
/// so the complete state of a run is its weights, its step count and its records: restoring a
/// snapshot and continuing gives bit-identical results to a run that never stopped.
public struct Simulation: Sendable {
    public let parameters: SimulationParameters
    /// The steps at which records are taken, ascending, starting with 0.
    public let recordSteps: [Int]
    /// SGD steps done so far.
    public internal(set) var step: Int
    /// Records taken so far, one per entry of `recordSteps` up to `step` (the one at `step`
    /// missing when that record was not finite and the run diverged there). Never inf or NaN.
    public internal(set) var records: [SimulationRecord]
    /// Set when Δ, a student's local field or a record became non-finite: the run stopped at
    /// `step` and counts as finished.
    public internal(set) var divergence: Divergence?
    /// Set when a record's ε_g was below `stopBelow`: the run ended there and counts as finished.
    public internal(set) var earlyStop: EarlyStop?

    /// Teacher first layer B, M×N row-major; never changes, regenerated from the seed on restore.
    let teacherWeights: [Double]
    /// Teacher second layer v*.
    public let teacherSecondLayer: [Double]
    /// T = BBᵀ/N, computed once.
    let teacherOverlaps: [Double]
    /// Student first layer W, K×N row-major. May lag one step behind (see `pending`).
    var studentWeights: [Double]
    /// Student second layer v.
    var studentSecondLayer: [Double]
    /// The last step's update, not yet added to `studentWeights`: the next step adds it in the same
    /// pass that computes its dot products. Samples (B×N) and coefficients (B×K).
    var pendingSamples: [Double]
    var pendingCoefficients: [Double]
    var hasPendingUpdate = false
    /// Set by `withoutWeights`: the weights are gone.
    var isReleased = false
    /// The current epoch's permutation of the training set (finite-set mode).
    var permutation: [Int32] = []
    /// ε_g's teacher–teacher sum, computed at the first record when it takes quadrature (T and
    /// v* never change; not part of a snapshot, recomputed to the same bits after a restore).
    var teacherTerm: Double?
    var permutationEpoch = -1

    /// A new run at step 0, with the weights drawn as science.md §3 and README describe.
    public init(parameters: SimulationParameters) {
        self.init(parameters: parameters, start: nil)
    }

    /// A new run at step 0 whose teacher or initial student (or both) are `start`'s (taken from
    /// an earlier run); what `start` does not give is drawn as `init(parameters:)` draws it.
    public init(parameters: SimulationParameters, start: StartWeights?) {
        parameters.check()
        if let start { precondition(start.fits(parameters), "start weights of the wrong shape") }
        let teacher = Simulation.drawTeacher(parameters, start: start)
        let student = Simulation.drawStudent(parameters, start: start, teacher: teacher)
        self.init(parameters: parameters, teacher: teacher, studentWeights: student.weights,
                  studentSecondLayer: student.secondLayer, step: 0, records: [])
        record()
    }

    init(parameters: SimulationParameters, teacher: (weights: [Double], secondLayer: [Double]),
         studentWeights: [Double], studentSecondLayer: [Double], step: Int, records: [SimulationRecord],
         divergence: Divergence? = nil) {
        self.parameters = parameters
        self.recordSteps = OutputSchedule.steps(tMax: parameters.tMax, points: parameters.points, N: parameters.N)
        self.teacherWeights = teacher.weights
        self.teacherSecondLayer = teacher.secondLayer
        self.teacherOverlaps = Simulation.symmetricGram(teacher.weights, rows: parameters.M, n: parameters.N)
        self.studentWeights = studentWeights
        self.studentSecondLayer = studentSecondLayer
        self.step = step
        self.records = records
        self.divergence = divergence
        self.pendingSamples = [Double](repeating: 0, count: parameters.batchSize * parameters.N)
        self.pendingCoefficients = [Double](repeating: 0, count: parameters.batchSize * parameters.K)
    }

    /// Total steps of the run, ⌈t_max·N⌉.
    public var totalSteps: Int { recordSteps.last ?? 0 }

    /// Whether the run has reached t_max, diverged or stopped early.
    public var isFinished: Bool { step >= totalSteps || divergence != nil || earlyStop != nil }

    /// Fraction of the steps done, in [0, 1]; 1 once diverged or stopped (nothing is left to do).
    public var progress: Double {
        totalSteps == 0 || divergence != nil || earlyStop != nil ? 1 : Double(step) / Double(totalSteps)
    }

    /// The order parameters of the current weights.
    public var orderParameters: OrderParameters {
        var copy = self
        copy.applyPendingUpdate()
        return copy.computeOrderParameters()
    }

    /// Runs up to `maxSteps` SGD steps (fewer at the end of the run or when it diverges),
    /// recording at the scheduled steps. Returns the number of steps done. Call repeatedly;
    /// between calls the run can be snapshotted or abandoned.
    @discardableResult
    public mutating func advance(maxSteps: Int) -> Int {
        precondition(maxSteps >= 0)
        precondition(!isReleased, "advance on a simulation whose weights were released")
        let start = step
        let target = min(totalSteps, step + maxSteps)
        while step < target && divergence == nil && earlyStop == nil {
            let nextRecord = recordSteps.first { $0 > step } ?? totalSteps
            let chunkEnd = min(target, nextRecord)
            runSteps(until: chunkEnd)
            if step == nextRecord && divergence == nil { record() }
        }
        return step - start
    }

    /// Runs to t_max.
    public mutating func runToEnd() {
        while !isFinished { advance(maxSteps: Int.max / 2) }
    }

    /// The run's parameters, step and records with the weight matrices released: what a finished
    /// run is kept as while others go on. It can no longer advance or be snapshotted.
    /// With `storeWeights` the student's final weights are kept (they are part of the result).
    public var withoutWeights: Simulation {
        var copy = self
        copy.applyPendingUpdate()
        if !parameters.storeWeights { copy.studentWeights = [] }
        copy.pendingSamples = []
        copy.permutation = []
        copy.isReleased = true
        return copy
    }

    /// The final record (at t_max, or where it stopped early) once the run is finished; nil for a diverged run.
    public var finalRecord: SimulationRecord? { isFinished && divergence == nil ? records.last : nil }
}

/// The weights a run starts from, regenerated from its parameters and seed exactly as
/// `Simulation(parameters:)` draws them: what `store_weights` writes as the teacher and the
/// student's initial weights (row-major, B M×N, W K×N).
public struct InitialWeights: Sendable, Equatable {
    public var teacherWeights: [Double]
    public var teacherSecondLayer: [Double]
    public var studentWeights: [Double]
    public var studentSecondLayer: [Double]

    public init(_ p: SimulationParameters, start: StartWeights? = nil) {
        let teacher = Simulation.drawTeacher(p, start: start)
        let student = Simulation.drawStudent(p, start: start, teacher: teacher)
        teacherWeights = teacher.weights
        teacherSecondLayer = teacher.secondLayer
        studentWeights = student.weights
        studentSecondLayer = student.secondLayer
    }
}

extension Simulation {
    /// The teacher `start` gives, or else the one drawn from the seed.
    static func drawTeacher(_ p: SimulationParameters, start: StartWeights?) -> (weights: [Double], secondLayer: [Double]) {
        if let given = start?.teacher { return (given.first, given.second) }
        return drawTeacher(p)
    }

    /// The initial student `start` gives, or else the one drawn from the seed (from `teacher`
    /// for `informed` and `denoise`).
    static func drawStudent(_ p: SimulationParameters, start: StartWeights?, teacher: (weights: [Double], secondLayer: [Double]))
        -> (weights: [Double], secondLayer: [Double])
    {
        if let given = start?.student { return (given.first, given.second) }
        return drawStudent(p, teacherWeights: teacher.weights, teacherSecondLayer: teacher.secondLayer)
    }

    /// Draws B (and v* when random) from the teacher stream.
    static func drawTeacher(_ p: SimulationParameters) -> (weights: [Double], secondLayer: [Double]) {
        var normals = NormalStream(seed: p.seed, stream: .teacher, counter: 0)
        var weights = [Double](repeating: 0, count: p.M * p.N)
        weights.withUnsafeMutableBufferPointer { normals.fill($0.baseAddress!, count: $0.count) }
        if p.teacherSparsity > 0 { sparsify(&weights, rows: p.M, n: p.N, fraction: p.teacherSparsity, seed: p.seed) }
        let M = Double(p.M)
        let secondLayer: [Double]
        switch p.teacherSecondLayer {
        case .ones: secondLayer = Array(repeating: 1, count: p.M)
        case .random: secondLayer = (0..<p.M).map { _ in normals.next() }
        case .normalise: secondLayer = Array(repeating: 1 / M, count: p.M)
        case .meanfield: secondLayer = Array(repeating: 1 / M.squareRoot(), count: p.M)
        case .mix: secondLayer = (0..<p.M).map { $0 % 2 == 1 ? -1 : 1 }
        case .constant(let a): secondLayer = Array(repeating: a, count: p.M)
        }
        return (weights, secondLayer)
    }

    /// Sets round(fraction·n) entries of every row to zero, the same number in each row so that
    /// the teacher units stay alike (T_mm ≈ 1 − fraction). Row m's zeros are the first
    /// round(fraction·n) positions of a partial Fisher–Yates shuffle of 0..<n drawn from the
    /// generator keyed `(seed, teacher-mask stream, m)`: the normals of B are drawn as for a dense
    /// teacher, so the entries kept are the dense teacher's.
    static func sparsify(_ weights: inout [Double], rows: Int, n: Int, fraction: Double, seed: UInt64) {
        let zeros = min(n, Int((fraction * Double(n)).rounded()))
        guard zeros > 0 else { return }
        var positions = [Int](repeating: 0, count: n)
        for m in 0..<rows {
            var g = Xoshiro256StarStar(seed: seed, stream: .teacherMask, counter: UInt64(m))
            for i in 0..<n { positions[i] = i }
            for i in 0..<zeros {
                let j = i + Int(g.below(UInt64(n - i)))
                positions.swapAt(i, j)
                weights[m * n + positions[i]] = 0
            }
        }
    }

    /// Draws W and v from the student stream: K×N normals ξ for W, then K normals for v (always
    /// drawn, used only when v is trained), and combines them as `StudentInit` says.
    static func drawStudent(_ p: SimulationParameters, teacherWeights: [Double], teacherSecondLayer: [Double])
        -> (weights: [Double], secondLayer: [Double])
    {
        var normals = NormalStream(seed: p.seed, stream: .student, counter: 0)
        var xi = [Double](repeating: 0, count: p.K * p.N + p.K)
        xi.withUnsafeMutableBufferPointer { normals.fill($0.baseAddress!, count: $0.count) }
        let N = p.N, K = p.K, M = p.M
        var weights = Array(xi[0..<(K * N)])
        let xiV = Array(xi[(K * N)...])
        let fixedV = p.teacherSecondLayer.studentValue(K: K)
        var secondLayer = Array(repeating: fixedV, count: K)
        switch p.studentInit {
        case .large:
            if p.trainSecondLayer { secondLayer = xiV }
        case .small:
            for i in weights.indices { weights[i] *= 1e-3 }
            if p.trainSecondLayer { secondLayer = xiV.map { 1e-3 * $0 } }
        case .mixed:
            let scale = 1 / Double(N).squareRoot()
            for i in weights.indices { weights[i] *= scale }
            if p.trainSecondLayer { secondLayer = xiV.map { $0 / Double(K).squareRoot() } }
        case .informed:
            for k in 0..<K {
                for i in 0..<N {
                    weights[k * N + i] = 1e-9 * weights[k * N + i] + (k < M ? teacherWeights[k * N + i] : 0)
                }
            }
            if p.trainSecondLayer { secondLayer = (0..<K).map { 1e-9 * xiV[$0] + ($0 < M ? teacherSecondLayer[$0] : 0) } }
        case .denoise:
            for k in 0..<K {
                let unit = k % M
                let copies = Double((K - 1 - unit) / M + 1)
                for i in 0..<N { weights[k * N + i] = teacherWeights[unit * N + i] }
                secondLayer[k] = teacherSecondLayer[unit] / copies
            }
        }
        return (weights, secondLayer)
    }

    /// A·Aᵀ/n for row-major A (rows×n): the upper triangle computed, the lower one mirrored.
    static func symmetricGram(_ a: [Double], rows: Int, n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * rows)
        a.withUnsafeBufferPointer { pa in
            for i in 0..<rows {
                for j in i..<rows {
                    let value = RowKernels.dot(pa.baseAddress! + i * n, pa.baseAddress! + j * n, n) / Double(n)
                    out[i * rows + j] = value
                    out[j * rows + i] = value
                }
            }
        }
        return out
    }

    /// A·Bᵀ/n for row-major A (rowsA×n) and B (rowsB×n).
    static func gram(_ a: [Double], _ b: [Double], rowsA: Int, rowsB: Int, n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rowsA * rowsB)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for i in 0..<rowsA {
                    for j in 0..<rowsB {
                        out[i * rowsB + j] = RowKernels.dot(pa.baseAddress! + i * n, pb.baseAddress! + j * n, n) / Double(n)
                    }
                }
            }
        }
        return out
    }
}
