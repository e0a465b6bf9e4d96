import FuzzSupport
import SGDynCore

// ODE integration checkpoints and results (`SGDYNODE`): damaged bytes are a `SnapshotError`; an
// accepted snapshot re-encodes to bytes accepted again unchanged, and a worker can continue it (a
// few steps, for small K + M so that one input stays fast).
runFuzzer { data, size in
    let bytes = fuzzInput(data, size)
    for candidate in [bytes, Reseal.trailer(bytes)] {
        guard var ode = try? ODEIntegration(snapshot: candidate) else { continue }
        let again = ode.snapshot()
        fuzzRequire((try? ODEIntegration(snapshot: again))?.snapshot() == again, "a re-encoded ODE snapshot does not decode to itself")
        if ode.initial.K + ode.initial.M <= 6 {
            ode.advance(maxSteps: 2)
            _ = ode.progress
        }
    }
    return 0
}
