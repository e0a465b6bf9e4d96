/// Escaping for the HTML pages sgdyn writes (bundle pages and the outbox index). Everything a
/// user or another program controls — job names, descriptions, error messages, folder names,
/// log lines — goes through here: the outbox is read by a whole group, so a description with
/// `<script>` or quotes must show as text, never become markup.
public enum HTML {
    /// Text for element content and for double- or single-quoted attribute values: `&`, `<`,
    /// `>`, `"` and `'` become character references; control characters other than tab, line
    /// feed and carriage return (which HTML forbids) become U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || (0xFDD0...0xFDEF).contains(scalar.value) || scalar.value & 0xFFFE == 0xFFFE:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A relative URL for a path inside the outbox (`NAME/K=4_lr=0.5/eg.svg`), ready for an
    /// `href` or `src` attribute: each segment is percent-encoded (so `#`, `?`, `%`, quotes,
    /// spaces or `<` in a folder name still name that folder), `/` separates segments. Browsers
    /// treat `..` as "up" even when encoded, so paths from files go through `isSafeRelativePath`
    /// first.
    public static func url(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            var out = ""
            for byte in segment.utf8 {
                if isUnreservedInPath(byte) {
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
                }
            }
            return out
        }.joined(separator: "/")
    }

    /// True for a relative path that stays inside its folder: not empty, not absolute, no `.`,
    /// `..` or empty segment, no backslash or control character. Paths read from a bundle's own
    /// files (its plots) must pass this before they become links.
    public static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/") else { return false }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\\" }) { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// Letters, digits and `-._~` (RFC 3986 unreserved) plus `=` and `,`, which sweep folders
    /// use (`K=4_lr=0.5`) and which mean nothing special in a path.
    private static func isUnreservedInPath(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "="), UInt8(ascii: ","):
            return true
        default:
            return false
        }
    }

    /// `text` cut to at most `limit` characters, with an ellipsis when cut (before escaping, so
    /// an entity is never cut in half).
    public static func truncated(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 1))) + "…"
    }
}
