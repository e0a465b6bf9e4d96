import FuzzSupport
import SGDynCore
import SGDynJobs

// The validated job as the job store keeps it: a damaged or foreign stored form is a `JobError`
// naming the field, never a trap; one that is accepted reads back to itself once re-written, and
// can be planned into units (what publishing does with it).
runFuzzer { data, size in
    let bytes = fuzzInput(data, size)
    guard let spec = try? JobSpec(storedForm: bytes) else { return 0 }
    let stored = spec.storedForm()
    fuzzRequire((try? JobSpec(storedForm: stored))?.storedForm() == stored, "a re-written stored form does not read back to itself")
    for unit in JobPlan.units(of: spec).prefix(3) { _ = unit.work.encoded() }
    return 0
}
