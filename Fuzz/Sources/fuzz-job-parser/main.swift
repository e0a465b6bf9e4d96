import FuzzSupport
import SGDynCore
import SGDynJobs

// Job files come from users: parsing, validation and the resource estimates may only throw
// `JobError`, never trap. A job they accept must also survive what the daemon does with it next:
// its stored form reads back to the same job, and its units' work encodes and decodes to itself.
runFuzzer { data, size in
    let bytes = fuzzInput(data, size)
    guard let spec = try? JobParser.parse(bytes, defaultName: "fuzz") else { return 0 }
    let stored = spec.storedForm()
    do {
        let back = try JobSpec(storedForm: stored)
        fuzzRequire(back.storedForm() == stored, "the stored form of an accepted job does not read back to itself")
    } catch {
        fuzzRequire(false, "the stored form of an accepted job is refused: \(error)")
    }
    // A job may have 10,000 units; a few show the codec, all of them would only slow the fuzzer.
    for unit in JobPlan.units(of: spec).prefix(3) {
        let encoded = unit.work.encoded()
        fuzzRequire((try? WorkUnit(encoded: encoded))?.encoded() == encoded, "a unit's work does not decode to itself")
        _ = WorkUnitResources.memoryBytes(unit.work)
        _ = WorkUnitResources.estimatedSeconds(unit.work)
        // What a worker computes first (an ODE unit's output times are part of its memory estimate).
        let p = unit.work.parameters
        _ = OutputSchedule.steps(tMax: p.tMax, points: p.points, N: p.N)
    }
    return 0
}
