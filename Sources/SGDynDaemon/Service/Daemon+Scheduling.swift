import Foundation
import Logging
import SGDynCore
import SGDynJobs
import SGDynStore

/// Scheduling: queued jobs go to worker processes (higher priority first, then first come), at
/// most `workers` simulation threads in all; finished workers are booked; crashed ones retried,
/// and a job that crashed its worker three times is quarantined.
extension Daemon {
    static let maxCrashes = 3

    var threadsInUse: Int { workers.values.reduce(0) { $0 + $1.threads } }

    func schedule() async throws {
        while !stopping {
            let free = configuration.workers - threadsInUse
            guard free > 0, let job = try await store.nextRunnableJob() else { return }
            let runnable = try await store.runnableUnits(of: job.id).count
            let attempt = try await store.beginAttempt(job.id)
            if runnable == 0 {
                // An `ode` job, or every unit finished before a crash or shutdown: only the
                // bundle is missing.
                finishInBackground(job.id)
                continue
            }
            let threads = min(free, runnable)
            let current = try await store.job(job.id) ?? job
            say(.info, "starting attempt \(attempt.attempt)\(attempt.isResume ? " (resuming from checkpoints)" : "") with \(threads) thread(s) for \(runnable) unit(s)",
                job: current)
            do {
                let jobID = job.id
                let worker = try WorkerProcess(executable: executable, configuration: configuration, jobID: job.id, jobName: job.name,
                                               threads: threads) { [wake] exit in wake.yield(.workerExited(jobID, exit)) }
                workers[job.id] = worker
            } catch {
                say(.error, "cannot start a worker process: \(error)", job: current)
                try await store.requeue(job.id, reason: "worker could not start: \(error)")
                return
            }
        }
    }

    func workerExited(_ jobID: JobID, _ exit: WorkerExit) async {
        let worker = workers.removeValue(forKey: jobID)
        do {
            guard let job = try await store.job(jobID) else { return }
            switch exit {
            case .completed:
                finishInBackground(jobID)
            case .stopped where job.cancelRequested:
                say(.notice, "cancelled; publishing what finished", job: job)
                let bundle = try await publish(job, status: "cancelled", error: nil)
                try await store.markCancelled(jobID, reason: "cancelled on request", bundlePath: bundle)
            case .stopped:
                try await store.markInterrupted(jobID, reason: stopping ? "stopped by shutdown" : "stopped by its worker (e.g. a full disk)")
                say(.notice, stopping ? "interrupted by shutdown after checkpointing; it resumes at the next start"
                                      : "its worker stopped after checkpointing; it resumes when it can", jobName: job.name,
                    state: "interrupted", claimedPath: job.claimedPath)
            case .failed, .crashed:
                // Crashes, not attempts: a job resumed after shutdowns has had attempts that did not fail.
                if job.crashes + 1 >= Daemon.maxCrashes {
                    let reason = "its worker process failed \(job.crashes + 1) times (last: \(exit)); quarantined so the other jobs can run"
                    say(.error, reason, job: job)
                    let bundle = try await publish(job, status: "failed", error: reason)
                    try await store.markQuarantined(jobID, reason: reason, bundlePath: bundle)
                } else {
                    say(.error, "worker process \(worker.map { "\($0.processIdentifier) " } ?? "")\(exit) in attempt \(job.attempts); it is retried from its checkpoints", job: job)
                    try await store.requeue(jobID, reason: "worker \(exit)")
                }
            }
        } catch let failure as BundleWriteError where failure.isOutOfSpace {
            logger.critical("cannot publish job \(jobID): \(failure); it stays and is published when space returns")
            try? await store.markInterrupted(jobID, reason: "bundle could not be written: disk full")
        } catch {
            logger.error("after the worker of job \(jobID) \(exit): \(error)")
        }
    }

    /// Publishes the bundle of a job whose units are all done and marks it done, without holding
    /// up the loop (which goes on pinging the watchdog meanwhile).
    func finishInBackground(_ jobID: JobID) {
        guard publishing.insert(jobID).inserted else { return }
        Task {
            do {
                try await self.finish(jobID)
            } catch let failure as BundleWriteError where failure.isOutOfSpace {
                self.logger.critical("cannot publish job \(jobID): \(failure); it is published when space returns")
                try? await self.store.markInterrupted(jobID, reason: "bundle could not be written: disk full")
            } catch {
                self.logger.error("cannot publish job \(jobID): \(error)")
                try? await self.store.markFailed(jobID, reason: "its bundle could not be written: \(error)", bundlePath: nil)
            }
            self.donePublishing(jobID)
        }
    }

    func donePublishing(_ jobID: JobID) {
        publishing.remove(jobID)
        wake.yield(.tick)
    }

    /// Publishes the bundle of a job whose units are all done, and marks it done.
    func finish(_ jobID: JobID) async throws {
        guard let job = try await store.job(jobID) else { return }
        say(.info, "all units finished; writing the bundle", job: job)
        let bundle = try await publish(job, status: "done", error: nil)
        try await store.markDone(jobID, bundlePath: bundle)
        say(.notice, "done; bundle \(bundle)", jobName: job.name, state: "done", claimedPath: nil)
    }

    /// Jobs the store says are running but that have no worker and are not being published: the
    /// record of their worker's end could not be written (e.g. the disk was full). They are
    /// marked interrupted, so they resume from their checkpoints; retried every cycle until the
    /// store takes it.
    func requeueOrphans() async throws {
        for job in try await store.jobs(in: [.running]) where workers[job.id] == nil && !publishing.contains(job.id) {
            try await store.markInterrupted(job.id, reason: "its worker ended but that could not be recorded")
            say(.notice, "its worker ended while the store could not record it; it resumes from its checkpoints", jobName: job.name,
                state: "interrupted", claimedPath: job.claimedPath)
        }
    }

    /// Cancels queued jobs at once and asks running ones to stop (their worker exit publishes).
    func handleCancellations() async throws {
        for job in try await store.pendingCancellations() {
            if let worker = workers[job.id] {
                worker.requestStop()
            } else if job.state == .queued || job.state == .interrupted {
                say(.notice, "cancelled before it finished; publishing what finished", job: job)
                _ = try await store.beginAttempt(job.id)
                let bundle = try await publish(job, status: "cancelled", error: nil)
                try await store.markCancelled(job.id, reason: "cancelled on request", bundlePath: bundle)
            }
        }
    }

    /// Writes the job's bundle from the store: each unit's records come from its final (or, when
    /// cancelled, latest) checkpoint. Returns the bundle folder.
    func publish(_ job: JobRecord, status: String, error: String?) async throws -> String {
        let outbox = URL(fileURLWithPath: configuration.outbox)
        let source = (job.claimedPath as NSString).lastPathComponent
        if let published = BundleWriter.existingBundle(name: job.bundleName, source: source, outbox: outbox) {
            say(.notice, "its bundle \(published.path) was already written before the daemon stopped; not writing it again", job: job)
            return published.path
        }
        let log = jobLog.lines(forClaimed: job.claimedPath)
        let spec: JobSpec
        do {
            spec = try JobParser.parse(job.jobBytes, defaultName: job.name)
        } catch {
            let files = ResultBundle.rejection(name: job.bundleName, jobBytes: job.jobBytes, error: error, log: log)
            return try BundleWriter.write(files, name: job.bundleName, outbox: outbox, source: source).path
        }
        let runs = spec.runs
        var outcomes: [RunOutcome] = []
        var steps = 0
        for unit in try await store.units(of: job.id) where unit.index < runs.count {
            guard let checkpoint = try await store.latestValidCheckpoint(unit.id).checkpoint,
                  let simulation = try? Simulation(snapshot: checkpoint.snapshot) else { continue }
            let run = runs[unit.index]
            outcomes.append(RunOutcome(pointIndex: run.point.index, seed: run.seed, records: simulation.records, steps: simulation.step))
            steps += simulation.step
        }
        var odes: [ODEOutcome] = []
        if spec.kind != .simulate {
            let simulations = outcomes
            switch await onDedicatedThread({ Result { () throws(JobError) in try JobODEs.compute(spec, simulations: simulations) } }) {
            case .success(let computed): odes = computed
            case .failure(let failure):
                say(.error, "the ODE integration failed: \(failure)", job: job)
                if status == "done" { return try await publish(job, status: "failed", error: "the ODE integration failed: \(failure)") }
            }
            for ode in odes {
                let s = ode.result.statistics
                say(.info, "ODE point \(ode.pointIndex)\(ode.seed.map { " seed \($0)" } ?? ""): \(s.method.name), \(s.steps) steps, error estimate \(s.errorEstimate)", job: job)
            }
            if let worst = odes.compactMap(\.deviation).max(by: { $0.relative < $1.relative }) {
                say(.info, "largest relative deviation of eg, simulation vs ODE: \(worst.relative) at t = \(worst.t)", job: job)
            }
        }
        let timing = Timing(startedAt: job.createdAt, finishedAt: Date(), steps: steps, resumes: job.resumes)
        let files = ResultBundle.simulation(spec: spec, jobBytes: job.jobBytes, outcomes: outcomes, odes: odes, timing: timing,
                                            log: jobLog.lines(forClaimed: job.claimedPath), status: status, error: error)
        return try BundleWriter.write(files, name: job.bundleName, outbox: outbox, source: source).path
    }

    /// systemd STATUS= on every change, and a progress line per running job every few minutes.
    func reportStatus() async throws {
        let counts = try await store.countsByState()
        let status = "queued \(counts[.queued, default: 0] + counts[.interrupted, default: 0]), running \(counts[.running, default: 0]), done \(counts[.done, default: 0]), failed \(counts[.failed, default: 0] + counts[.quarantined, default: 0]), cancelled \(counts[.cancelled, default: 0])"
            + (intakePaused ? " — intake paused: low disk space" : "")
        if status != lastStatus {
            notifier.send(.status(status))
            lastStatus = status
        }
        guard !workers.isEmpty else { return }
        let now = ContinuousClock.now
        for summary in try await store.listJobs() where summary.state == .running {
            if let last = lastProgressLog[summary.id], now - last < .seconds(300) { continue }
            if lastProgressLog[summary.id] == nil { lastProgressLog[summary.id] = now; continue }
            lastProgressLog[summary.id] = now
            logger.info("job \(summary.name): \(String(format: "%.1f", 100 * summary.progress)) % done, \(summary.unitsDone)/\(summary.unitCount) units",
                        metadata: ["job": "\(summary.name)", "state": "running"])
        }
    }
}

/// Runs CPU work (ODE integrations) on a thread of its own, never on the cooperative pool.
func onDedicatedThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.stackSize = 1 << 22
        thread.start()
    }
}
