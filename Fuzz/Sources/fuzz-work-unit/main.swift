import FuzzSupport
import SGDynCore
import SGDynJobs

// The unit a worker receives (`work.unit` in the spool, a row of the store): damaged bytes are a
// `WorkUnitDecodingError`; an accepted unit re-encodes to itself, and the estimates the daemon and
// the Slurm executor make from it (memory, run time, output times) do not trap.
runFuzzer { data, size in
    let bytes = fuzzInput(data, size)
    for candidate in [bytes, Reseal.trailer(bytes)] {
        guard let unit = try? WorkUnit(encoded: candidate) else { continue }
        let again = unit.encoded()
        fuzzRequire((try? WorkUnit(encoded: again))?.encoded() == again, "a re-encoded unit does not decode to itself")
        _ = WorkUnitResources.memoryBytes(unit)
        _ = WorkUnitResources.estimatedSeconds(unit)
    }
    return 0
}
