/// The parameters of the N → ∞ dynamics of science.md §5: everything the right-hand side needs
/// besides the order parameters themselves.
///
/// The pairs with ODEs are `supports(teacher:student:)`: every pair whose student has a
/// derivative (not `sign`); closed forms for erf, ReLU or linear on both sides, an erf or linear
/// student with any teacher by pair averages, every other pair by the quadrature path
/// (ODERightHandSide+General).
public struct ODEParameters: Sendable, Equatable {
    /// The activation of the student.
    public var activation: Activation
    /// The activation of the teacher (= `activation` unless given).
    public var teacherActivation: Activation
    /// η, the first-layer learning rate.
    public var learningRate: Double
    /// η_v, the second-layer learning rate (used only when `trainSecondLayer`).
    public var secondLayerLearningRate: Double
    /// σ, the standard deviation of the label noise.
    public var noise: Double
    /// κ, the weight decay.
    public var weightDecay: Double
    /// B, the mini-batch size: the η² and σ² terms carry a factor 1/B.
    public var batchSize: Int
    public var trainSecondLayer: Bool

    public init(activation: Activation = .erf, teacherActivation: Activation? = nil, learningRate: Double = 0.5,
                secondLayerLearningRate: Double? = nil,
                noise: Double = 0, weightDecay: Double = 0, batchSize: Int = 1, trainSecondLayer: Bool = false) {
        self.activation = activation
        self.teacherActivation = teacherActivation ?? activation
        self.learningRate = learningRate
        self.secondLayerLearningRate = secondLayerLearningRate ?? learningRate
        self.noise = noise
        self.weightDecay = weightDecay
        self.batchSize = batchSize
        self.trainSecondLayer = trainSecondLayer
    }

    /// Whether sgdyn has the ODEs' integrals for this pair: any teacher with any student that
    /// has a derivative (`studentAllowed`; `sign` is teacher-only).
    public static func supports(teacher: Activation, student: Activation) -> Bool {
        student.declaration.studentAllowed
    }

    /// Parameters for a teacher and a student activation, a pair `supports` accepts.
    public init(teacherActivation: Activation, studentActivation: Activation, learningRate: Double = 0.5,
                secondLayerLearningRate: Double? = nil, noise: Double = 0, weightDecay: Double = 0,
                batchSize: Int = 1, trainSecondLayer: Bool = false) throws(ODEError) {
        guard ODEParameters.supports(teacher: teacherActivation, student: studentActivation) else {
            throw ODEError(key: "student_activation", """
                a student needs a derivative: \(studentActivation.rawValue) may only be a teacher \
                (got teacher \(teacherActivation.rawValue), student \(studentActivation.rawValue))
                """)
        }
        self.init(activation: studentActivation, teacherActivation: teacherActivation, learningRate: learningRate,
                  secondLayerLearningRate: secondLayerLearningRate, noise: noise, weightDecay: weightDecay,
                  batchSize: batchSize, trainSecondLayer: trainSecondLayer)
        try validate()
    }

    /// The ODE counterpart of a simulation's parameters (N, sizes, initialisation and output
    /// schedule are not part of it).
    public init(simulation p: SimulationParameters) throws(ODEError) {
        try self.init(teacherActivation: p.teacherActivation, studentActivation: p.studentActivation,
                      learningRate: p.learningRate, secondLayerLearningRate: p.secondLayerLearningRate,
                      noise: p.noise, weightDecay: p.weightDecay, batchSize: p.batchSize,
                      trainSecondLayer: p.trainSecondLayer)
    }

    /// Throws, naming the job key, when a value is outside its domain.
    public func validate() throws(ODEError) {
        guard learningRate.isFinite && learningRate > 0 else { throw ODEError(key: "lr", "must be a finite number > 0") }
        guard secondLayerLearningRate.isFinite && secondLayerLearningRate > 0 else {
            throw ODEError(key: "lr2", "must be a finite number > 0")
        }
        guard noise.isFinite && noise >= 0 else { throw ODEError(key: "sigma", "must be a finite number ≥ 0") }
        guard weightDecay.isFinite && weightDecay >= 0 else { throw ODEError(key: "weight_decay", "must be a finite number ≥ 0") }
        guard batchSize >= 1 else { throw ODEError(key: "batch_size", "must be an integer ≥ 1") }
    }
}
