import SGDynCore

/// The tables of docs/job-files.md, rendered from the schema so that the page cannot drift from
/// what the parser does (`JobSchemaTests` compares them).
extension JobSchema {
    /// The table of top-level keys.
    static var keysTable: String { table(fields, sweepColumn: true) }

    /// The table of the keys of `ode`.
    static var odeTable: String { table(odeFields, sweepColumn: false) }

    /// The table of the keys of `data`.
    static var dataTable: String { table(dataFields, sweepColumn: false) }

    /// The table of the keys of `slurm`.
    static var slurmTable: String { table(slurmFields, sweepColumn: false) }

    /// The table of the keys of `initial`.
    static var initialTable: String {
        (["| key | meaning |", "|---|---|"] + initialKeys.map { "| `\($0.name)` | \(cell($0.meaning)) |" }).joined(separator: "\n") + "\n"
    }

    /// The table of activations, from their declarations (`Activation`): what a job may name in
    /// `activation`, `teacher_activation` and `student_activation`.
    static var activationsTable: String {
        // The named activations, then the Hermite expansion (`teacher_activation` only).
        let expansion = Activation.hermite(HermiteExpansion(coefficients: [0, 0, 0, 1]))
        let rows = (Activation.allCases + [expansion]).map { g -> String in
            let d = g.declaration
            let kink = d.kink == .none ? "smooth" : (d.kink == .step ? "step at 0" : "kink at 0")
            let ode: String
            if !d.studentAllowed {
                ode = "as teacher, with any student"
            } else if [.erf, .relu, .linear].contains(g) {
                ode = "yes, with any teacher (closed forms with itself)"
            } else if d.polynomial != nil {
                ode = "yes, with any teacher (exact Gauss–Hermite with a polynomial teacher)"
            } else {
                ode = "with a smooth teacher: one joint quadrature up to K + M = 5 (tanh; ms per right-hand side), beyond it by conditioning on two student units (cost ∝ K²(K + M)²: tanh K = M = 4 ≈ 4 ms, within the cost bound up to K = M = 13); with a ReLU or sign teacher up to K + M = 4 (the teachers' levels first, split at their kinks); refused by the cost bound otherwise (nested quadrature, seconds per right-hand side)"
            }
            if g.isHermiteExpansion {
                return "| `{\"hermite\": [c0, c1, …]}` (label `Hermite(c0, c1, …)`) | \(cell(d.formula)) | from the coefficients | smooth | no | \(ode) |"
            }
            return "| `\(g.rawValue)` | \(cell(d.formula)) | \(d.parity.rawValue) | \(kink) | \(d.studentAllowed ? "yes" : "no") | \(ode) |"
        }
        return (["| name | g(x) | parity | smoothness | student | `ode` and `compare` |", "|---|---|---|---|---|---|"] + rows)
            .joined(separator: "\n") + "\n"
    }

    /// The table of `JobLimits`, with the key a rejection usually names.
    static var limitsTable: String {
        let rows: [(String, String, String)] = [
            ("runs (sweep points × seeds)", "\(JobLimits.maxRuns)", "`seeds`, `sweep`"),
            ("memory of one run: a simulation's weights, samples, all its records and a checkpoint being made; an ODE integration's records and its result being written", JobLimits.format(JobLimits.maxBytesPerRun), "`N`, `K`, `M`, `batch_size`, `training_set`, `points`"),
            ("one checkpoint (a simulation's W and all records; an ODE integration's records, also its result)", JobLimits.format(JobLimits.maxSnapshotBytes), "`N`, `K`, `M`, `points`"),
            ("ODE workspace (grows like (K+M)²)", JobLimits.format(JobLimits.maxODEWorkspaceBytes), "`K`, `M`"),
            ("one evaluation of the ODE right-hand side (estimated, one core)", JobLimits.formatSeconds(JobLimits.maxODEEvaluationSeconds), "`K`, `M`"),
            ("every record of the job (held while the bundle is made)", JobLimits.format(JobLimits.maxJobRecordBytes), "`seeds`, `sweep`, `points`, `K`, `M`"),
            ("result bundle (estimated from above)", JobLimits.format(JobLimits.maxBundleBytes), "`seeds`, `sweep`, `points`, `K`, `M`"),
            ("making the bundle: every record, every file, the largest file twice more", JobLimits.format(JobLimits.maxPublishBytes), "`seeds`, `sweep`, `points`, `K`, `M`"),
            ("SGD steps of one run (t_max·N)", "2^50", "`t_max`"),
            ("output times (`points`)", "\(JobLimits.maxPoints)", "`points`"),
            ("hidden units (`K`, `M`)", "\(JobLimits.maxUnits)", "`K`, `M`"),
            ("Monte-Carlo test set", "\(JobLimits.maxTestSet)", "`mc_test_set`"),
            ("training set (α·N samples)", "2147483647", "`training_set`"),
        ]
        return (["| limit | value | key usually named |", "|---|---|---|"] + rows.map { "| \($0.0) | \($0.1) | \($0.2) |" })
            .joined(separator: "\n") + "\n"
    }

    static func table<Target>(_ fields: [JobField<Target>], sweepColumn: Bool) -> String {
        var lines = sweepColumn
            ? ["| key | type and range | default | sweepable | meaning |", "|---|---|---|---|---|"]
            : ["| key | type and range | default | meaning |", "|---|---|---|---|"]
        for f in fields {
            let cells = ["`\(f.name)`", cell(f.type), cell(f.defaultText)] + (sweepColumn ? [f.sweepable ? "yes" : "no"] : []) + [cell(f.meaning)]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
