/// The short human-readable `README.txt` of a result bundle: what ran, how long it took, the
/// headline numbers, and which file holds what.
enum BundleReadme {
    /// One sweep point's headline numbers.
    struct PointLine {
        var label: String
        var seeds: Int
        var egMean: Double?
        var egStandardError: Double?
        var egODE: Double?
        var deviation: Double?
        var deviationTime: Double?
        /// When each diverged simulation run, and integration, of the point diverged.
        var divergedRuns: [Double] = []
        var divergedODEs: [Double] = []
        /// When each run that stopped early below `stop_below` stopped; the classification error's mean.
        var stoppedRuns: [Double] = []
        var classificationErrorMean: Double?
    }

    static func text(spec: JobSpec, status: String, timing: Timing, points: [PointLine], files: [String]) -> String {
        var lines = ["sgdyn \(SGDynVersion.string) — job '\(spec.name)' (\(spec.kind.rawValue)): \(status)"]
        if status == "diverged" {
            lines.append("Some runs diverged: their order parameters or ε_g became infinite or NaN (learning rate beyond the stable range?). Their records stop before it; they are left out of the means.")
        }
        if let description = spec.description { lines.append(description) }
        let runs = spec.kind == .ode ? "" : ", \(spec.seeds.count) seed(s) each"
        lines.append("\(spec.points.count) sweep point(s)\(runs); \(timing.steps) SGD steps in \(duration(timing.wallSeconds))"
                     + (timing.resumes > 0 ? ", resumed \(timing.resumes) time(s) from checkpoints" : "") + ".")
        lines.append("")
        lines.append("Final generalisation error ε_g (t = t_max):")
        for point in points {
            var parts: [String] = []
            if let mean = point.egMean {
                parts.append("simulation \(short(mean))" + (point.egStandardError.map { " ± \(short($0)) (s.e., \(point.seeds) seeds)" } ?? " (1 seed)"))
            }
            if let ode = point.egODE { parts.append("ODE \(short(ode))") }
            if let deviation = point.deviation, let t = point.deviationTime {
                parts.append("largest deviation simulation vs ODE \(short(100 * deviation)) % at t = \(short(t))")
            }
            if !point.divergedRuns.isEmpty {
                parts.append("\(point.divergedRuns.count) run(s) diverged (first at t = \(short(point.divergedRuns.min()!)))")
            }
            if !point.divergedODEs.isEmpty { parts.append("the ODE diverged after t = \(short(point.divergedODEs.min()!))") }
            if let cerr = point.classificationErrorMean { parts.append("classification error \(short(cerr))") }
            if !point.stoppedRuns.isEmpty {
                parts.append("\(point.stoppedRuns.count) run(s) stopped early below stop_below (first at t = \(short(point.stoppedRuns.min()!)))")
            }
            lines.append("  \(point.label.isEmpty ? "" : point.label + ": ")\(parts.isEmpty ? "no finished runs" : parts.joined(separator: "; "))")
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
