/// The short human-readable `README.txt` of a result bundle: what ran, how long it took, the
/// headline numbers, and which file holds what.
enum BundleReadme {
    /// README.txt of a bundle whose result.json is `result` (the headline numbers come from it,
    /// so README.txt says what result.json says); `timing` unrounded, `files` the bundle's paths.
    static func text(spec: JobSpec, result: ResultDocument, timing: Timing, files: [String]) -> String {
        let status = result.status ?? "unknown"
        var lines = ["sgdyn \(SGDynVersion.string) — job '\(spec.name)' (\(spec.kind.rawValue)): \(status)"]
        if status == "diverged" {
            lines.append("Some runs diverged: their order parameters or ε_g became infinite or NaN (learning rate beyond the stable range?). Their records stop before it; they are left out of the means.")
        }
        if let description = spec.description { lines.append(description) }
        for (key, from) in weightSourceLines(result.weightsFrom) {
            lines.append("\(key == "teacher_from" ? "The teacher" : "The students' start") is taken from the stored weights of \(from) (teacher_from/student_from; files and SHA-256 in result.json, weights_from).")
        }
        let runs = spec.kind == .ode ? "" : ", \(spec.seeds.count) seed(s) each"
        lines.append("\(spec.points.count) sweep point(s)\(runs); \(timing.steps) SGD steps in \(duration(timing.wallSeconds))"
                     + (timing.resumes > 0 ? ", resumed \(timing.resumes) time(s) from checkpoints" : "") + ".")
        lines.append("")
        lines.append("Final generalisation error ε_g (t = t_max):")
        for point in result.points ?? [] {
            var parts: [String] = []
            // result.json writes a number that is not finite as null; here it reads "inf": a mean
            // or standard error of the finite final ε_g of finished runs (or of integrations that
            // reached t_max) can only overflow upwards.
            let seeds = point.runs.filter { $0.complete == true }.count
            if let mean = point.finalEgMean ?? (seeds > 0 ? .infinity : nil) {
                let standardError = point.finalEgStderr ?? (seeds > 1 ? .infinity : nil)
                parts.append("simulation \(short(mean))" + (standardError.map { " ± \(short($0)) (s.e., \(seeds) seeds)" } ?? " (1 seed)"))
            }
            if let ode = point.finalEgODE ?? ((point.ode ?? []).contains { $0.finalEg != nil } ? .infinity : nil) { parts.append("ODE \(short(ode))") }
            // A null value is an infinite deviation (ε_ode = 0 < ε_sim).
            if let deviation = point.maxRelDeviation, let t = deviation.t {
                parts.append("largest deviation simulation vs ODE \(short(100 * (deviation.value ?? .infinity))) % at t = \(short(t))")
            }
            let divergedRuns = point.runs.compactMap { $0.divergedAt?.t }
            if !divergedRuns.isEmpty {
                parts.append("\(divergedRuns.count) run(s) diverged (first at t = \(short(divergedRuns.min()!)))")
            }
            let divergedODEs = (point.ode ?? []).compactMap { $0.divergedAt?.t }
            if !divergedODEs.isEmpty { parts.append("the ODE diverged after t = \(short(divergedODEs.min()!))") }
            let underResolved = (point.ode ?? []).compactMap(\.underResolvedFrom)
            if !underResolved.isEmpty {
                parts.append("the ODE's integrals were under-resolved from t = \(short(underResolved.min()!)) (its fields outgrew the "
                             + "quadrature's cap on the work: later records may be off by more than the tolerance)")
            }
            // result.json's null (no finished run) reads as NaN: no line then.
            if let cerr = point.finalCerrMean?.finiteOrNil { parts.append("classification error \(short(cerr))") }
            let stoppedRuns = point.runs.compactMap { $0.stoppedEarly?.t }
            if !stoppedRuns.isEmpty {
                parts.append("\(stoppedRuns.count) run(s) stopped early below stop_below (first at t = \(short(stoppedRuns.min()!)))")
            }
            let label = point.label
            lines.append("  \(label.isEmpty ? "" : label + ": ")\(parts.isEmpty ? "no finished runs" : parts.joined(separator: "; "))")
        }
        lines.append("")
        lines.append("Files:")
        lines.append("  result.json      everything above, per run, with the job as understood (all defaults filled in)")
        lines.append("  summary.csv      one row per sweep point: final ε_g mean, standard error, ODE")
        if files.contains(where: { $0.hasSuffix(".npy") }) {
            lines.append("  …weights/seed-S/ B, vstar, W-initial, v-initial, W-final, v-final of each run as NumPy .npy (numpy.load)")
        }
        if files.contains(where: { $0.hasSuffix(".csv") && $0.contains("seed-") && !$0.contains("ode-") }) {
            lines.append("  …seed-S.csv      one trajectory per simulation run: t, eg, Q, R, v at each output time")
        }
        if files.contains(where: { $0.contains("ode") && $0.hasSuffix(".csv") }) {
            lines.append("  …ode*.csv        the ODE's trajectory, same columns")
        }
        if files.contains(where: { $0.hasSuffix(".svg") }) {
            lines.append("  …*.svg           plots: eg.svg (ε_g against t), order-parameters.svg (R, Q, v), sweep.svg (final ε_g per sweep point)")
        }
        lines.append("  index.html       all of this as a web page, with the plots; ../index.html lists every bundle")
        lines.append("  job.json         the job file exactly as submitted")
        lines.append("  log.txt          what happened to the job")
        lines.append("  manifest.json    every file with its size and SHA-256")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each distinct (key, reference) of `weights_from`, in order.
    static func weightSourceLines(_ sources: [ResultDocument.WeightSource]?) -> [(key: String, from: String)] {
        var seen: [(key: String, from: String)] = []
        for source in sources ?? [] {
            guard let key = source.key, let from = source.from, !seen.contains(where: { $0 == (key, from) }) else { continue }
            seen.append((key, from))
        }
        return seen
    }

    static func short(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        let magnitude = abs(x)
        if magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e5) {
            var exponent = 0
            var mantissa = magnitude
            while mantissa >= 10 { mantissa /= 10; exponent += 1 }
            while mantissa < 1 { mantissa *= 10; exponent -= 1 }
            let rounded = (mantissa * 1000).rounded() / 1000
            return (x < 0 ? "-" : "") + "\(rounded)e\(exponent)"
        }
        return "\((x * 10_000).rounded() / 10_000)"
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return "\((seconds * 10).rounded() / 10) s" }
        if seconds < 7200 { return "\((seconds / 6).rounded() / 10) min" }
        return "\((seconds / 360).rounded() / 10) h"
    }
}
