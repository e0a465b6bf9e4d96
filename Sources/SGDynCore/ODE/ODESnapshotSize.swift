extension ODEResources {
    /// The exact size of `ODEIntegration.snapshot()` (its layout is documented there) for K
    /// student and M teacher units, `times` output times and `records` records so far: job
    /// validation bounds an ODE unit's checkpoint and result with it (all `points` + 1 records),
    /// as it bounds a simulation's with `SimulationResources.snapshotBytes`.
    public static func snapshotBytes(K: Int, M: Int, trainSecondLayer: Bool, times: Int, records: Int) -> Int {
        let stateCount = ODEStateLayout(K: K, M: M, trainSecondLayer: trainSecondLayer).count
        let header = 8 + 8            // magic, version
            + 1 + 4 * 8 + 8 + 1       // parameters: activation, four rates, batch size, second layer
            + 1 + 2 * 8               // method: tag and two numbers
        let initial = 2 * 8 + (8 + 8 * K * K) + (8 + 8 * K * M) + (8 + 8 * M * M) + (8 + 8 * K) + (8 + 8 * M)
        let outputTimes = 8 + 8 * times
        let integrator = 8 + 1 + 1 + 3 * 8 + 1 + 8 + 1 + 1   // next … havePrevious
            + 3 * (8 + 8 * stateCount)                         // y, f(y), the previous slope
            + 5 * 8                                            // statistics
        let perRecord = 2 * 8 + (8 + 8 * K * K) + (8 + 8 * K * M) + (8 + 8 * K)
        let divergence = 1 + 8 + 1 + 8
        return header + initial + outputTimes + integrator + 8 + records * perRecord + divergence + 32
    }
}
