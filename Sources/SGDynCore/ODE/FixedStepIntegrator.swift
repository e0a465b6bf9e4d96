/// Forward Euler and classical RK4 on the grid t_n = n·dt.
///
/// The grid is the same whatever output times are asked for: an output time on the grid (to
/// 1e-9 relative) is recorded there; one between t_n and t_{n+1} gets a short step from t_n on a
/// copy, and the march continues from t_n undisturbed. So `euler` with dt = 0.01 reproduces the
/// reference code at its grid times exactly, and simulation times step/N can be asked for too.
enum FixedStepIntegrator {
    static func integrate<F: ODEVectorField>(_ f: F, initial: [Double], times: [Double], method: ODEMethod,
                                             output: (Int, UnsafePointer<Double>) -> Void) throws -> ODEIntegrationStatistics {
        let dt: Double, isEuler: Bool
        switch method {
        case .euler(let step): dt = step; isEuler = true
        case .rk4(let step): dt = step; isEuler = false
        case .adaptive: preconditionFailure("adaptive goes to DormandPrince")
        }
        let n = f.dimension
        var statistics = ODEIntegrationStatistics(method: method)
        // y, k1 (= f(y)), k2, k3, k4, work, shortStep, lastK4 (scaled)
        let v = ODEVectors(count: 8, dimension: n)
        let y = v[0], k1 = v[1], k2 = v[2], k3 = v[3], k4 = v[4], work = v[5], short = v[6], previous = v[7]
        for i in 0..<n { y[i] = initial[i] }
        var step = 0
        var derivativeIsCurrent = false
        var havePrevious = false

        // f(y) at the current grid point; also closes the previous step's error estimate.
        func derivative() {
            if derivativeIsCurrent { return }
            f.evaluate(y, k1)
            statistics.rhsEvaluations += 1
            derivativeIsCurrent = true
            if havePrevious {
                var largest = 0.0
                let scale = isEuler ? 0.5 * dt : dt / 6
                for i in 0..<n { largest = max(largest, abs(scale * (previous[i] - k1[i]))) }
                statistics.errorEstimate += largest
                havePrevious = false
            }
        }

        // One step of size h from y (with k1 = f(y) current) into `target`.
        func advance(_ h: Double, into target: UnsafeMutablePointer<Double>) {
            if isEuler {
                for i in 0..<n { target[i] = y[i] + h * k1[i] }
                return
            }
            let half = 0.5 * h
            for i in 0..<n { work[i] = y[i] + half * k1[i] }
            f.evaluate(work, k2)
            for i in 0..<n { work[i] = y[i] + half * k2[i] }
            f.evaluate(work, k3)
            for i in 0..<n { work[i] = y[i] + h * k3[i] }
            f.evaluate(work, k4)
            statistics.rhsEvaluations += 3
            let sixth = h / 6
            for i in 0..<n { target[i] = y[i] + sixth * (k1[i] + 2 * (k2[i] + k3[i]) + k4[i]) }
        }

        for (index, t) in times.enumerated() {
            let exact = t / dt
            let nearest = exact.rounded()
            let onGrid = abs(exact - nearest) <= 1e-9 * max(1, exact)
            let targetStep = onGrid ? Int(nearest) : Int(exact.rounded(.down))
            while step < targetStep {
                derivative()
                advance(dt, into: short)
                if isEuler {
                    for i in 0..<n { previous[i] = k1[i] }
                } else {
                    for i in 0..<n { previous[i] = k4[i] }
                }
                for i in 0..<n { y[i] = short[i] }
                derivativeIsCurrent = false
                havePrevious = true
                step += 1
                statistics.steps += 1
            }
            let state: UnsafeMutablePointer<Double>
            if onGrid {
                state = y
            } else {
                derivative()
                advance(t - Double(step) * dt, into: short)
                state = short
            }
            for i in 0..<n where !state[i].isFinite {
                throw ODEError(key: nil, "the ODE solution diverges: not finite at t = \(t) (\(method.name) with dt = \(dt))")
            }
            output(index, state)
        }
        derivative()  // completes the error estimate of the last step
        return statistics
    }
}
