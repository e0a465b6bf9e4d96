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
        let underResolved = 8 + 1 + 8
        return header + initial + outputTimes + integrator + 8 + records * perRecord + divergence + underResolved + 32
    }
}

extension ODEResources {
    /// What a worker holds for one integration with `times` output times at its end: the
    /// workspace, every record, and while the result is made the snapshot three times over (its
    /// bytes, their framing as the unit's outcome, and the buffer being written). Measured with
    /// `scripts/limits-measure.sh --daemon` at the checkpoint edge (K = 20, M = 2, 72,001 points:
    /// 1,046 MiB estimated, the worker's peak 805 MiB) and at 30,000 points (437 MiB, 380 MiB).
    /// Job validation bounds it like a simulation's run memory; Slurm's `--mem` derives from it.
    public static func integrationBytes(K: Int, M: Int, activation: Activation, trainSecondLayer: Bool, times: Int) -> Int {
        workspaceBytes(K: K, M: M, activation: activation)
            + times * SimulationResources.recordBytes(K: K, M: M)
            + 3 * snapshotBytes(K: K, M: M, trainSecondLayer: trainSecondLayer, times: times, records: times)
    }
}
