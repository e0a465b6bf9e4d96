import Foundation
import Logging
import SGDynCore
import SGDynJobs
import SGDynStore

/// Intake: inbox entries become queued jobs, rejections or cancel requests. A file is claimed
/// (renamed out of the inbox into `state/claimed/`) before anything else happens to it, so two
/// daemons on one inbox never both take it, and a crash after the claim is repaired at start-up
/// from the claimed folder. A file that is not a job is recorded as a rejection, so its bundle is
/// written by the same retried path as any other and nothing a user drops is lost.
extension Daemon {
    /// Most inbox entries taken in one pass, and the most time spent taking them: a burst of
    /// files is taken over several passes, so that between them runs are followed, finished jobs
    /// published and new ones started — the first bundles of a burst of 1,000 come out within
    /// seconds, not after the last file is taken.
    static let intakePerPass = 25
    static let intakeTimePerPass: Duration = .milliseconds(500)

    /// Lists the inbox and handles what is ready, up to the pass's budget (the rest is taken by
    /// the next passes, which follow at once). The listing is cheap; it runs every cycle.
    func takeFromInbox() async throws {
        let scan: InboxScan
        do {
            scan = try intake.scanner.scan()
        } catch {
            logger.error("cannot list the inbox \(configuration.inbox): \(error)")
            return
        }
        intake.noteIgnored(scan.ignored, logger: logger)
        let began = ContinuousClock.now
        var taken = 0
        func budgetLeft() -> Bool {
            guard taken < Self.intakePerPass, ContinuousClock.now - began < Self.intakeTimePerPass else {
                mailbox.noteInbox(.directoryMayHaveChanged)  // another pass soon, after this one's other work
                return false
            }
            taken += 1
            return true
        }
        // Rejections are not held back: the scanner reports each only once.
        for rejected in scan.rejected where rejected.isNew {
            guard case .claimed(let file) = try intake.claimer.claim(rejected.entry) else { continue }
            try await reject(claimedName: file.name, entryName: rejected.entry.description, bytes: [],
                             Rejection(message: "\(rejected.entry) \(rejected.reason.description)"))
        }
        for request in scan.cancelRequests {
            guard budgetLeft() else { return }
            if case .claimed(let file) = try intake.claimer.claim(request.entry) {
                try? FileManager.default.removeItem(atPath: file.path)
                try await requestCancel(name: request.jobName, via: "\(request.entry) in the inbox")
            }
        }
        for ready in scan.ready {
            if intake.shouldWaitForMore(ready, logger: logger) { continue }
            guard budgetLeft() else { return }
            guard case .claimed(let file) = try intake.claimer.claim(ready.entry) else { continue }
            if let problem = file.syncProblem { logger.warning("claimed \(ready.entry) but \(problem)") }
            try await admitClaimedFile(file.name, entryName: ready.entry.string ?? ready.jobName + ".json")
        }
    }

    /// Turns a claimed file into a queued job, or a rejection.
    func admitClaimedFile(_ claimedName: String, entryName: String) async throws {
        let bytes: [UInt8]
        do {
            bytes = try ClaimedFileReader.readBytes(at: state.claimedFile(claimedName))
        } catch {
            try await reject(claimedName: claimedName, entryName: entryName, bytes: [], Rejection(message: "\(entryName) \(error.description)"))
            return
        }
        let defaultName = entryName.hasSuffix(".json") ? String(entryName.dropLast(5)) : entryName
        let spec: JobSpec
        do {
            spec = try JobParser.parse(bytes, defaultName: defaultName)
            try configuration.slurm?.check(spec.slurm, executor: configuration.executor)
        } catch {
            try await reject(claimedName: claimedName, entryName: entryName, bytes: bytes,
                             Rejection(message: error.message, key: error.key, line: error.line, column: error.column))
            return
        }
        let units = JobPlan.units(of: spec).map { unit in
            NewUnit(kind: unit.kind == .simulation ? .simulation : .ode, pointIndex: unit.pointIndex, seed: unit.seed,
                    spec: unit.work.encoded(), totalSteps: unit.totalSteps)
        }
        let job = NewJob(name: defaultName, bundleName: spec.name, priority: spec.priority, submittedAt: Date(), claimedName: claimedName,
                         jobBytes: bytes, spec: spec.storedForm(), units: units)
        switch try await store.insertJob(job) {
        case .inserted(let id):
            say(.info, "queued from \(entryName): \(spec.kind.rawValue), \(spec.points.count) sweep point(s) × \(spec.seeds.count) seed(s), \(units.count) unit(s), priority \(spec.priority) (id \(id))",
                jobName: defaultName, state: "queued", claimedName: claimedName)
            for warning in spec.warnings { say(.warning, warning, jobName: defaultName, state: "queued", claimedName: claimedName) }
            if spec.slurm != nil, configuration.executor != "slurm" {
                say(.warning, "its \"slurm\" request is ignored: this daemon runs jobs with the \(configuration.executor) executor",
                    jobName: defaultName, state: "queued", claimedName: claimedName)
            }
        case .duplicate(let other, let name):
            try await reject(claimedName: claimedName, entryName: entryName, bytes: bytes, Rejection(
                message: "duplicate: the same bytes as job '\(name)' (id \(other)), which is still queued or running; it was not queued again"))
        }
    }

    /// Records a claimed file that is not a job; its rejection bundle is written by `publishReadyJobs`.
    func reject(claimedName: String, entryName: String, bytes: [UInt8], _ rejection: Rejection) async throws {
        let name = ResultBundle.rejectionName(forFile: entryName)
        say(.error, "rejected \(entryName): \(rejection.message)", jobName: name, state: "rejected", claimedName: claimedName)
        try await store.insertRejection(NewRejection(bundleName: name, submittedAt: Date(), claimedName: claimedName, jobBytes: bytes,
                                                     rejection: rejection))
    }

    /// Files in `state/claimed/` the store does not know: claimed just before a crash. They are
    /// admitted now, exactly as if they had just been claimed.
    func reconcileClaimedFiles() async throws {
        let known = try await store.knownClaimedNames()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: state.claimed)) ?? []
        for name in names.sorted() where !known.contains(name) && !name.hasPrefix(".") {
            let submitted = InboxClaimer.submittedName(ofClaimedFile: name) ?? name
            logger.notice("found \(name) claimed but not recorded (the daemon stopped in between); admitting it now")
            try await admitClaimedFile(name, entryName: submitted)
        }
    }

    /// Marks the named job for cancellation; the loop stops it and publishes what finished.
    func requestCancel(name: String, via source: String) async throws {
        let ids = try await store.requestCancel(name: name)
        if ids.isEmpty {
            logger.warning("cancel request for '\(name)' (\(source)): no queued or running job has that name")
        } else {
            logger.notice("cancel requested for '\(name)' (\(source))", metadata: ["job": "\(name)"])
        }
    }

    /// Pauses intake and new runs while the outbox or state folder is nearly full. A small reserve
    /// file in the state folder is given up while space is low, so that the job store can still
    /// record what happens (a worker that stopped, a job to resume) on a full disk; it is made
    /// again once space is back.
    func checkFreeSpace() {
        switch phase {
        case .serving, .pausedForDisk: break
        case .starting, .draining, .stopped: return
        }
        let limit = configuration.minFreeBytes
        let low = [configuration.outbox, state.path].compactMap { path in
            freeBytes(at: path).flatMap { $0 < limit ? (path, $0) : nil }
        }
        if let (path, free) = low.first {
            if phase == .serving {
                if unlink(state.spaceReserve) == 0 { logger.notice("released the \(Self.reserveBytes >> 20) MiB space reserve for the job store") }
                logger.critical("only \(free / 1_048_576) MiB free in \(path) (minimum \(limit / 1_048_576) MiB): intake and new runs paused; queued jobs stay queued")
            }
            phase = .pausedForDisk(path: path, freeBytes: free)
        } else {
            if case .pausedForDisk = phase {
                logger.notice("free space is back above \(limit / 1_048_576) MiB: intake and runs resume")
            }
            phase = .serving
            ensureSpaceReserve()
        }
    }

    static let reserveBytes = 2 << 20

    /// Writes the space reserve if it is missing and there is room for it beyond the minimum.
    func ensureSpaceReserve() {
        let path = state.spaceReserve
        guard !FileManager.default.fileExists(atPath: path),
              let free = freeBytes(at: state.path), free > configuration.minFreeBytes + Int64(Self.reserveBytes) * 2
        else { return }
        let temporary = path + ".tmp"
        if FileManager.default.createFile(atPath: temporary, contents: Data(count: Self.reserveBytes)) {
            rename(temporary, path)
        }
    }
}
