import RealModule

/// The Dormand–Prince 5(4) pair (J. R. Dormand, P. J. Prince, J. Comput. Appl. Math. 6, 19
/// (1980)) with local extrapolation, first-same-as-last, a PI step-size controller and the
/// fourth-order continuous extension for output between steps (Hairer, Nørsett & Wanner,
/// Solving ODEs I, §II.6), so the step sequence does not depend on the output times.
enum DormandPrince {
    // Nodes c2…c5 (c6 = c7 = 1) and the coefficients a_ij.
    static let c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9
    static let a21 = 1.0 / 5
    static let a31 = 3.0 / 40, a32 = 9.0 / 40
    static let a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9
    static let a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561, a54 = -212.0 / 729
    static let a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176, a65 = -5103.0 / 18656
    // Fifth-order weights (= a7j).
    static let b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84
    // Fifth minus fourth order weights: the local error estimate.
    static let e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200,
                e6 = 22.0 / 525, e7 = -1.0 / 40
    // Continuous extension.
    static let d1 = -12715105075.0 / 11282082432, d3 = 87487479700.0 / 32700410799,
                d4 = -10690763975.0 / 1880347072, d5 = 701980252875.0 / 199316789632,
                d6 = -1453857185.0 / 822651844, d7 = 69997945.0 / 29380423

    // Step-size control: h ← h·clamp(safety·err^{−α}·errPrevious^{β}); β = 0.04 damps the
    // oscillation of step sizes where stability, not accuracy, limits the step.
    static let safety = 0.9, alpha = 0.17, beta = 0.04, maxGrowth = 10.0, maxShrink = 0.2

    /// Working vectors: y, k1…k7, stage, y1, four dense-output coefficients, dense-output value.
    static let vectorCount = 15

    /// Makes up to `maxSteps` step attempts (accepted or rejected) from `s`, appending a record
    /// for every output time passed; returns the attempts made. The first call also computes
    /// f(y₀) and the starting step. `output` turns a state into a record, or nil when it is not
    /// finite; that, a non-finite step or a step size collapsing to nothing (the solution blowing
    /// up, e.g. ηK beyond the stability limit) ends the integration with `s.divergence` at the
    /// last accepted time. Chunking changes nothing: every call continues exactly where the
    /// previous one stopped.
    static func advance<F: ODEVectorField>(_ s: inout ODEIntegratorState, _ f: F, vectors v: ODEVectors, times: [Double],
                                           rtol: Double, atol: Double, maxSteps: Int,
                                           admissible: (UnsafePointer<Double>) -> Bool = { _ in true },
                                           output: (Int, UnsafePointer<Double>) -> ODERecord?) -> Int {
        if s.next == times.count {
            s.finished = true
            return 0
        }
        let n = f.dimension
        let y = v[0], k1 = v[1], k2 = v[2], k3 = v[3], k4 = v[4], k5 = v[5], k6 = v[6], k7 = v[7]
        let stage = v[8], yNew = v[9]
        s.load(into: v, previousSlot: nil)
        defer { s.store(from: v, previousSlot: nil) }
        let tEnd = times[times.count - 1]
        // Every evaluation is asked at once whether a quadrature capped its work there.
        func note(at t: Double) {
            if f.takeUnderResolved() { s.statistics.noteUnderResolved(at: t) }
        }
        if !s.started {
            f.evaluate(y, k1)
            note(at: s.t)
            s.statistics.rhsEvaluations += 1
            s.h = initialStep(f, y: y, f0: k1, rtol: rtol, atol: atol, horizon: tEnd, scratch: stage, f1: k2)
            note(at: s.t)
            s.statistics.rhsEvaluations += 1
            s.started = true
        }

        var attempts = 0
        while s.next < times.count && attempts < maxSteps {
            attempts += 1
            let t = s.t
            var h = s.h
            let last = t + 1.01 * h >= tEnd
            if last { h = tEnd - t }

            for i in 0..<n { stage[i] = y[i] + h * (a21 * k1[i]) }
            f.evaluate(stage, k2)
            note(at: t)
            for i in 0..<n { stage[i] = y[i] + h * (a31 * k1[i] + a32 * k2[i]) }
            f.evaluate(stage, k3)
            note(at: t)
            for i in 0..<n { stage[i] = y[i] + h * (a41 * k1[i] + a42 * k2[i] + a43 * k3[i]) }
            f.evaluate(stage, k4)
            note(at: t)
            for i in 0..<n { stage[i] = y[i] + h * (a51 * k1[i] + a52 * k2[i] + a53 * k3[i] + a54 * k4[i]) }
            f.evaluate(stage, k5)
            note(at: t)
            for i in 0..<n {
                stage[i] = y[i] + h * (a61 * k1[i] + a62 * k2[i] + a63 * k3[i] + a64 * k4[i] + a65 * k5[i])
            }
            f.evaluate(stage, k6)
            note(at: t)
            for i in 0..<n { yNew[i] = y[i] + h * (b1 * k1[i] + b3 * k3[i] + b4 * k4[i] + b5 * k5[i] + b6 * k6[i]) }
            f.evaluate(yNew, k7)
            note(at: t)
            s.statistics.rhsEvaluations += 6

            var sumSquares = 0.0, largest = 0.0
            for i in 0..<n {
                let e = h * (e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i] + e7 * k7[i])
                let scale = atol + rtol * max(abs(y[i]), abs(yNew[i]))
                sumSquares += (e / scale) * (e / scale)
                largest = max(largest, abs(e))
            }
            let error = (sumSquares / Double(max(1, n))).squareRoot()
            // A stage or the new state left the domain (overflow, or a covariance that is no
            // longer positive definite; an infinite y1 can hide behind an error of 0): shrink hard.
            guard error.isFinite, error > 1 || Divergence.allFinite(yNew, count: n) else {
                s.h = h * maxShrink
                s.statistics.rejectedSteps += 1
                s.rejectedLast = true
                if !usable(s.h, t: t) {
                    s.divergence = Divergence(t: t)
                    return attempts
                }
                continue
            }
            if error <= 1 {
                let tNew = last ? tEnd : t + h
                // An accepted state no learning run can reach: diverged at the last admissible time.
                guard admissible(yNew) else {
                    s.divergence = Divergence(t: t)
                    return attempts
                }
                // Outputs inside (t, tNew], from the continuous extension.
                if times[s.next] <= tNew {
                    prepareDense(v, h: h, n: n)
                    while s.next < times.count && times[s.next] <= tNew {
                        let state = times[s.next] == tNew
                            ? yNew : evaluateDense(v, theta: min(1, max(0, (times[s.next] - t) / h)), n: n)
                        guard let record = output(s.next, state) else {
                            s.divergence = Divergence(t: t)
                            return attempts
                        }
                        s.records.append(record)
                        s.next += 1
                    }
                }
                s.statistics.steps += 1
                s.statistics.errorEstimate += largest
                s.statistics.largestWeightedLocalError = max(s.statistics.largestWeightedLocalError, error)
                s.t = tNew
                for i in 0..<n { y[i] = yNew[i]; k1[i] = k7[i] }
                var factor = safety * Double.pow(max(error, 1e-10), -alpha) * Double.pow(s.previousError, beta)
                factor = min(maxGrowth, max(maxShrink, factor))
                if s.rejectedLast { factor = min(1, factor) }
                s.h = h * factor
                s.previousError = max(error, 1e-4)
                s.rejectedLast = false
            } else {
                s.h = h * max(maxShrink, safety * Double.pow(error, -alpha))
                s.statistics.rejectedSteps += 1
                s.rejectedLast = true
                if !usable(s.h, t: t) {
                    s.divergence = Divergence(t: t)
                    return attempts
                }
            }
        }
        if s.next == times.count { s.finished = true }
        return attempts
    }

    /// A step this small relative to t means the solution is blowing up (e.g. ηK beyond the
    /// stability limit): stop rather than crawl.
    private static func usable(_ h: Double, t: Double) -> Bool { h > 1e-12 * max(1, t) }

    /// Hairer's starting step: a step whose Euler error would be about the tolerance.
    static func initialStep<F: ODEVectorField>(_ f: F, y: UnsafeMutablePointer<Double>, f0: UnsafeMutablePointer<Double>,
                                               rtol: Double, atol: Double, horizon: Double,
                                               scratch: UnsafeMutablePointer<Double>, f1: UnsafeMutablePointer<Double>) -> Double {
        let n = f.dimension
        var d0 = 0.0, d1 = 0.0
        for i in 0..<n {
            let scale = atol + rtol * abs(y[i])
            d0 += (y[i] / scale) * (y[i] / scale)
            d1 += (f0[i] / scale) * (f0[i] / scale)
        }
        d0 = (d0 / Double(n)).squareRoot()
        d1 = (d1 / Double(n)).squareRoot()
        var h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1
        h0 = min(h0, horizon)
        for i in 0..<n { scratch[i] = y[i] + h0 * f0[i] }
        f.evaluate(scratch, f1)
        var d2 = 0.0
        for i in 0..<n {
            let scale = atol + rtol * abs(y[i])
            d2 += ((f1[i] - f0[i]) / scale) * ((f1[i] - f0[i]) / scale)
        }
        d2 = (d2 / Double(n)).squareRoot() / h0
        let h1 = max(d1, d2) <= 1e-15 ? max(1e-6, h0 * 1e-3) : Double.pow(0.01 / max(d1, d2), 0.2)
        return min(100 * h0, h1, horizon)
    }

    /// The continuous extension y(t + θh) = y + θ(r2 + (1−θ)(r3 + θ(r4 + (1−θ)r5))), with
    /// r2 = y1 − y, r3 = h·k1 − r2, r4 = r2 − h·k7 − r3, r5 = h·Σ d_i k_i, computed once per step.
    static func prepareDense(_ v: ODEVectors, h: Double, n: Int) {
        let y = v[0], k1 = v[1], k3 = v[3], k4 = v[4], k5 = v[5], k6 = v[6], k7 = v[7], yNew = v[9]
        let r2 = v[10], r3 = v[11], r4 = v[12], r5 = v[13]
        for i in 0..<n {
            let difference = yNew[i] - y[i]
            let slope = h * k1[i] - difference
            r2[i] = difference
            r3[i] = slope
            r4[i] = difference - h * k7[i] - slope
            r5[i] = h * (d1 * k1[i] + d3 * k3[i] + d4 * k4[i] + d5 * k5[i] + d6 * k6[i] + d7 * k7[i])
        }
    }

    /// The continuous extension at θ into slot 14.
    static func evaluateDense(_ v: ODEVectors, theta: Double, n: Int) -> UnsafeMutablePointer<Double> {
        let y = v[0], r2 = v[10], r3 = v[11], r4 = v[12], r5 = v[13], out = v[14]
        let oneMinus = 1 - theta
        for i in 0..<n {
            out[i] = y[i] + theta * (r2[i] + oneMinus * (r3[i] + theta * (r4[i] + oneMinus * r5[i])))
        }
        return out
    }
}
