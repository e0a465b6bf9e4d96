/// The tables of docs/job-files.md, rendered from the schema so that the page cannot drift from
/// what the parser does (`JobSchemaTests` compares them).
extension JobSchema {
    /// The table of top-level keys.
    static var keysTable: String { table(fields, sweepColumn: true) }

    /// The table of the keys of `ode`.
    static var odeTable: String { table(odeFields, sweepColumn: false) }

    /// The table of the keys of `slurm`.
    static var slurmTable: String { table(slurmFields, sweepColumn: false) }

    /// The table of the keys of `initial`.
    static var initialTable: String {
        (["| key | meaning |", "|---|---|"] + initialKeys.map { "| `\($0.name)` | \(cell($0.meaning)) |" }).joined(separator: "\n") + "\n"
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
