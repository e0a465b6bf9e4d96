import SGDynCore

/// CSV files of trajectories (jobs.md): a header row, then one row per output time. The first
/// columns are `t,eg`, then Q (upper triangle, row-major: Q11,Q12,…,Q22,…), R (K×M row-major),
/// v; then the optional columns `et` (training error), `eg_mc` (Monte-Carlo ε_g), `cerr` and
/// `cerr_train` (classification errors on the test and training sets) and `step`.
/// Numbers are written in the shortest form that reads back to the same Double.
public enum TrajectoryCSV {
    public static func header(K: Int, M: Int, trainingError: Bool, monteCarlo: Bool, classification: Bool = false,
                              trainingClassification: Bool = false, steps: Bool) -> String {
        var columns = ["t", "eg"]
        for i in 0..<K { for k in i..<K { columns.append("Q\(i + 1)\(separator(K))\(k + 1)") } }
        for i in 0..<K { for n in 0..<M { columns.append("R\(i + 1)\(separator(max(K, M)))\(n + 1)") } }
        for i in 0..<K { columns.append("v\(i + 1)") }
        if trainingError { columns.append("et") }
        if monteCarlo { columns.append("eg_mc") }
        if classification { columns.append("cerr") }
        if trainingClassification { columns.append("cerr_train") }
        if steps { columns.append("step") }
        return columns.joined(separator: ",")
    }

    /// Indices run together (Q12) below 10 units, as in the reference files; with 10 or more
    /// they are separated (Q1_12) so that column names stay unambiguous.
    private static func separator(_ size: Int) -> String { size >= 10 ? "_" : "" }

    /// One row: time, ε_g and the order parameters, then the optional values.
    public static func row(t: Double, eg: Double, _ op: OrderParameters, extras: [String] = []) -> String {
        var fields = [format(t), format(eg)]
        for i in 0..<op.K { for k in i..<op.K { fields.append(format(op.q(i, k))) } }
        fields += op.R.map(format)
        fields += op.v.map(format)
        fields += extras
        return fields.joined(separator: ",")
    }

    /// The CSV of a simulation's records.
    public static func simulation(_ records: [SimulationRecord], K: Int, M: Int) -> String {
        let training = records.contains { $0.trainingError != nil }
        let monteCarlo = records.contains { $0.monteCarloError != nil }
        let classification = records.contains { $0.classificationError != nil }
        let trainingClassification = records.contains { $0.trainingClassificationError != nil }
        var lines = [header(K: K, M: M, trainingError: training, monteCarlo: monteCarlo, classification: classification,
                            trainingClassification: trainingClassification, steps: true)]
        for r in records {
            var extras: [String] = []
            if training { extras.append(r.trainingError.map(format) ?? "") }
            if monteCarlo { extras.append(r.monteCarloError.map(format) ?? "") }
            if classification { extras.append(r.classificationError.map(format) ?? "") }
            if trainingClassification { extras.append(r.trainingClassificationError.map(format) ?? "") }
            extras.append(String(r.step))
            lines.append(row(t: r.t, eg: r.eg, r.orderParameters, extras: extras))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func format(_ x: Double) -> String { x.isFinite ? "\(x)" : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf")) }
}
