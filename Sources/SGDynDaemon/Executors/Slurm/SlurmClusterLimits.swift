/// What the cluster allows, read from `scontrol show config` (never assumed): how many tasks one
/// array may have, how many jobs the controller holds in all, and how long it remembers a finished
/// one. A submission of more tasks than these is split into several arrays by the scheduler.
struct SlurmClusterLimits: Sendable, Equatable {
    /// `MaxArraySize`: array indices run from 0 to this − 1, so one array has at most this many tasks.
    var maxArraySize: Int
    /// `MaxJobCount`: job records the controller holds (every started array task is one).
    var maxJobCount: Int
    /// `MinJobAge`: seconds a finished job stays visible (nil when not printed).
    var minJobAge: Int?

    /// The share of `MaxJobCount` one sgdyn daemon fills with its tasks: half, so other users (and
    /// the records of finished tasks kept for `MinJobAge`) keep room; sbatch over the limit does
    /// not fail but sleeps and retries, which would look like a hung controller.
    var taskBudget: Int { max(1, maxJobCount / 2) }

    /// Tasks of one array: at most `MaxArraySize` (indices 0 … MaxArraySize − 1).
    var tasksPerArray: Int { max(1, maxArraySize) }

    /// Reads `scontrol show config` (lines `Name = value`). Nil when either limit is missing, so an
    /// answer that is not the config is never taken for limits.
    static func parse(scontrolShowConfig output: String) -> SlurmClusterLimits? {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            values[key] = value
        }
        // "MinJobAge = 300 sec"; the two maxima are plain numbers.
        func number(_ key: String) -> Int? { values[key].flatMap { Int($0.split(separator: " ").first ?? "") } }
        guard let arraySize = number("MaxArraySize"), let jobCount = number("MaxJobCount"), arraySize > 0, jobCount > 0 else { return nil }
        return SlurmClusterLimits(maxArraySize: arraySize, maxJobCount: jobCount, minJobAge: number("MinJobAge"))
    }
}
