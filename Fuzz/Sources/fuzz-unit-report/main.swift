import FuzzSupport
import SGDynCore
import SGDynJobs

// What workers write into the spool (checkpoints, heartbeats, outcomes), which the daemon reads:
// damaged or half-written files are a `SpoolDecodingError`; an accepted report re-encodes to a
// file that decodes to the same report, payload digest and identity (token, unit, attempt, work).
runFuzzer { data, size in
    let bytes = fuzzInput(data, size)
    for candidate in [bytes, Reseal.unitReport(bytes)].compactMap({ $0 }) {
        guard let (report, digest, identity) = try? UnitReport.decode(candidate) else { continue }
        let again = report.encoded(for: identity)
        let back = try? UnitReport.decode(again)
        fuzzRequire(back?.report.encoded(for: identity) == again && back?.payloadSHA256 == digest && back?.identity == identity,
                    "a re-encoded report does not decode to itself, for whom it was written")
    }
    return 0
}
