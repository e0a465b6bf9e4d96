/// Forward Euler and classical RK4 on the grid t_n = n·dt.
///
/// The grid is the same whatever output times are asked for: an output time on the grid (to
/// 1e-9 relative) is recorded there; one between t_n and t_{n+1} gets a short step from t_n on a
/// copy, and the march continues from t_n undisturbed. So `euler` with dt = 0.01 reproduces the
/// reference code at its grid times exactly, and simulation times step/N can be asked for too.
enum FixedStepIntegrator {
    /// Working vectors: y, k1 (= f(y)), k2, k3, k4, work, short step, the last step's slope.
    static let vectorCount = 8
    static let previousSlot = 7

    /// Takes up to `maxSteps` steps (grid steps and short steps to output times between grid
    /// points) from `s`, appending a record for every output time reached; returns the steps
    /// taken. After the last output time, one more f(y) completes the last step's error
    /// estimate. `output` turns a state into a record, or nil when it is not finite; that, or a
    /// grid step to a non-finite state, ends the integration with `s.divergence` at the last grid
    /// time whose state was finite. Chunking changes nothing: every call continues exactly where
    /// the previous one stopped.
    static func advance<F: ODEVectorField>(_ s: inout ODEIntegratorState, _ f: F, vectors v: ODEVectors, times: [Double],
                                           method: ODEMethod, maxSteps: Int,
                                           admissible: (UnsafePointer<Double>) -> Bool = { _ in true },
                                           output: (Int, UnsafePointer<Double>) -> ODERecord?) -> Int {
        let dt: Double, isEuler: Bool
        switch method {
        case .euler(let step): dt = step; isEuler = true
        case .rk4(let step): dt = step; isEuler = false
        case .adaptive: preconditionFailure("adaptive goes to DormandPrince")
        }
        let n = f.dimension
        let y = v[0], k1 = v[1], k2 = v[2], k3 = v[3], k4 = v[4], work = v[5], short = v[6], previous = v[previousSlot]
        s.load(into: v, previousSlot: previousSlot)
        defer { s.store(from: v, previousSlot: previousSlot) }

        // Every evaluation is asked at once whether a quadrature capped its work there (the
        // time noted: the grid point the step starts from).
        func note() {
            if f.takeUnderResolved() { s.statistics.noteUnderResolved(at: Double(s.gridStep) * dt) }
        }

        // f(y) at the current grid point; also closes the previous step's error estimate.
        func derivative() {
            if s.derivativeIsCurrent { return }
            f.evaluate(y, k1)
            note()
            s.statistics.rhsEvaluations += 1
            s.derivativeIsCurrent = true
            if s.havePrevious {
                var largest = 0.0
                let scale = isEuler ? 0.5 * dt : dt / 6
                for i in 0..<n { largest = max(largest, abs(scale * (previous[i] - k1[i]))) }
                s.statistics.errorEstimate += largest
                s.havePrevious = false
            }
        }

        // One step of size h from y (with k1 = f(y) current) into `target`.
        func step(_ h: Double, into target: UnsafeMutablePointer<Double>) {
            if isEuler {
                for i in 0..<n { target[i] = y[i] + h * k1[i] }
                return
            }
            let half = 0.5 * h
            for i in 0..<n { work[i] = y[i] + half * k1[i] }
            f.evaluate(work, k2)
            note()
            for i in 0..<n { work[i] = y[i] + half * k2[i] }
            f.evaluate(work, k3)
            note()
            for i in 0..<n { work[i] = y[i] + h * k3[i] }
            f.evaluate(work, k4)
            note()
            s.statistics.rhsEvaluations += 3
            let sixth = h / 6
            for i in 0..<n { target[i] = y[i] + sixth * (k1[i] + 2 * (k2[i] + k3[i]) + k4[i]) }
        }

        var taken = 0
        while s.next < times.count {
            let t = times[s.next]
            let exact = t / dt
            let nearest = exact.rounded()
            let onGrid = abs(exact - nearest) <= 1e-9 * max(1, exact)
            let targetStep = onGrid ? Int(nearest) : Int(exact.rounded(.down))
            if s.gridStep < targetStep {
                guard taken < maxSteps else { return taken }
                taken += 1
                derivative()
                step(dt, into: short)
                guard Divergence.allFinite(short, count: n), admissible(short) else {
                    s.divergence = Divergence(t: Double(s.gridStep) * dt)
                    return taken
                }
                if isEuler {
                    for i in 0..<n { previous[i] = k1[i] }
                } else {
                    for i in 0..<n { previous[i] = k4[i] }
                }
                for i in 0..<n { y[i] = short[i] }
                s.derivativeIsCurrent = false
                s.havePrevious = true
                s.gridStep += 1
                s.statistics.steps += 1
                continue
            }
            let state: UnsafeMutablePointer<Double>
            if onGrid {
                state = y
            } else {
                guard taken < maxSteps else { return taken }
                taken += 1
                derivative()
                step(t - Double(s.gridStep) * dt, into: short)
                state = short
            }
            guard let record = output(s.next, state) else {
                s.divergence = Divergence(t: Double(s.gridStep) * dt)
                return taken
            }
            s.records.append(record)
            s.next += 1
        }
        derivative()  // completes the error estimate of the last step
        s.finished = true
        return taken
    }
}
