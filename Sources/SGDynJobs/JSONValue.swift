/// A JSON document as parsed by `JSONParser`: objects keep their keys in file order (sweeps and
/// messages follow the order the user wrote), numbers keep their literal text (so `500` and
/// `500.0` can be told apart from `"500"` and integers are never rounded through a Double).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: return false
        }
    }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// The value as it would appear in the job file (compact), for error messages.
    public var literal: String {
        var out = ""
        JSONWriter.write(self, to: &out, indent: nil, level: 0)
        return out.count > 60 ? String(out.prefix(57)) + "..." : out
    }

    /// A number value from a Double, written in the shortest form that reads back exactly.
    public static func double(_ value: Double) -> JSONValue {
        value.isFinite ? .number(JSONWriter.format(value)) : .null
    }

    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }
}

/// Serialises `JSONValue`s: pretty-printed with two-space indents for files people read.
public enum JSONWriter {
    public static func string(_ value: JSONValue, pretty: Bool = true) -> String {
        var out = ""
        write(value, to: &out, indent: pretty ? "  " : nil, level: 0)
        if pretty { out += "\n" }
        return out
    }

    /// Shortest round-trip decimal form of a finite Double (Swift's description), e.g. 0.1, 1e-05.
    public static func format(_ value: Double) -> String {
        "\(value)"
    }

    static func write(_ value: JSONValue, to out: inout String, indent: String?, level: Int) {
        let newline = indent == nil ? "" : "\n"
        let pad = { (l: Int) in indent.map { String(repeating: $0, count: l) } ?? "" }
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            let scalarOnly = items.allSatisfy { if case .array = $0 { return false }; if case .object = $0 { return false }; return true }
            if scalarOnly {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += indent == nil ? "," : ", " }
                    write(item, to: &out, indent: indent, level: level + 1)
                }
                out += "]"
                return
            }
            out += "[" + newline
            for (i, item) in items.enumerated() {
                out += pad(level + 1)
                write(item, to: &out, indent: indent, level: level + 1)
                out += (i < items.count - 1 ? "," : "") + newline
            }
            out += pad(level) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{" + newline
            for (i, member) in members.enumerated() {
                out += pad(level + 1)
                writeString(member.key, to: &out)
                out += indent == nil ? ":" : ": "
                write(member.value, to: &out, indent: indent, level: level + 1)
                out += (i < members.count - 1 ? "," : "") + newline
            }
            out += pad(level) + "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
