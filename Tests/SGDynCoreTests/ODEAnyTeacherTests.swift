import RealModule
import Testing
@testable import SGDynCore

/// The erf- and linear-student terms for any teacher (ODERightHandSide+AnyTeacher) against
/// independent evaluations: the existing closed forms when the teacher has the student's
/// activation, and for other teachers I3, I4 evaluated by conditioning the other way round
/// (on the teacher-side fields first, the student's Gaussian g' averaged in closed form) with
/// nested `GaussianLine` quadrature over those fields.
@Suite struct ODEAnyTeacherTests {
    static let teachers: [Activation] = [.relu, .sign, .tanh, .he3, .quadratic, .softplus,
                                         .hermite(HermiteExpansion(coefficients: [0.2, 0.5, -0.3, 0.7, 0, 0, 0.1]))]

    /// Fills the workspace's covariance from `op` and returns the RHS.
    func prepared(_ student: Activation, _ teacher: Activation, _ op: OrderParameters, train: Bool = true) -> ODERightHandSide {
        let p = ODEParameters(activation: student, teacherActivation: teacher, learningRate: 0.7, noise: 0.2, trainSecondLayer: train)
        let rhs = ODERightHandSide(parameters: p, fixed: op)
        let y = rhs.layout.pack(op)
        var dy = [Double](repeating: 0, count: y.count)
        y.withUnsafeBufferPointer { yb in dy.withUnsafeMutableBufferPointer { rhs.evaluate(yb.baseAddress!, $0.baseAddress!) } }
        return rhs
    }

    func snapshot(_ w: ODEWorkspace.View) -> [Double] {
        (0..<(w.K * w.D)).map { w.s3[$0] } + (0..<w.pairs).map { w.s4[$0] } + (0..<w.pairs).map { w.j2[$0] } + (0..<w.K).map { w.s2[$0] }
    }

    /// With the student's own activation as teacher the general terms are the closed forms'
    /// (the arcsine in `erfTerms` is FastArcsine, ≤ 4 ulp: 1e-13 relative to the largest term).
    @Test func reducesToTheClosedForms() {
        for seed in UInt64(0)..<3 {
            let op = randomOrderParameters(K: 3, M: 2, seed: 70 + seed)
            let erf = prepared(.erf, .erf, op)
            ODERightHandSide.erfTerms(erf.w, secondLayer: true)
            let closed = snapshot(erf.w)
            ODERightHandSide.erfStudentTerms(erf.w, teacher: .erf, secondLayer: true)
            let general = snapshot(erf.w)
            let scale = closed.map(abs).max()!
            for (a, b) in zip(closed, general) { #expect(abs(a - b) <= 1e-13 * scale, "erf: \(a) vs \(b)") }

            let linear = prepared(.linear, .linear, op)
            ODERightHandSide.linearTerms(linear.w, secondLayer: true)
            let linearClosed = snapshot(linear.w)
            ODERightHandSide.linearStudentTerms(linear.w, teacher: .linear, secondLayer: true)
            let linearGeneral = snapshot(linear.w)
            let linearScale = linearClosed.map(abs).max()!
            for (a, b) in zip(linearClosed, linearGeneral) { #expect(abs(a - b) <= 1e-13 * linearScale, "linear: \(a) vs \(b)") }
        }
    }

    /// Σ_cd u_c u_d I4(i,k,c,d) and Σ_c u_c I3(i,b,c) of the RHS against the same sums of
    /// independently evaluated integrals, on random and on nearly singular covariances (a
    /// student unit almost parallel to a teacher unit). Tolerance 1e-9 relative to the largest
    /// term for smooth teachers, 1e-7 for kinked ones (docs/science.md).
    @Test(arguments: teachers)
    func erfStudentMatchesIndependentIntegrals(_ teacher: Activation) {
        var cases = [randomOrderParameters(K: 2, M: 2, seed: 90), randomOrderParameters(K: 2, M: 2, seed: 91)]
        // Student 0 = teacher 0 plus a 1e-4 perturbation: C restricted to them is nearly singular.
        var g = Xoshiro256StarStar(seed: 93, stream: .student, counter: 1)
        var vectors = (0..<4).map { _ in (0..<6).map { _ in Double(g.next() % 2001) / 1000 - 1 } }
        vectors[0] = zip(vectors[2], vectors[0]).map { $0 + 1e-4 * $1 }
        func dot(_ a: Int, _ b: Int) -> Double { zip(vectors[a], vectors[b]).map { $0 * $1 }.reduce(0, +) / 2 }
        let nearly = OrderParameters(K: 2, M: 2, Q: [dot(0, 0), dot(0, 1), dot(1, 0), dot(1, 1)],
                                     R: [dot(0, 2), dot(0, 3), dot(1, 2), dot(1, 3)], T: [dot(2, 2), dot(2, 3), dot(3, 2), dot(3, 3)],
                                     v: [0.8, -0.5], vstar: [1, 0.7])
        cases.append(nearly)
        for op in cases {
            let rhs = prepared(.erf, teacher, op, train: false)
            let w = rhs.w, K = w.K, D = w.D
            let C = op.covariance
            let u = (0..<K).map { -op.v[$0] } + op.vstar
            let tolerance = teacher.declaration.kink == .none ? 1e-9 : 1e-7
            var pair = 0
            for i in 0..<K {
                for k in i..<K {
                    var terms: [Double] = []
                    for c in 0..<D { for d in 0..<D {
                        terms.append(u[c] * u[d] * Self.independentI4(C, D, K, i, k, c, d, teacher))
                    } }
                    let expected = terms.reduce(0, +), scale = terms.map(abs).max()!
                    #expect(abs(w.s4[pair] - expected) <= tolerance * scale, "\(teacher) I4 (\(i),\(k)): \(w.s4[pair]) vs \(expected)")
                    pair += 1
                }
                for b in 0..<D {
                    let terms = (0..<D).map { c in u[c] * Self.independentI3(C, D, K, i, b, c, teacher) }
                    let expected = terms.reduce(0, +), scale = terms.map(abs).max()!
                    #expect(abs(w.s3[i * D + b] - expected) <= tolerance * scale, "\(teacher) I3 (\(i),\(b)): \(w.s3[i * D + b]) vs \(expected)")
                }
            }
        }
    }

    /// Lower Cholesky factor of the covariance of `fields` (semi-definite: a pivot ≤ 1e-14 of its
    /// diagonal gives a zero column).
    static func cholesky(_ C: [Double], _ D: Int, _ fields: [Int]) -> [[Double]] {
        let n = fields.count
        var L = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for r in 0..<n {
            for s in 0...r {
                var sum = C[fields[r] * D + fields[s]]
                for t in 0..<s { sum -= L[r][t] * L[s][t] }
                if r == s {
                    L[r][r] = sum > 1e-14 * C[fields[r] * D + fields[r]] ? sum.squareRoot() : 0
                } else {
                    L[r][s] = L[s][s] > 0 ? sum / L[s][s] : 0
                }
            }
        }
        return L
    }

    /// E[g'(a)g'(b)g_c(c)g_d(d)] for erf g' (student fields a = i, b = k): (c, d) = L·(x, y),
    /// (a, b) | (x, y) Gaussian with mean μ and covariance S, E[e^{−(a²+b²)/2} | x, y] in closed
    /// form, then nested quadrature over x and y.
    static func independentI4(_ C: [Double], _ D: Int, _ K: Int, _ i: Int, _ k: Int, _ c: Int, _ d: Int, _ teacher: Activation) -> Double {
        let L = cholesky(C, D, [c, d, i, k])
        let gc = c < K ? Activation.erf : teacher, gd = d < K ? Activation.erf : teacher
        // Conditional covariance of (a, b) given (x, y): rows 2, 3 of L beyond column 1.
        let s00 = L[2][2] * L[2][2], s01 = L[2][2] * L[3][2], s11 = L[3][2] * L[3][2] + L[3][3] * L[3][3]
        let m00 = 1 + s00, m11 = 1 + s11, m01 = s01
        let det = m00 * m11 - m01 * m01
        return (2 / Double.pi) / det.squareRoot() * GaussianLine.expectation(center: 0, width: 1e-3) { x in
            let cv = L[0][0] * x
            let ga = gc.value(cv)
            if ga == 0 { return 0 }
            let centre = L[1][1] > 0 ? -L[1][0] * x / L[1][1] : 0
            return ga * GaussianLine.expectation(center: centre, width: 1e-3) { y in
                let dv = L[1][0] * x + L[1][1] * y
                let ma = L[2][0] * x + L[2][1] * y, mb = L[3][0] * x + L[3][1] * y
                let quadratic = (m11 * ma * ma - 2 * m01 * ma * mb + m00 * mb * mb) / det
                return gd.value(dv) * Double.exp(-0.5 * quadratic)
            }
        }
    }

    /// E[g'(a)·b·g_c(c)] for erf g' (a = i): (c, b) = L·(x, y), a | (x, y) Gaussian with mean μ,
    /// variance s²; E[g'(a) | x, y] = √(2/π)·e^{−μ²/(2(1+s²))}/√(1+s²).
    static func independentI3(_ C: [Double], _ D: Int, _ K: Int, _ i: Int, _ b: Int, _ c: Int, _ teacher: Activation) -> Double {
        let L = cholesky(C, D, [c, b, i])
        let gc = c < K ? Activation.erf : teacher
        let s2 = L[2][2] * L[2][2]
        return (2 / Double.pi).squareRoot() / (1 + s2).squareRoot() * GaussianLine.expectation(center: 0, width: 1e-3) { x in
            let cv = L[0][0] * x
            let g = gc.value(cv)
            if g == 0 { return 0 }
            return g * GaussianLine.expectation(center: 0, width: 1) { y in
                let bv = L[1][0] * x + L[1][1] * y
                let mu = L[2][0] * x + L[2][1] * y
                return bv * Double.exp(-0.5 * mu * mu / (1 + s2))
            }
        }
    }

    /// A mixed pair survives a checkpoint: the snapshot stores both tags, and the restored
    /// integration continues bit for bit. An equal pair keeps the old one-byte encoding.
    @Test func mixedPairSnapshotRoundTrip() throws {
        let op = randomOrderParameters(K: 2, M: 2, seed: 7)
        let p = ODEParameters(activation: .erf, teacherActivation: .relu, learningRate: 0.5, noise: 0.01)
        var a = try ODEIntegration(parameters: p, initial: op, times: [0, 0.5, 1, 2], method: .standard)
        a.advance(maxSteps: 3)
        var b = try ODEIntegration(snapshot: a.snapshot())
        #expect(b.snapshot() == a.snapshot())
        a.advance(maxSteps: 1000)
        b.advance(maxSteps: 1000)
        #expect(a.snapshot() == b.snapshot())
        var w = ByteWriter()
        w.write(odeParameters: p)
        #expect(w.bytes.first == 0x80 | Activation.erf.declaration.tag && w.bytes[1] == Activation.relu.declaration.tag)
        var same = ByteWriter()
        same.write(odeParameters: ODEParameters(activation: .relu))
        #expect(same.bytes.first == 1)
    }
}
