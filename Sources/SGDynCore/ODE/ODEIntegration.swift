/// One ODE integration (science.md §5) that runs in chunks: `advance` a bounded number of
/// integrator steps at a time, `snapshot` between chunks, restore with `init(snapshot:)` and
/// continue with bit-identical records and statistics — the unit a worker schedules,
/// checkpoints, cancels and resumes. A solution that stops being finite, or leaves what a learning
/// run can reach (`ODEStateBounds`: a covariance that is not positive semi-definite, order
/// parameters or ε_g beyond 10¹⁰), ends the integration with `divergence` set at the last time it
/// was admissible and the records before it kept.
///
/// A value type. The right-hand side's workspace (which grows like K⁴) is allocated on the first
/// `advance`, not by the initialisers, so a restored integration can be read cheaply.
public struct ODEIntegration: Sendable {
    public let parameters: ODEParameters
    /// The validated initial order parameters (Q and T exactly symmetric).
    public let initial: OrderParameters
    /// The output times: finite, ≥ 0, non-decreasing.
    public let times: [Double]
    public let method: ODEMethod
    let layout: ODEStateLayout
    var state: ODEIntegratorState
    private var engine: ODEEngine?
    /// Tests only: compute the ReLU integrals with the slow general reference method (see
    /// `ODERightHandSide.referenceIntegrals`), to measure the integrals' share of the error.
    var referenceIntegrals = false

    /// Checks the input as `ODE.integrate` does and records the output times at t = 0. Throws for
    /// invalid parameters, method, initial conditions or times, naming the job key when there is one.
    public init(parameters: ODEParameters, initial: OrderParameters, times: [Double], method: ODEMethod) throws(ODEError) {
        try parameters.validate()
        try method.validate()
        let start = try ODEInitialConditions.validate(initial)
        guard !times.isEmpty else { throw ODEError(key: nil, "no output times requested") }
        for (index, t) in times.enumerated() {
            guard t.isFinite && t >= 0 else { throw ODEError(key: "t_max", "output time \(t) is not a finite number ≥ 0") }
            guard index == 0 || t >= times[index - 1] else {
                throw ODEError(key: nil, "output times must be non-decreasing (\(times[index - 1]) then \(t))")
            }
        }
        // The fixed-step integrators count grid steps as Int (t/dt): beyond 2⁵² that count is
        // neither exact nor, far enough, an Int at all (a restored snapshot found this by fuzzing).
        switch method {
        case .euler(let dt), .rk4(let dt):
            guard times[times.count - 1] / dt <= Double(SimulationLimits.maxSteps) else {
                throw ODEError(key: "ode", "dt = \(dt) makes more than 2⁵² steps to t = \(times[times.count - 1])")
            }
        case .adaptive:
            break
        }
        let layout = ODEStateLayout(K: start.K, M: start.M, trainSecondLayer: parameters.trainSecondLayer)
        var state = ODEIntegratorState(y: layout.pack(start), method: method)
        let recorder = ODERecorder(layout: layout, start: start, times: times, teacher: parameters.teacherActivation, student: parameters.activation)
        let y0 = state.y
        y0.withUnsafeBufferPointer { y in
            while state.next < times.count && times[state.next] == 0 {
                guard let record = recorder.record(state.next, y.baseAddress!) else {
                    state.divergence = Divergence(t: 0)
                    return
                }
                state.records.append(record)
                state.next += 1
            }
        }
        self.init(parameters: parameters, initial: start, times: times, method: method, layout: layout, state: state)
    }

    init(parameters: ODEParameters, initial: OrderParameters, times: [Double], method: ODEMethod,
         layout: ODEStateLayout, state: ODEIntegratorState) {
        self.parameters = parameters
        self.initial = initial
        self.times = times
        self.method = method
        self.layout = layout
        self.state = state
    }

    /// Whether every output time is recorded, or the solution diverged.
    public var isFinished: Bool { state.finished || state.divergence != nil }

    /// The fraction of the time span [0, last output time] integrated, in [0, 1]; 1 once
    /// finished. It moves with every step, so a caller polling while `advance` runs in chunks
    /// sees it move; `statistics.rhsEvaluations` is the work done so far.
    public var progress: Double {
        if isFinished { return 1 }
        let tEnd = times[times.count - 1]
        guard tEnd > 0 else { return 0 }
        switch method {
        case .adaptive: return min(1, state.t / tEnd)
        case .euler(let dt), .rk4(let dt): return min(1, Double(state.gridStep) * dt / tEnd)
        }
    }

    /// One record per output time reached so far, in order; never inf or NaN.
    public var records: [ODERecord] { state.records }
    public var statistics: ODEIntegrationStatistics { state.statistics }
    /// Set when the solution stopped being finite (t is the last time it was).
    public var divergence: Divergence? { state.divergence }
    /// The records so far, the statistics and the divergence.
    public var result: ODEResult {
        ODEResult(parameters: parameters, records: state.records, statistics: state.statistics, divergence: state.divergence)
    }

    /// Takes up to `maxSteps` integrator steps (accepted or rejected; for fixed steps, also the
    /// short steps to output times between grid points), recording at the output times passed.
    /// Returns the steps taken: fewer than `maxSteps` only when the integration finished or
    /// diverged. Call repeatedly until `isFinished`.
    @discardableResult
    public mutating func advance(maxSteps: Int) -> Int {
        precondition(maxSteps >= 0)
        guard !isFinished else { return 0 }
        if !isKnownUniquelyReferenced(&engine) {
            // First call, or a copy of this integration shares the scratch memory: take our own.
            engine = ODEEngine(parameters: parameters, start: initial, method: method, referenceIntegrals: referenceIntegrals)
        }
        let engine = self.engine!
        let recorder = ODERecorder(layout: layout, start: initial, times: times, teacher: parameters.teacherActivation, student: parameters.activation)
        let bounds = ODEStateBounds(layout: layout, fixed: initial)
        switch method {
        case .adaptive(let rtol, let atol):
            return DormandPrince.advance(&state, engine.rhs, vectors: engine.vectors, times: times, rtol: rtol, atol: atol,
                                         maxSteps: maxSteps, admissible: bounds.admissible, output: recorder.record)
        case .euler, .rk4:
            return FixedStepIntegrator.advance(&state, engine.rhs, vectors: engine.vectors, times: times, method: method,
                                               maxSteps: maxSteps, admissible: bounds.admissible, output: recorder.record)
        }
    }
}

/// Turns a state vector at an output time into a record, or nil when it is not finite or not
/// admissible (`ODEStateBounds`).
struct ODERecorder {
    let layout: ODEStateLayout
    let start: OrderParameters
    let times: [Double]
    let teacher: Activation
    let student: Activation

    func record(_ index: Int, _ y: UnsafePointer<Double>) -> ODERecord? {
        guard Divergence.allFinite(y, count: layout.count), ODEStateBounds(layout: layout, fixed: start).admissible(y) else { return nil }
        let op = layout.unpack(y, fixed: start)
        // A smooth student (the joint quadrature's pairs): the strip-analytic pair averages by
        // the trapezoidal rule (`TrapezoidPairAverage`), a fraction of Gauss–Hermite's cost.
        let eg = ODERightHandSide.usesJointQuadrature(student: student, teacher: teacher, M: layout.M)
            ? GeneralisationError.analytic(op, teacher: teacher, student: student, average: TrapezoidPairAverage.value)
            : GeneralisationError.analytic(op, teacher: teacher, student: student)
        guard eg.isFinite, abs(eg) <= ODEStateBounds.bound else { return nil }
        return ODERecord(t: times[index], eg: eg, orderParameters: op)
    }
}

/// The memory an integration computes in: the right-hand side with its workspace and the
/// integrator's working vectors. Holds no state between `advance` calls that matters (that is in
/// `ODEIntegratorState`), so any fresh one continues an integration bit for bit.
///
/// `@unchecked Sendable`: it is only used inside `ODEIntegration.advance`, a mutating method,
/// and only while uniquely referenced, so two threads never compute in the same one.
final class ODEEngine: @unchecked Sendable {
    let rhs: ODERightHandSide
    let vectors: ODEVectors

    init(parameters: ODEParameters, start: OrderParameters, method: ODEMethod, referenceIntegrals: Bool = false) {
        rhs = ODERightHandSide(parameters: parameters, fixed: start, referenceIntegrals: referenceIntegrals)
        let count: Int
        switch method {
        case .adaptive: count = DormandPrince.vectorCount
        case .euler, .rk4: count = FixedStepIntegrator.vectorCount
        }
        vectors = ODEVectors(count: count, dimension: rhs.layout.count)
    }
}
