/// Which folder a bundle is published as, given the outbox's entries: pure functions, so the rule
/// is the same for the daemon, `sgdyn run` and the tests.
///
/// - `NAME` when it is free.
/// - `NAME-2`, `NAME-3`, … (the first free) when `NAME` is taken by a bundle of the same
///   submitter, or by one that records no submitter (`sgdyn run`, older daemons).
/// - `NAME~USER` (then `NAME~USER-2`, …) when `NAME` is another submitter's bundle: a name is never
///   numbered into someone else's series, and since `~` cannot occur in a job name, no job can
///   take `NAME~USER` away from USER.
/// - Names the outbox itself uses (`index.html`, the morning page) are never taken: such a job's
///   bundle is `index.html-2`.
public enum BundleNaming {
    /// Entries of the outbox that belong to the outbox, not to a bundle.
    public static let reserved: Set<String> = ["index.html"]
    /// Between a bundle's name and its submitter's in `NAME~USER`; not allowed in job names.
    public static let submitterSeparator = "~"

    /// The folder for a bundle `name` of `submitter` (nil: not recorded), where `entries` are the
    /// outbox's entries and `owner` reads the submitter recorded in an entry's manifest.
    public static func folderName(for name: String, submitter: String?, entries: Set<String>,
                                  owner: (String) -> String?) -> String {
        var base = name
        if let submitter, entries.contains(name), let holder = owner(name), holder != submitter {
            base = personalName(name, submitter: submitter)
        }
        return firstFree(base, in: entries)
    }

    /// `NAME~USER`, the user name's bytes outside `[A-Za-z0-9._-]` replaced by `_`.
    public static func personalName(_ name: String, submitter: String) -> String {
        let user = String(submitter.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        }.prefix(64))
        return name + submitterSeparator + (user.isEmpty ? "_" : user)
    }

    /// The first of `name`, `name-2`, `name-3`, … not among `entries` nor reserved. There is no
    /// upper bound: with n names taken, one of the first n + 1 candidates is free.
    public static func firstFree(_ name: String, in entries: Set<String>) -> String {
        let taken = takenNames(name, in: entries).union(reserved)
        if !taken.contains(name) { return name }
        var number = 2
        while taken.contains("\(name)-\(number)") { number += 1 }
        return "\(name)-\(number)"
    }

    /// The entries named `name` or `name-N` (N ≥ 2, decimal).
    public static func takenNames(_ name: String, in entries: Set<String>) -> Set<String> {
        entries.filter { $0 == name || suffixNumber($0, of: name) != nil }
    }

    /// N of `name-N` (N ≥ 2), 1 for `name` itself, nil for anything else.
    public static func suffixNumber(_ entry: String, of name: String) -> Int? {
        if entry == name { return 1 }
        guard entry.hasPrefix(name + "-") else { return nil }
        let digits = entry.dropFirst(name.count + 1)
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              digits.first != "0", let number = Int(digits), number >= 2 else { return nil }
        return number
    }
}
