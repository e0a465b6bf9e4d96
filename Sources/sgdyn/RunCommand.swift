import ArgumentParser
import Foundation
import SGDynCore
import SGDynJobs

/// `sgdyn run`: one job in the foreground, its bundle written to an outbox.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job file in the foreground and write its result bundle.",
        discussion: """
            Runs every unit of the job — each sweep point × seed's simulation and, for kinds ode and \
            compare, its ODE integration — one per thread, exactly as the daemon's workers do, and \
            writes the bundle (README.txt, result.json, job.json, one CSV per run and per ODE, SVG \
            plots, summary.csv, log.txt, index.html, manifest.json) to OUTBOX/NAME (NAME-2, … if \
            taken) and updates OUTBOX/index.html (see `sgdyn report`). Progress goes to stderr; the \
            bundle path to stdout. Exits 65 for an invalid job file.
            """
    )

    @Argument(help: "The job file (JSON, see docs/job-files.md).")
    var job: String

    @Option(help: "Folder to write the result bundle into.")
    var outbox: String = "outbox"

    @Option(help: "Threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress lines.")
    var quiet = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let (parsed, bytes) = try JobFileInput.load(job)
        // teacher_from / student_from name runs of bundles in this outbox; a source that is
        // missing or does not fit is an invalid job, as for the daemon.
        let spec: JobSpec
        do {
            spec = try parsed.readingWeights(outbox: outbox)
        } catch {
            JobFileInput.printError("\(job): \(error.description)")
            throw JobFileInput.invalidJob
        }
        var log = LogLines()
        let planned = JobPlan.units(of: spec)
        log.add("job '\(spec.name)' from \(job): \(spec.points.count) sweep point(s) × \(spec.seeds.count) seed(s), \(planned.count) unit(s), \(threads) thread(s)")
        for warning in spec.warnings {
            log.add("warning: \(warning)")
            JobFileInput.printNote("warning: \(warning)")
        }
        let started = Date()
        let reporter = ProgressReporter(quiet: quiet)
        let entries: [UnitResultEntry]
        do {
            entries = try JobRunner.results(spec, threads: threads) { reporter.report($0) }
        } catch {
            for unit in error.units { JobFileInput.printError(unit) }
            throw ExitCode(ExitStatus.failed.rawValue)
        }
        let (runs, odes) = JobResults.outcomes(spec: spec, units: entries)
        for line in JobResults.logLines(runs: runs, odes: odes) { log.add(line) }
        if !quiet, let worst = odes.compactMap(\.deviation).max(by: { $0.relative < $1.relative }) {
            JobFileInput.printNote(String(format: "largest relative deviation of eg, simulation vs ODE: %.3g at t = %g", worst.relative, worst.t))
        }
        let diverged = entries.contains { $0.result?.divergence != nil }
        if diverged, !quiet { JobFileInput.printNote("some runs diverged (non-finite order parameters or eg); see log.txt") }
        let steps = runs.reduce(0) { $0 + $1.steps }
        let timing = Timing(startedAt: started, finishedAt: Date(), steps: steps)
        log.add("\(diverged ? "diverged" : "done"): \(runs.count) run(s), \(odes.count) ODE integration(s), \(steps) steps in \(String(format: "%.1f", timing.wallSeconds)) s")
        let files = ResultBundle.simulation(spec: spec, jobBytes: bytes, outcomes: runs, odes: odes, timing: timing, log: log.lines,
                                            status: diverged ? "diverged" : "done")
        let folder = try BundleWriter.write(files, name: spec.name, outbox: URL(fileURLWithPath: outbox))
        if !quiet { JobFileInput.printNote("bundle written: \(folder.path)") }
        // The outbox's index.html lists the new bundle too (its page links back to it); a
        // failure there does not undo a bundle that was written.
        do {
            try OutboxReport.write(outbox: outbox, activity: nil, now: Date().timeIntervalSince1970)
        } catch {
            JobFileInput.printNote("warning: the outbox index was not updated: \(error.description)")
        }
        print(folder.path)
    }
}

/// Timestamped lines for a bundle's log.txt.
struct LogLines {
    private(set) var lines: [String] = []
    mutating func add(_ message: String) {
        lines.append(ISO8601DateFormatter().string(from: Date()) + " " + message)
    }
}
