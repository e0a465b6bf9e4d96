import SGDynCore
import SGDynJobs

/// Spool files as a worker writes them (a checkpoint, a heartbeat, each kind of outcome) and
/// tasks files as the daemon writes them.
enum SpoolSeeds {
    static func write(into corpus: inout SeedCorpus) {
        var run = Simulation(parameters: SimulationParameters(N: 8, M: 1, K: 2, tMax: 1, points: 2, seed: 3))
        // Spool format 2: every report names whom it was written for.
        let identity = ReportIdentity(token: "sgdyn-0b2aec6e-j1-1x2y3z", unit: 1, attempt: 1,
                                      workSHA256: String(repeating: "ab", count: 32))
        let progress = UnitProgress(stepsDone: 0, totalSteps: Int64(run.totalSteps), wallSeconds: 0, latestEg: run.records.last?.eg,
                                    writtenAt: 1_800_000_000)
        corpus.add("unit-report", "checkpoint", UnitReport.checkpoint(progress, snapshot: run.snapshot()).encoded(for: identity))
        corpus.add("unit-report", "progress", UnitReport.progress(progress).encoded(for: identity))
        run.runToEnd()
        var done = progress
        done.stepsDone = Int64(run.step)
        done.wallSeconds = 0.25
        done.latestEg = run.records.last?.eg
        corpus.add("unit-report", "outcome-done", UnitReport.outcome(UnitOutcome(kind: .done, progress: done, result: run.recordsSnapshot())).encoded(for: identity))
        corpus.add("unit-report", "outcome-diverged",
                   UnitReport.outcome(UnitOutcome(kind: .diverged, progress: done, divergedAt: 0.5, result: run.recordsSnapshot())).encoded(for: identity))
        corpus.add("unit-report", "outcome-stopped", UnitReport.outcome(UnitOutcome(kind: .stopped, progress: progress)).encoded(for: identity))
        corpus.add("unit-report", "outcome-failed",
                   UnitReport.outcome(UnitOutcome(kind: .failed, progress: progress, message: "the unit's work cannot be read")).encoded(for: identity))

        let tasks: [(String, SubmissionTasks)] = [
            ("one", SubmissionTasks(token: "sgdyn-0b2aec6e-j1-1x2y3z", tasks: [[.init(unit: 1, attempt: 1)]])),
            ("several", SubmissionTasks(token: "sgdyn-0b2aec6e-j1-1x2y3z", tasks: [[.init(unit: 1, attempt: 1), .init(unit: 2, attempt: 3)], [.init(unit: 40, attempt: 2)]])),
            ("empty-task", SubmissionTasks(token: "sgdyn-0b2aec6e-j1-1x2y3z", tasks: [[], [.init(unit: 9_000_000_000, attempt: 1)]])),
        ]
        for (name, t) in tasks { corpus.add("submission-tasks", name, Array(t.text.utf8)) }
    }
}
