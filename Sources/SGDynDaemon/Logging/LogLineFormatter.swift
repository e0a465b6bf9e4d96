#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// Turns one log record into exactly one line: `<N>` syslog-priority prefix for the journal (which
/// adds its own timestamp), or timestamp and level for a terminal or file. Embedded newlines and
/// other control characters are escaped, metadata follows as key=value with `job` first.
public struct LogLineFormatter: Sendable {
    /// The two line shapes.
    public enum Style: Sendable, Equatable {
        /// `<6>[label] message job=x key=value`
        case journal
        /// `2025-01-31T12:00:00.000Z info     [label] message job=x key=value`
        case plain
    }

    public var style: Style

    public init(style: Style) { self.style = style }

    /// syslog priority for a level, as journald reads it from the `<N>` prefix.
    public static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }

    public func format(
        level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, timestamp: Date
    ) -> String {
        let prefix: String
        switch style {
        case .journal:
            prefix = "<\(Self.syslogPriority(level))>"
        case .plain:
            prefix = Self.iso8601(timestamp) + " " + level.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + " "
        }
        return prefix + Self.body(label: label, message: message, metadata: metadata)
    }

    /// The line without its prefix, `[label] message job=x key=value`: also the MESSAGE of a
    /// native journal entry, so both paths read the same in `journalctl`.
    public static func body(label: String, message: String, metadata: Logger.Metadata) -> String {
        var body = "[" + escaped(label) + "] " + escaped(message)
        for (key, value) in ordered(metadata) {
            body += " " + escaped(key) + "=" + rendered(value)
        }
        return body
    }

    /// `job` first (job lines must name the job), then the rest by key for stable output.
    static func ordered(_ metadata: Logger.Metadata) -> [(String, Logger.MetadataValue)] {
        metadata.sorted { lhs, rhs in
            if (lhs.key == "job") != (rhs.key == "job") { return lhs.key == "job" }
            return lhs.key < rhs.key
        }
    }

    /// A metadata value, quoted when it would otherwise be ambiguous to split on spaces or '='.
    static func rendered(_ value: Logger.MetadataValue) -> String {
        let text = plainText(value)
        let needsQuotes = text.isEmpty || text.contains { $0 == " " || $0 == "=" || $0 == "\"" }
        guard needsQuotes else { return escaped(text) }
        return "\"" + escaped(text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")) + "\""
    }

    /// A metadata value as text, unquoted and unescaped (a journal field keeps the exact value).
    static func plainText(_ value: Logger.MetadataValue) -> String {
        switch value {
        case let .string(string): string
        case let .stringConvertible(convertible): convertible.description
        case .array, .dictionary: value.description
        }
    }

    /// Control characters (a newline would split the record) and Unicode line separators as
    /// visible escapes; this also keeps hostile file names from injecting terminal sequences.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where needsEscape(scalar):
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x85 || scalar.value == 0x2028
            || scalar.value == 0x2029
    }

    /// UTC, millisecond precision, without DateFormatter (not cheap, and not needed for one format).
    static func iso8601(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds.floorDivided(by: 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { String(value).leftPadded(to: 2) }
        return String(parts.tm_year + 1900) + "-" + two(parts.tm_mon + 1) + "-" + two(parts.tm_mday) + "T"
            + two(parts.tm_hour) + ":" + two(parts.tm_min) + ":" + two(parts.tm_sec) + "."
            + String(milliseconds - milliseconds.floorDivided(by: 1000) * 1000).leftPadded(to: 3) + "Z"
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
