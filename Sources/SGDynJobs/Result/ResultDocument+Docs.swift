/// What is generated from `ResultDocument`'s field enums: the result.json table of
/// docs/job-files.md and scripts/result_fields.py, the names the Python checks read result.json
/// by. `ResultDocsTests` fails when either is stale; `SGDYN_UPDATE_DOCS=1` rewrites them.
extension ResultDocument {
    /// Every field with its place: `points[].runs[].final_eg`.
    static var fieldPaths: [(path: String, meaning: String)] {
        allFields.flatMap { object in
            object.fields.map { ((object.path.isEmpty ? "" : object.path + ".") + $0.name, $0.meaning) }
        }
    }

    /// The table of docs/job-files.md's result.json section.
    static var docsTable: String {
        var lines = ["| field | contents |", "|---|---|"]
        for (path, meaning) in fieldPaths {
            lines.append("| `\(path)` | \(meaning.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// scripts/result_fields.py: per kind of object its field names, and one constant per name.
    static var pythonModule: String {
        var out = """
            \"\"\"The field names of result.json, per kind of object, as `ResultDocument` writes them.

            Generated from Sources/SGDynJobs/Result/ResultDocument.swift (do not edit: run
            `SGDYN_UPDATE_DOCS=1 swift test --filter ResultDocsTests`); a Swift test fails when this file is
            stale. The scripts read result.json through these names, so a field renamed or removed there
            fails here by name (AttributeError) instead of reading as missing.
            \"\"\"

            FIELDS = {

            """
        for object in allFields {
            out += "    \"\(object.path)\": (" + object.fields.map { "\"\($0.name)\"" }.joined(separator: ", ") + ",),\n"
        }
        out += "}\n\n"
        var seen = Set<String>()
        for object in allFields {
            for field in object.fields where seen.insert(field.name).inserted {
                out += "\(field.name.uppercased()) = \"\(field.name)\"\n"
            }
        }
        return out
    }
}
