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
            do {
                try await reject(claimedName: file.name, entryName: rejected.entry.description, bytes: [],
                                 Rejection(message: "\(rejected.entry) \(rejected.reason.description)"), submitter: owner(of: file.path))
            } catch {
                noteUnrecorded(file.name, jobName: rejected.entry.description, error: error)
            }
        }
        for request in scan.cancelRequests {
            guard budgetLeft() else { return }
            if case .claimed(let file) = try intake.claimer.claim(request.entry) {
                // Who asks is the file's owner, read before the file is removed (a cancel request
                // is answered in the log, never kept).
                let requester = owner(of: file.path)
                try? FileManager.default.removeItem(atPath: file.path)
                try await requestCancel(name: request.jobName, via: "\(request.entry) in the inbox", by: requester)
            }
        }
        for ready in scan.ready {
            if intake.shouldWaitForMore(ready, logger: logger) { continue }
            guard budgetLeft() else { return }
            guard case .claimed(let file) = try intake.claimer.claim(ready.entry) else { continue }
            if let problem = file.syncProblem { logger.warning("claimed \(ready.entry) but \(problem)") }
            await admitClaimedFile(file.name, entryName: ready.entry.string ?? ready.jobName + ".json")
        }
    }

    /// Turns a claimed file into a queued job, or a rejection. A store that cannot record it now
    /// does not stop the intake: the file stays claimed and is admitted again by a retry pass
    /// (`UnrecordedClaims`), not only at the next start.
    func admitClaimedFile(_ claimedName: String, entryName: String) async {
        let defaultName = entryName.hasSuffix(".json") ? String(entryName.dropLast(5)) : entryName
        do {
            try await admitOrThrow(claimedName, entryName: entryName, defaultName: defaultName)
        } catch {
            noteUnrecorded(claimedName, jobName: defaultName, error: error)
        }
    }

    /// The admission's store write failed: logged (the first and every tenth time) and retried.
    func noteUnrecorded(_ claimedName: String, jobName: String, error: any Error) {
        noteStoreFailure(error)
        let failures = intake.unrecorded.failures + 1
        if intake.unrecorded.recordingFailed(now: .now) {
            say(.error, "could not record it (\(error)); it stays claimed and is admitted again in \(Int(RecordRetry.delay(afterAttempt: failures).seconds)) s (attempt \(failures))",
                jobName: jobName, state: "claimed", claimedName: claimedName)
        }
    }

    /// Compares the claimed folder with the store when a retry is due, and admits what the store
    /// does not know (and is not being prepared off the loop).
    func retryUnrecordedClaims() async {
        guard intake.unrecorded.isDue(now: .now) else { return }
        intake.unrecorded.beginPass()
        defer { intake.unrecorded.endPass() }
        let known: Set<String>
        do {
            known = try await store.knownClaimedNames()
        } catch {
            let failures = intake.unrecorded.failures + 1
            if intake.unrecorded.recordingFailed(now: .now) {
                logger.error("cannot read the job store to admit claimed files again (\(error)); trying again in \(Int(RecordRetry.delay(afterAttempt: failures).seconds)) s")
            }
            return
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: state.claimed)) ?? []
        for name in intake.unrecorded.namesToAdmit(claimed: names, known: known) {
            let submitted = InboxClaimer.submittedName(ofClaimedFile: name) ?? name
            logger.notice("admitting \(name) again (claimed, its earlier admission was not recorded)")
            await admitClaimedFile(name, entryName: submitted)
        }
    }

    func admitOrThrow(_ claimedName: String, entryName: String, defaultName: String) async throws {
        let bytes: [UInt8]
        let submitter: Submitter
        do {
            let read = try ClaimedFileReader.read(at: state.claimedFile(claimedName))
            bytes = read.bytes
            submitter = users.submitter(uid: read.owner)
        } catch {
            try await reject(claimedName: claimedName, entryName: entryName, bytes: [], Rejection(message: "\(entryName) \(error.description)"),
                             submitter: owner(of: state.claimedFile(claimedName)))
            return
        }
        let configuration = self.configuration
        let prepare: @Sendable () -> Result<PreparedJob, JobError> = {
            Result { () throws(JobError) in try Self.prepare(bytes, defaultName: defaultName, configuration: configuration) }
        }
        guard Self.namesFiles(bytes) else {
            try await queue(prepare(), jobName: defaultName, claimedName: claimedName, entryName: entryName, bytes: bytes, submitter: submitter)
            return
        }
        // `data`, `teacher_from`, `student_from`: files beneath the data folder or the outbox are
        // read (headers, a CSV's lines, up to 64 MiB of weights) off the loop, which must not wait
        // on a slow disk; the job is queued when they have been read. Until then it stays in
        // state/claimed/, so a daemon that stops meanwhile admits it again at its next start.
        say(.info, "reading the files it names before queueing it (off the loop)", jobName: defaultName, state: "claimed", claimedName: claimedName)
        intake.unrecorded.started(claimedName)
        offLoop("reading the files job \(defaultName) names", timeout: Self.jobFilesTimeout, work: prepare) { daemon, result in
            daemon.intake.unrecorded.finished(claimedName)
            let prepared: Result<PreparedJob, JobError>
            switch result {
            case .success(let outcome): prepared = outcome
            case .failure(let error):
                prepared = .failure(JobError("its files could not be read: \(error) (a slow or hung file system?); drop it again when the folder answers"))
            }
            do {
                try await daemon.queue(prepared, jobName: defaultName, claimedName: claimedName, entryName: entryName, bytes: bytes, submitter: submitter)
            } catch {
                daemon.noteUnrecorded(claimedName, jobName: defaultName, error: error)
            }
        }
    }

    /// How long reading the files a job names may take before the job is rejected.
    static let jobFilesTimeout: Duration = .seconds(120)

    /// Whether a job file names files the daemon must read before it can queue it.
    static func namesFiles(_ bytes: [UInt8]) -> Bool {
        guard case .object(let members)? = try? JSONParser.parse(bytes) else { return false }
        return members.contains { JobParser.fileKeys.contains($0.key) }
    }

    /// A validated job and its units, ready for the store.
    struct PreparedJob: Sendable {
        var spec: JobSpec
        var units: [NewUnit]
    }

    /// Parses and validates a job file, reads the files it names, and splits it into units: pure
    /// work on values (and, for `data`/`teacher_from`, reads beneath the configured folders), so
    /// it can run off the loop.
    nonisolated static func prepare(_ bytes: [UInt8], defaultName: String, configuration: DaemonConfiguration) throws(JobError) -> PreparedJob {
        var spec = try JobParser.parse(bytes, defaultName: defaultName, dataFolder: configuration.dataFolder)
        try configuration.slurm?.check(spec.slurm, executor: configuration.executor)
        // Checked beneath the daemon's data_folder; read by Slurm tasks where the nodes see it.
        if configuration.executor == .slurm, let nodes = configuration.slurm?.dataFolder { spec = spec.withDataFolder(nodes) }
        // teacher_from / student_from: the arrays are read here, once (headers, shapes and
        // values checked; bounded by `WeightReference.maxUnitBytes`), and travel in the
        // units, so workers and Slurm nodes never read the outbox.
        spec = try spec.readingWeights(outbox: configuration.outbox)
        let units = JobPlan.units(of: spec).map { unit in
            NewUnit(kind: unit.kind == .simulation ? .simulation : .ode, pointIndex: unit.pointIndex, seed: unit.seed,
                    spec: unit.work.encoded(), totalSteps: unit.totalSteps)
        }
        return PreparedJob(spec: spec, units: units)
    }

    /// Records a prepared job as queued, or its rejection.
    func queue(_ prepared: Result<PreparedJob, JobError>, jobName defaultName: String, claimedName: String, entryName: String, bytes: [UInt8],
               submitter: Submitter) async throws {
        let spec: JobSpec, units: [NewUnit]
        switch prepared {
        case .success(let job):
            (spec, units) = (job.spec, job.units)
        case .failure(let error):
            try await reject(claimedName: claimedName, entryName: entryName, bytes: bytes,
                             Rejection(message: error.message, key: error.key, line: error.line, column: error.column), submitter: submitter)
            return
        }
        let (priority, priorityWarning) = SubmitterRights.priority(
            requested: spec.priority, cap: configuration.maxPriority, isAdmin: users.isAdmin(submitter.uid, adminGroup: configuration.adminGroup))
        let job = NewJob(name: defaultName, bundleName: spec.name, priority: priority, submittedAt: Date(), claimedName: claimedName,
                         jobBytes: bytes, spec: spec.storedForm(), units: units, submitter: submitter)
        switch try await store.insertJob(job) {
        case .inserted(let id):
            say(.info, "queued from \(entryName), submitted by \(submitter.name): \(spec.kind.rawValue), \(spec.points.count) sweep point(s) × \(spec.seeds.count) seed(s), \(units.count) unit(s), priority \(priority) (id \(id))",
                jobName: defaultName, state: "queued", claimedName: claimedName)
            if let priorityWarning { say(.warning, priorityWarning, jobName: defaultName, state: "queued", claimedName: claimedName) }
            let others = try await store.otherSubmittersUsing(bundleName: spec.name, besides: submitter)
            if !others.isEmpty {
                say(.notice, "the bundle name '\(spec.name)' is already used by \(others.joined(separator: ", ")); if that bundle is in the outbox when this one is written, this one is named '\(BundleNaming.personalName(spec.name, submitter: submitter.name))' (never numbered into someone else's name)",
                    jobName: defaultName, state: "queued", claimedName: claimedName)
            }
            for warning in spec.warnings { say(.warning, warning, jobName: defaultName, state: "queued", claimedName: claimedName) }
            if spec.slurm != nil, configuration.executor != .slurm {
                say(.warning, "its \"slurm\" request is ignored: this daemon runs jobs with the \(configuration.executor) executor",
                    jobName: defaultName, state: "queued", claimedName: claimedName)
            }
        case .duplicate(let other, let name):
            try await reject(claimedName: claimedName, entryName: entryName, bytes: bytes, Rejection(
                message: "duplicate: the same bytes as job '\(name)' (id \(other)), which is still queued or running; it was not queued again"),
                submitter: submitter)
        }
    }

    /// Records a claimed file that is not a job; its rejection bundle is written by `publishReadyJobs`.
    func reject(claimedName: String, entryName: String, bytes: [UInt8], _ rejection: Rejection, submitter: Submitter?) async throws {
        let name = ResultBundle.rejectionName(forFile: entryName)
        say(.error, "rejected \(entryName)\(submitter.map { " (submitted by \($0.name))" } ?? ""): \(rejection.message)",
            jobName: name, state: "rejected", claimedName: claimedName)
        try await store.insertRejection(NewRejection(bundleName: name, submittedAt: Date(), claimedName: claimedName, jobBytes: bytes,
                                                     rejection: rejection, submitter: submitter))
    }

    /// The owner of a claimed file as a submitter; nil when it cannot be examined.
    func owner(of path: String) -> Submitter? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return users.submitter(uid: status.st_uid)
    }

    /// Files in `state/claimed/` the store does not know: claimed just before a crash. They are
    /// admitted now, exactly as if they had just been claimed.
    func reconcileClaimedFiles() async throws {
        let known = try await store.knownClaimedNames()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: state.claimed)) ?? []
        for name in names.sorted() where !known.contains(name) && !name.hasPrefix(".") {
            let submitted = InboxClaimer.submittedName(ofClaimedFile: name) ?? name
            logger.notice("found \(name) claimed but not recorded (the daemon stopped in between); admitting it now")
            await admitClaimedFile(name, entryName: submitted)
        }
    }

    /// Marks the named job for cancellation if `requester` may cancel it (`SubmitterRights`); the
    /// loop stops it and publishes what finished. A refusal is logged (also in the job's own log)
    /// and changes nothing. An unknown requester (the file vanished) is refused.
    func requestCancel(name: String, via source: String, by requester: Submitter?) async throws {
        let jobs = try await store.activeJobs(named: name)
        if jobs.isEmpty {
            logger.warning("cancel request for '\(name)' (\(source)\(requester.map { ", from \($0.name)" } ?? "")): no queued or running job has that name")
            return
        }
        guard let requester else {
            logger.warning("cancel request for '\(name)' (\(source)) refused: its owner cannot be told (the file was gone)", metadata: ["job": "\(name)"])
            return
        }
        let (allowed, refused) = SubmitterRights.cancellable(
            jobs, by: requester, isAdmin: users.isAdmin(requester.uid, adminGroup: configuration.adminGroup))
        for job in refused {
            let owner = job.submitter.map { "\($0.name)'s" } ?? "a job whose submitter is not recorded, so only an administrator's"
            logger.warning("cancel request for '\(name)' (\(source)) from \(requester.name) refused: job \(job.id) is \(owner); only its submitter, root or a member of the admin group may cancel it",
                           metadata: ["job": "\(name)"])
            if let record = try await store.job(job.id) {
                jobLog.append(.warning, "a cancel request from \(requester.name) (\(source)) was refused: only its submitter or an administrator may cancel it",
                              claimedName: record.claimedName)
            }
        }
        let flagged = try await store.requestCancel(allowed)
        if !flagged.isEmpty {
            logger.notice("cancel requested for '\(name)' (\(source)) by \(requester.name)", metadata: ["job": "\(name)"])
        }
    }

    /// Pauses intake and new runs while the outbox or state folder is nearly full. A small reserve
    /// file in the state folder is given up while space is low, so that the job store can still
    /// record what happens (a worker that stopped, a job to resume) on a full disk; it is made
    /// again once space is back.
    func checkFreeSpace() {
        // Free space is only measured when the phase is judged (`DiskSpaceRule`).
        guard DiskSpaceRule.judges(phase) else { return }
        let limit = configuration.minFreeBytes
        let free = [configuration.outbox, state.path].map { (path: $0, bytes: freeBytes(at: $0)) }
        switch DiskSpaceRule(minimumFreeBytes: limit).decide(phase: phase, free: free) {
        case .ignore:
            return
        case .pause(let path, let bytes, let announce):
            if announce {
                if unlink(state.spaceReserve) == 0 { logger.notice("released the \(Self.reserveBytes >> 20) MiB space reserve for the job store") }
                logger.critical("only \(bytes / 1_048_576) MiB free in \(path) (minimum \(limit / 1_048_576) MiB): intake and new runs paused; queued jobs stay queued")
            }
            phase = .pausedForDisk(path: path, freeBytes: bytes)
        case .serve(let announce):
            if announce { logger.notice("free space is back above \(limit / 1_048_576) MiB: intake and runs resume") }
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
