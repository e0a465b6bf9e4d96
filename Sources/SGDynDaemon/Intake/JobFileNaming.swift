/// The inbox's naming rules: which entries are job files, cancel requests, ignored, or refused for
/// an unsafe name. Pure functions of the name, so they are the same for the scanner and tests.
public enum JobFileNaming {
    /// The job-name part of `NAME.json`: `[A-Za-z0-9._-]{1,64}`, no leading dot.
    public static let maximumNameLength = 64
    public static let jobSuffix = ".json"
    public static let cancelSuffix = ".cancel"
    /// Suffixes of files still being written by the drop protocol or an editor.
    public static let temporarySuffixes = [".tmp", ".part", ".swp"]

    /// What an inbox entry's name says it is.
    public enum Classification: Sendable, Equatable {
        /// `NAME.json` with a safe NAME.
        case job(name: String)
        /// `NAME.cancel` with a safe NAME: cancel the job NAME.
        case cancel(name: String)
        /// Not for the daemon (dot-file, temporary file, other names); `reason` says which.
        case ignored(reason: String)
        /// Looks like a job or cancel file but its name is unsafe; `reason` says why.
        case unsafe(reason: String)
    }

    public static func classify(_ entry: InboxEntryName) -> Classification {
        let bytes = entry.bytes
        if bytes.first == UInt8(ascii: ".") { return .ignored(reason: "dot-file (a drop still in progress)") }
        for suffix in temporarySuffixes where bytes.hasSuffix(Array(suffix.utf8)) {
            return .ignored(reason: "temporary file (\(suffix))")
        }
        let kind: (suffix: String, make: (String) -> Classification)
        if bytes.hasSuffix(Array(jobSuffix.utf8)) {
            kind = (jobSuffix, { .job(name: $0) })
        } else if bytes.hasSuffix(Array(cancelSuffix.utf8)) {
            kind = (cancelSuffix, { .cancel(name: $0) })
        } else {
            return .ignored(reason: "not a job file (only NAME.json and NAME.cancel are read)")
        }
        let stem = Array(bytes.dropLast(kind.suffix.utf8.count))
        if let problem = nameProblem(stem) { return .unsafe(reason: problem) }
        return kind.make(String(decoding: stem, as: UTF8.self))
    }

    /// Why `stem` is not a safe job name, or nil when it is.
    public static func nameProblem(_ stem: [UInt8]) -> String? {
        guard String(validating: stem, as: UTF8.self) != nil else { return "the name is not valid UTF-8" }
        if stem.isEmpty { return "the name before the suffix is empty" }
        if stem.count > maximumNameLength {
            return "the name is \(stem.count) characters long; at most \(maximumNameLength) are allowed"
        }
        if stem.first == UInt8(ascii: ".") { return "the name starts with a dot" }
        if let bad = stem.first(where: { !isSafeNameByte($0) }) {
            let shown = bad >= 0x20 && bad < 0x7F ? "'\(Character(UnicodeScalar(bad)))'" : "byte 0x\(String(bad, radix: 16))"
            return "the name contains \(shown); only letters A-Z a-z, digits, '.', '_' and '-' are allowed"
        }
        return nil
    }

    static func isSafeNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}

extension Array where Element == UInt8 {
    func hasSuffix(_ suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
