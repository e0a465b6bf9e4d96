/// Why a job file was rejected, phrased for the person who wrote it.
public struct JobError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What is wrong and what would be accepted.
    public var message: String
    /// The job key at fault, when one is (a sweep value names its key, e.g. "sweep.K").
    public var key: String?
    /// Position of a JSON syntax error (1-based).
    public var line: Int?
    public var column: Int?

    public init(_ message: String, key: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.message = message
        self.key = key
        self.line = line
        self.column = column
    }

    public var description: String {
        if let line, let column { return "line \(line), column \(column): \(message)" }
        if let key { return "key '\(key)': \(message)" }
        return message
    }
}
