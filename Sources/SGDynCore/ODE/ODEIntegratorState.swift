/// Everything an integrator carries from one step to the next, records included: with the
/// integration's inputs, what a snapshot must hold to continue bit for bit. One type for all
/// three methods; each uses its own fields and leaves the others at their initial values.
struct ODEIntegratorState: Sendable, Equatable {
    /// Index of the next output time to record.
    var next = 0
    /// Set once the last output time is recorded (and, for fixed steps, the last error estimate
    /// completed).
    var finished = false
    /// `adaptive`: whether f(y₀) and the starting step have been computed; the current time, the
    /// step size to try next, the previous accepted error (for the PI controller) and whether the
    /// last attempt was rejected.
    var started = false
    var t = 0.0
    var h = 0.0
    var previousError = 1e-4
    var rejectedLast = false
    /// Fixed steps: grid steps done; whether `derivative` is f(y); whether `previous` holds the
    /// last step's slope, still to be compared with f(y) for the error estimate.
    var gridStep = 0
    var derivativeIsCurrent = false
    var havePrevious = false
    /// The state vector (`ODEStateLayout`), f(y) (`adaptive`: always, first-same-as-last; fixed
    /// steps: when `derivativeIsCurrent`), and the last step's slope (fixed steps).
    var y: [Double]
    var derivative: [Double]
    var previous: [Double]
    var statistics: ODEIntegrationStatistics
    var records: [ODERecord] = []
    var divergence: Divergence?

    init(y: [Double], method: ODEMethod) {
        self.y = y
        derivative = [Double](repeating: 0, count: y.count)
        previous = [Double](repeating: 0, count: y.count)
        statistics = ODEIntegrationStatistics(method: method)
    }

    /// Copies y, f(y) and the previous slope into the integrator's working vectors 0, 1 and
    /// `previousSlot`, and back: the arithmetic runs on raw memory, the state stays a value.
    func load(into v: ODEVectors, previousSlot: Int?) {
        copy(y, to: v[0])
        copy(derivative, to: v[1])
        if let previousSlot { copy(previous, to: v[previousSlot]) }
    }

    mutating func store(from v: ODEVectors, previousSlot: Int?) {
        let n = y.count
        for i in 0..<n { y[i] = v[0][i] }
        for i in 0..<n { derivative[i] = v[1][i] }
        if let previousSlot { for i in 0..<n { previous[i] = v[previousSlot][i] } }
    }

    private func copy(_ values: [Double], to target: UnsafeMutablePointer<Double>) {
        for i in values.indices { target[i] = values[i] }
    }
}
