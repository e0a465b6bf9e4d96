extension Duration {
    /// The duration in seconds as a Double (for rates, timeouts and APIs taking a TimeInterval).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
