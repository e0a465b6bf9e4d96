/// Why an ODE integration could not start: bad parameters, initial conditions or output times.
/// `key` names the job-file key at fault when there is one ("Q", "R", "T", "v", "vstar",
/// "activation", "lr", …), so a rejection can point the user at it.
public struct ODEError: Error, Equatable, Sendable, CustomStringConvertible {
    public var key: String?
    public var message: String

    public init(key: String?, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.map { "\($0): \(message)" } ?? message }
}
