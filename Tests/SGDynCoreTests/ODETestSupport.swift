import Foundation
import SGDynCore

/// The reference ODE trajectory in Tests/Fixtures/erf-K2-M2-ode (its README says where it comes from).
struct ODEReference {
    struct Initial: Decodable {
        let activation: String
        let K: Int, M: Int
        let lr: Double, lr2: Double, sigma: Double, weight_decay: Double
        let train_second_layer: Bool
        let Q: [[Double]], R: [[Double]], T: [[Double]]
        let v: [Double], vstar: [Double]
    }

    let initial: Initial
    /// Columns t, eg, Q11, Q12, Q22, R11, R12, R21, R22, vstar1, vstar2, v1, v2.
    let rows: [[Double]]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/erf-K2-M2-ode").standardizedFileURL

    static func load() throws -> ODEReference {
        let json = try Data(contentsOf: directory.appendingPathComponent("initial.json"))
        let initial = try JSONDecoder().decode(Initial.self, from: json)
        let text = try String(contentsOf: directory.appendingPathComponent("trajectory.csv"), encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        return ODEReference(initial: initial, rows: rows)
    }

    var parameters: ODEParameters {
        ODEParameters(activation: Activation(rawValue: initial.activation)!, learningRate: initial.lr,
                      secondLayerLearningRate: initial.lr2, noise: initial.sigma, weightDecay: initial.weight_decay,
                      trainSecondLayer: initial.train_second_layer)
    }

    func orderParameters() throws -> OrderParameters {
        try ODEInitialConditions.explicit(Q: initial.Q, R: initial.R, T: initial.T, v: initial.v, vstar: initial.vstar)
    }
}

/// Erf, K = M = 2, the reference's parameters (η = 0.5, σ = 0.01), from its initial conditions.
func referenceProblem() throws -> (ODEParameters, OrderParameters) {
    let reference = try ODEReference.load()
    return (reference.parameters, try reference.orderParameters())
}

/// The largest relative deviation of ε_g between two results at the same output times,
/// restricted to t in `range`.
func largestRelativeEgDifference(_ a: ODEResult, _ b: ODEResult, in range: ClosedRange<Double> = 0...Double.infinity) -> (relative: Double, t: Double) {
    var worst = (relative: 0.0, t: 0.0)
    for (x, y) in zip(a.records, b.records) where range.contains(x.t) {
        let relative = abs(x.eg - y.eg) / abs(y.eg)
        if relative > worst.relative { worst = (relative, x.t) }
    }
    return worst
}

/// A deterministic random covariance of `n` fields: the Gram matrix of n random vectors in
/// `dimension` dimensions, each scaled by a random factor in [0.5, 1.5].
func randomCovariance(_ n: Int, seed: UInt64, dimension: Int = 6) -> [Double] {
    var g = Xoshiro256StarStar(seed: seed, stream: .teacher, counter: 99)
    var vectors = [[Double]]()
    for _ in 0..<n {
        let scale = 0.5 + g.uniform()
        vectors.append((0..<dimension).map { _ in scale * Ziggurat.normal(&g) / Double(dimension).squareRoot() })
    }
    var c = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { c[i * n + j] = zip(vectors[i], vectors[j]).map { $0 * $1 }.reduce(0, +) } }
    return c
}
