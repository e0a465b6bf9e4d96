import Testing
@testable import SGDynCore

/// The closed forms of I2, J2, I3, I4 (science.md §5) against Monte-Carlo averages.
///
/// Tolerance: 5 standard errors of the Monte-Carlo mean (the sample standard deviation/√n, with
/// n = 100 000 samples for each of three random covariances), plus 1e-12 for integrands without
/// variance (linear J2). For a correct formula a 5σ excursion has probability ≈ 6e-7 per check;
/// the seeds are fixed, so the test is deterministic. A wrong formula typically misses by far more than 5·SE ≈ 2e-3·scale.
@Suite struct ODEGaussianIntegralTests {
    /// Index tuples into four base fields; repeats exercise coinciding arguments (singular
    /// covariances), which the ODEs produce all the time (I4(i, i, j, i), …).
    static let pairs = [(0, 1), (0, 0), (2, 3)]
    static let triples = [(0, 1, 2), (0, 0, 2), (0, 1, 0), (0, 1, 1), (0, 0, 0), (1, 3, 2)]
    static let quadruples = [(0, 1, 2, 3), (0, 0, 2, 3), (0, 1, 0, 3), (0, 1, 2, 2), (0, 1, 2, 0), (0, 1, 0, 1),
                             (0, 0, 1, 1), (0, 0, 0, 0), (3, 2, 1, 0)]

    @Test(arguments: GaussianIntegrals.activations)
    func closedFormsMatchMonteCarlo(_ g: Activation) {
        let n = 100_000
        for trial in 0..<3 {
            let c = randomCovariance(4, seed: UInt64(10 + trial))
            func entry(_ i: Int, _ j: Int) -> Double { c[i * 4 + j] }
            // One pass over the samples accumulates every integrand (tests run unoptimised).
            var value = [Double](repeating: 0, count: 4), slope = value
            var sums = [Double](repeating: 0, count: 2 * Self.pairs.count + Self.triples.count + Self.quadruples.count)
            var squares = sums
            forEachGaussianSample(c, count: n, seed: UInt64(100 + trial)) { x in
                for i in 0..<4 {
                    value[i] = g.value(x[i])
                    slope[i] = g.derivative(x[i])
                }
                var k = 0
                func add(_ y: Double) {
                    sums[k] += y
                    squares[k] += y * y
                    k += 1
                }
                for (a, b) in Self.pairs {
                    add(value[a] * value[b])
                    add(slope[a] * slope[b])
                }
                for (a, b, d) in Self.triples { add(slope[a] * x[b] * value[d]) }
                for (a, b, p, q) in Self.quadruples { add(slope[a] * slope[b] * value[p] * value[q]) }
            }
            var k = 0
            func check(_ closed: Double, _ label: String) {
                let mean = sums[k] / Double(n)
                let standardError = (max(0, squares[k] / Double(n) - mean * mean) / Double(n - 1)).squareRoot()
                #expect(abs(closed - mean) <= 5 * standardError + 1e-12,
                        "\(label) \(g), covariance \(trial): closed form \(closed), Monte-Carlo \(mean) ± \(standardError)")
                k += 1
            }
            for (a, b) in Self.pairs {
                check(GaussianIntegrals.i2(g, caa: entry(a, a), cbb: entry(b, b), cab: entry(a, b)), "I2\((a, b))")
                check(GaussianIntegrals.j2(g, caa: entry(a, a), cbb: entry(b, b), cab: entry(a, b)), "J2\((a, b))")
            }
            for (a, b, d) in Self.triples {
                check(GaussianIntegrals.i3(g, caa: entry(a, a), ccc: entry(d, d), cab: entry(a, b), cac: entry(a, d),
                                           cbc: entry(b, d)), "I3\((a, b, d))")
            }
            for (a, b, p, q) in Self.quadruples {
                let index = [a, b, p, q]
                check(GaussianIntegrals.i4(g, covariance: (0..<16).map { entry(index[$0 / 4], index[$0 % 4]) }), "I4\((a, b, p, q))")
            }
        }
    }

    /// FastArcsine against the C library: within 4 ulp (measured: 2) everywhere in [−1, 1],
    /// including the branch point ±½, the ends ±1 and arguments a rounding error outside.
    @Test func fastArcsineMatchesLibrary() {
        var g = Xoshiro256StarStar(seed: 7, stream: .teacher, counter: 0)
        var values = (0..<100_000).map { _ in 2 * g.uniform() - 1 }
        values += [0, -0.0, 1, -1, 0.5, -0.5, 0.5.nextUp, 0.5.nextDown, 1.0.nextDown, (-1.0).nextUp, (-0.5).nextUp, 1e-300, 1e-8, 0.999999999999]
        var results = values
        results.withUnsafeMutableBufferPointer { FastArcsine.apply($0.baseAddress!, count: $0.count) }
        var worst = (ulps: 0.0, x: 0.0)
        var scalarMismatches = 0
        for (x, fast) in zip(values, results) {
            let exact = Double.asin(x)
            let ulps = fast == exact ? 0 : abs(fast - exact) / max(exact.magnitude.ulp, Double.leastNormalMagnitude)
            if !worst.ulps.isNaN && !(ulps <= worst.ulps) { worst = (ulps, x) }  // a NaN sticks
            if FastArcsine.value(x) != fast { scalarMismatches += 1 }
        }
        #expect(worst.ulps <= 4, "asin(\(worst.x)) is \(worst.ulps) ulp off")
        #expect(scalarMismatches == 0)
        #expect(FastArcsine.value(1 + 1e-15) == Double.pi / 2)
        #expect(FastArcsine.value(-1 - 1e-15) == -Double.pi / 2)
        print("FastArcsine: largest deviation from asin \(worst.ulps) ulp at \(worst.x)")
    }
}

/// Calls `body` with `count` samples of a zero-mean Gaussian vector with covariance c
/// (row-major, positive semi-definite), drawn by Cholesky factorisation.
func forEachGaussianSample(_ c: [Double], count: Int, seed: UInt64, _ body: ([Double]) -> Void) {
    let n = Int(Double(c.count).squareRoot())
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0...i {
            var s = c[i * n + j]
            for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
            l[i * n + j] = i == j ? max(0, s).squareRoot() : (l[j * n + j] > 0 ? s / l[j * n + j] : 0)
        }
    }
    var g = Xoshiro256StarStar(seed: seed, stream: .testSample, counter: 0)
    var z = [Double](repeating: 0, count: n), x = z
    for _ in 0..<count {
        for i in 0..<n { z[i] = Ziggurat.normal(&g) }
        for i in 0..<n {
            var s = 0.0
            for k in 0...i { s += l[i * n + k] * z[k] }
            x[i] = s
        }
        body(x)
    }
}
