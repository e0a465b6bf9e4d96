import FuzzSupport
import SGDynCore

// A finished run's records (`SGDYNREC`), read back by publishing from the store or the spool:
// damaged bytes are a `SnapshotError`, and nothing is allocated beyond what the bytes hold and the
// run's output schedule.
runFuzzer { data, size in
    let bytes = fuzzInput(data, size)
    for candidate in [bytes, Reseal.trailer(bytes)] {
        guard let records = try? SimulationRecords(snapshot: candidate) else { continue }
        _ = records.isComplete
        _ = records.records.last?.orderParameters
    }
    return 0
}
