/// Mean and standard error of a set of independent runs' values.
public struct RunStatistics: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    /// Sample standard deviation / √n; nil for a single run.
    public var standardError: Double?

    public init(_ values: [Double]) {
        count = values.count
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        if values.count > 1 {
            let m = mean
            let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)
            standardError = (variance / Double(values.count)).squareRoot()
        } else {
            standardError = nil
        }
    }
}
