import Foundation
import Logging
import SGDynCore
import SGDynJobs
import SGDynStore

/// Start-up recovery: jobs stored by sgdyn 0.1.0 get their validated form and units; submissions a
/// previous daemon left open are adopted (Slurm arrays still running are followed again, local
/// workers — which died with their daemon — are settled); runs no submission accounts for resume.
extension Daemon {
    func convertLegacyJobs() async throws {
        for job in try await store.jobsWithoutSpec() {
            let defaultName = job.name
            do {
                let spec = try JobParser.parse(job.jobBytes, defaultName: defaultName)
                let units = JobPlan.units(of: spec).map { unit in
                    NewUnit(kind: unit.kind == .simulation ? .simulation : .ode, pointIndex: unit.pointIndex, seed: unit.seed,
                            spec: unit.work.encoded(), totalSteps: unit.totalSteps)
                }
                try await store.convertLegacyJob(job.id, spec: spec.storedForm(), units: units)
                logger.notice("converted job \(job.name) (id \(job.id)) from sgdyn 0.1.0's store", metadata: ["job": "\(job.name)"])
            } catch {
                logger.error("job \(job.name) (id \(job.id)) from sgdyn 0.1.0 no longer parses (\(error)); it cannot run", metadata: ["job": "\(job.name)"])
                if JobState.active.contains(job.state) {
                    try await store.settle(job.id, outcome: .failed, reason: "its job file no longer parses: \(error)")
                }
            }
        }
    }

    func adoptOpenSubmissions() async throws {
        let open = try await store.openSubmissions()
        var byExecutor: [ExecutorKind: [SubmissionRecord]] = [:]
        for submission in open {
            guard let job = try await store.job(submission.jobID) else { continue }
            // Where its tasks were told to report: the spool of the config it was submitted under,
            // which a changed config (the spool moved) must not lose.
            let kind = ExecutorKind(rawValue: submission.executor)
            let current = executors[kind]?.spoolRoot.map(SpoolLayout.init(root:)) ?? state.spool
            let jobFolder = submission.spool ?? current.jobFolder(job: job.id.rawValue)
            var watched: [UnitID: WatchedUnit] = [:]
            for unit in try await store.units(of: submission.id) where unit.state == .running {
                let task = submission.tasks.firstIndex { $0.contains(unit.id) } ?? 0
                watched[unit.id] = WatchedUnit(id: unit.id, index: unit.index, task: task,
                                               folder: SpoolLayout.attemptFolder(jobFolder: jobFolder, unit: unit.id.rawValue, attempt: unit.attempt),
                                               attempt: unit.attempt, workSHA256: unit.spec.map { SHA256.hexDigest($0) } ?? "")
            }
            runs.open[submission.id] = OpenSubmission(id: submission.id, jobID: job.id, jobName: job.name, claimedName: job.claimedName,
                                                      executor: kind, token: submission.token, taskCount: submission.tasks.count,
                                                      units: watched)
            byExecutor[kind, default: []].append(submission)
        }
        for (name, submissions) in byExecutor.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if executors[name] == nil, let makeFollower = registry.registration(for: name)?.follower {
                // Its executor was switched off in the config while its tasks ran (they outlive
                // the daemon): they are followed to their end (never charged a crash, never run
                // twice); new work goes to the configured executor.
                let follower = makeFollower(ExecutorContext(configuration: configuration, executable: executable, storeID: store.storeID),
                                            submissions)
                executors[name] = follower
                forwardEvents(of: follower)
                logger.warning("\(follower.displayName) is no longer configured, but \(submissions.count) submission(s) still run there: following them to their end (commands from PATH); new jobs run on the \(configuration.executor) executor")
            }
            if let executor = executors[name] {
                logger.notice("following \(submissions.count) \(name) submission(s) left open by the previous daemon")
                await executor.adopt(submissions)
            } else {
                // Its executor is not configured any more: nothing can follow it; resume its units.
                for submission in submissions {
                    logger.warning("submission \(submission.id) ran on the \(name) executor, which is not configured; its units resume here")
                    for task in submission.tasks.indices {
                        try await taskEnded(submission.id, task: task, .lost("its executor is no longer configured"))
                    }
                }
            }
        }
        for jobID in try await store.recoverOrphanedRuns(reason: "the daemon stopped while the job was running") {
            if let job = try await store.job(jobID) {
                say(.notice, "was running when the daemon stopped; it will resume from its checkpoints", job: job)
            }
        }
    }
}
