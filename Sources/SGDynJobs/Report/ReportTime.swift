#if canImport(Glibc)
import Glibc
#endif

/// Times on the pages: result.json's ISO 8601 stamps read without a formatter (2,000 of them
/// per index), and shown in the reader's terms — local wall-clock time of the machine that
/// writes the index, with its UTC offset stated once.
enum ReportTime {
    /// Seconds since 1970 of `2025-06-01T02:03:04Z`, `…04.5Z` or `…04+02:00`; nil otherwise.
    static func parse(_ text: String) -> Double? {
        let b = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for byte in b[from..<(from + count)] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < b.count, (48...57).contains(b[i]) { fraction += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
        }
        var offset = 0
        if i < b.count, b[i] == UInt8(ascii: "Z") {
            i += 1
        } else if i + 6 == b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), b[i + 3] == UInt8(ascii: ":"),
                  let hours = digits(i + 1, 2), let minutes = digits(i + 4, 2) {
            offset = (hours * 3600 + minutes * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        return Double(daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `2025-06-01 04:03` in the local time zone.
    static func local(_ seconds: Double) -> String {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else { return "?" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min))"
    }

    /// `UTC+02:00`: the local zone's offset at `seconds`.
    static func zone(_ seconds: Double) -> String {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else { return "UTC" }
        let offset = Int(parts.tm_gmtoff)
        if offset == 0 { return "UTC" }
        return "UTC" + (offset < 0 ? "-" : "+") + two(Int32(abs(offset) / 3600)) + ":" + two(Int32(abs(offset) % 3600 / 60))
    }

    private static func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `2025-06-01 02:03:04 UTC` for result.json's `2025-06-01T02:03:04Z`; other text unchanged.
    static func readable(_ stamp: String) -> String {
        guard stamp.count == 20, stamp.hasSuffix("Z"), parse(stamp) != nil else { return stamp }
        return stamp.prefix(10) + " " + stamp.dropFirst(11).prefix(8) + " UTC"
    }

    /// A fraction as a percentage with three significant digits: `23.1 %`, `0.412 %`.
    static func percent(_ fraction: Double) -> String {
        let p = 100 * fraction
        guard p.isFinite else { return "\(p) %" }
        if abs(p) >= 100 { return "\(Int(p.rounded())) %" }
        if abs(p) >= 10 { return "\((p * 10).rounded() / 10) %" }
        if abs(p) >= 1 { return "\((p * 100).rounded() / 100) %" }
        return BundleReadme.short(p) + " %"
    }

    /// A duration as a person reads it: `42 s`, `12 min`, `3.5 h`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 10 { return "\((seconds * 10).rounded() / 10) s" }
        if seconds < 120 { return "\(Int(seconds.rounded())) s" }
        if seconds < 7200 { return "\(Int((seconds / 60).rounded())) min" }
        if seconds < 172_800 { return "\((seconds / 360).rounded() / 10) h" }
        return "\((seconds / 8640).rounded() / 10) d"
    }
}
