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
            Runs every sweep point × seed of the job, one simulation per thread (and the ODEs for \
            kinds ode and compare), and writes the bundle (README.txt, result.json, job.json, one CSV \
            per run and per ODE, SVG plots, summary.csv, log.txt, index.html, manifest.json) to \
            OUTBOX/NAME (NAME-2, … if taken) and updates OUTBOX/index.html (see `sgdyn report`). \
            Progress goes to stderr; the bundle path to stdout. Exits 65 for an invalid job file.
            """
    )

    @Argument(help: "The job file (JSON, see README 'Job files').")
    var job: String

    @Option(help: "Folder to write the result bundle into.")
    var outbox: String = "outbox"

    @Option(help: "Simulation threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress lines.")
    var quiet = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let (spec, bytes) = try JobFileInput.load(job)
        var log = LogLines()
        log.add("job '\(spec.name)' from \(job): \(spec.points.count) sweep point(s) × \(spec.seeds.count) seed(s), \(threads) thread(s)")
        for warning in spec.warnings {
            log.add("warning: \(warning)")
            JobFileInput.printNote("warning: \(warning)")
        }
        let started = Date()
        let reporter = ProgressReporter(quiet: quiet)
        let outcomes = spec.kind == .ode ? [] : SimulationRunner.run(spec, threads: threads) { reporter.report($0) }
        let odes: [ODEOutcome]
        do {
            odes = try JobODEs.compute(spec, simulations: outcomes)
        } catch {
            JobFileInput.printError("\(job): \(error.description)")
            throw JobFileInput.invalidJob
        }
        for run in outcomes {
            if let divergence = run.divergence {
                log.add("run point \(run.pointIndex) seed \(run.seed) diverged at t = \(divergence.t) (step \(divergence.step ?? 0)); its records stop there")
            }
        }
        for ode in odes {
            let s = ode.result.statistics
            log.add("ODE point \(ode.pointIndex)\(ode.seed.map { " seed \($0)" } ?? ""): \(s.method.name), \(s.steps) steps, \(s.rhsEvaluations) right-hand sides, error estimate \(s.errorEstimate)")
            if let divergence = ode.result.divergence {
                log.add("ODE point \(ode.pointIndex)\(ode.seed.map { " seed \($0)" } ?? "") diverged after t = \(divergence.t); its records stop there")
            }
        }
        if let worst = odes.compactMap(\.deviation).max(by: { $0.relative < $1.relative }) {
            let line = String(format: "largest relative deviation of eg, simulation vs ODE: %.3g at t = %g", worst.relative, worst.t)
            log.add(line)
            if !quiet { JobFileInput.printNote(line) }
        }
        let finished = Date()
        let steps = outcomes.reduce(0) { $0 + $1.steps }
        let timing = Timing(startedAt: started, finishedAt: finished, steps: steps)
        log.add("done: \(outcomes.count) run(s), \(steps) steps in \(String(format: "%.1f", timing.wallSeconds)) s")
        let files = ResultBundle.simulation(spec: spec, jobBytes: bytes, outcomes: outcomes, odes: odes, timing: timing, log: log.lines)
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
