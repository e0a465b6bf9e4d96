/// Where a job asks to run on a Slurm cluster (job key `slurm`): a partition and a time limit per
/// unit. sgdyn only checks the syntax; the daemon checks the request against what its
/// configuration allows, and the local executor ignores it.
public struct SlurmRequest: Sendable, Equatable {
    /// `[A-Za-z0-9._-]{1,64}`.
    public var partition: String?
    /// Whole seconds > 0 (Slurm itself rounds up to minutes).
    public var timeLimitSeconds: Int?

    public init(partition: String? = nil, timeLimitSeconds: Int? = nil) {
        self.partition = partition
        self.timeLimitSeconds = timeLimitSeconds
    }

    /// The longest time limit a job may ask for: a year, far beyond any partition's, but small
    /// enough that no arithmetic on it can overflow.
    public static let maxTimeLimitSeconds = 365 * 86_400

    /// Seconds of a Slurm time string: "MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM",
    /// "D-HH:MM:SS". The first field may be any number of digits' worth (up to 9); the later
    /// ones must be below 24 (hours after days) or 60 (minutes, seconds). Nil when malformed.
    public static func seconds(fromTimeString text: String) -> Int? {
        let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard dayParts.count <= 2 else { return nil }
        let clock = dayParts.last!.split(separator: ":", omittingEmptySubsequences: false)
        var fields: [Int] = []
        for part in (dayParts.count == 2 ? [dayParts[0]] : []) + clock {
            guard (1...9).contains(part.utf8.count), part.utf8.allSatisfy({ (48...57).contains($0) }), let n = Int(part) else { return nil }
            fields.append(n)
        }
        if dayParts.count == 2 {
            // D-HH, D-HH:MM, D-HH:MM:SS
            guard (2...4).contains(fields.count), fields[1] < 24, fields.dropFirst(2).allSatisfy({ $0 < 60 }) else { return nil }
            let units = [86_400, 3_600, 60, 1]
            return zip(fields, units).reduce(0) { $0 + $1.0 * $1.1 }
        }
        switch fields.count {
        case 1: return fields[0] * 60                                  // MM
        case 2: return fields[1] < 60 ? fields[0] * 60 + fields[1] : nil  // MM:SS
        case 3: return fields[1] < 60 && fields[2] < 60 ? fields[0] * 3_600 + fields[1] * 60 + fields[2] : nil  // HH:MM:SS
        default: return nil
        }
    }

    /// "D-HH:MM:SS", the form the normalised job uses (Slurm reads it back as the same time).
    public static func timeString(seconds: Int) -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(seconds / 86_400)-\(two(seconds % 86_400 / 3_600)):\(two(seconds % 3_600 / 60)):\(two(seconds % 60))"
    }
}
