import FuzzSupport
import SGDynCore

// Checkpoints read back from the job store or a shared spool: `Simulation(snapshot:)` refuses
// anything damaged with a `SnapshotError` and allocates no more than a run it could have written.
// A snapshot it accepts re-encodes to bytes it accepts again, unchanged, and its records part
// (what a finished run leaves) is accepted by `SimulationRecords`.
runFuzzer { data, size in
    let bytes = fuzzInput(data, size)
    for candidate in [bytes, Reseal.trailer(bytes)] {
        guard let simulation = try? Simulation(snapshot: candidate) else { continue }
        let again = simulation.snapshot()
        fuzzRequire((try? Simulation(snapshot: again))?.snapshot() == again, "a re-encoded snapshot does not decode to itself")
        fuzzRequire((try? SimulationRecords(snapshot: simulation.recordsSnapshot())) != nil, "the records of an accepted snapshot are refused")
        _ = simulation.progress
    }
    return 0
}
