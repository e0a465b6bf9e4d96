import Foundation
import Logging
import SGDynCore
import SGDynJobs
import SGDynStore

/// Intake: inbox entries become queued jobs, rejection bundles or cancel requests. A file is
/// claimed (renamed out of the inbox into `state/claimed/`) before anything else happens to it,
/// so two daemons on one inbox never both take it, and a crash after the claim is repaired at
/// start-up from the claimed folder.
extension Daemon {
    func startWatcher() {
        let (candidate, decision) = InboxWatcherFactory.makeWatcher(for: configuration.inbox)
        var chosen: any InboxWatcher = candidate
        do {
            try candidate.start()
        } catch {
            logger.warning("inotify watch on \(configuration.inbox) failed (\(error)); polling instead")
            chosen = PollingInboxWatcher(directory: configuration.inbox, interval: .seconds(2))
            try? chosen.start()
        }
        let level: Logger.Level = decision.mechanism == .polling ? .notice : .info
        logger.log(level: level, "watching the inbox with \(chosen.mechanism): \(decision.reason)")
        watcher = chosen
        let stream = chosen.hints
        Task { [wake] in
            for await hint in stream { wake.yield(.inboxHint(hint)) }
        }
    }

    func switchToPolling(_ reason: String) {
        logger.warning("the inbox watch ended (\(reason)); polling the inbox instead")
        watcher?.stop()
        let polling = PollingInboxWatcher(directory: configuration.inbox, interval: .seconds(2))
        try? polling.start()
        watcher = polling
        let stream = polling.hints
        Task { [wake] in
            for await hint in stream { wake.yield(.inboxHint(hint)) }
        }
    }

    /// Lists the inbox and handles what is ready. The listing is cheap; it runs every cycle.
    func intake() async throws {
        let scan: InboxScan
        do {
            scan = try scanner.scan()
        } catch {
            logger.error("cannot list the inbox \(configuration.inbox): \(error)")
            return
        }
        for rejected in scan.rejected where rejected.isNew {
            try await rejectEntry(rejected.entry, reason: rejected.reason.description)
        }
        for request in scan.cancelRequests {
            if case .claimed(let file) = try claimer.claim(request.entry) {
                try? FileManager.default.removeItem(atPath: file.path)
                try await requestCancel(name: request.jobName, via: "\(request.entry).cancel in the inbox")
            }
        }
        for ready in scan.ready {
            guard case .claimed(let file) = try claimer.claim(ready.entry) else { continue }
            if let problem = file.syncProblem { logger.warning("claimed \(ready.entry) but \(problem)") }
            try await admitClaimedFile(at: file.path, entryName: ready.entry.string ?? ready.jobName + ".json")
        }
    }

    /// Turns a claimed file into a queued job, or a rejection bundle.
    func admitClaimedFile(at path: String, entryName: String) async throws {
        let bytes: [UInt8]
        do {
            bytes = try ClaimedFileReader.readBytes(at: path)
        } catch {
            try await publishRejection(claimedPath: path, entryName: entryName, bytes: [], message: "\(entryName) \(error.description)", key: nil)
            return
        }
        let defaultName = entryName.hasSuffix(".json") ? String(entryName.dropLast(5)) : entryName
        let spec: JobSpec
        do {
            spec = try JobParser.parse(bytes, defaultName: defaultName)
        } catch {
            try await publishRejection(claimedPath: path, entryName: entryName, bytes: bytes, message: error.message, key: error.key,
                                       line: error.line, column: error.column)
            return
        }
        // Simulation units; an `ode` job has none (its integrations run when it is published).
        let units = spec.kind == .ode ? [] : spec.runs.map { NewUnit(parametersJSON: UnitParameters.encode($0.parameters), totalSteps: Int64($0.parameters.totalSteps)) }
        let job = NewJob(name: spec.name, bundleName: spec.name, priority: spec.priority, submittedAt: Date(), claimedPath: path,
                         jobBytes: bytes, normalisedJobJSON: JSONWriter.string(spec.normalised, pretty: false), units: units)
        switch try await store.insertClaimedJob(job) {
        case .inserted(let id):
            say(.info, "queued from \(entryName): \(spec.kind.rawValue), \(spec.points.count) sweep point(s) × \(spec.seeds.count) seed(s), priority \(spec.priority) (id \(id))",
                jobName: spec.name, state: "queued", claimedPath: path)
            for warning in spec.warnings { say(.warning, warning, jobName: spec.name, state: "queued", claimedPath: path) }
        case .duplicate(let other, let name):
            try await publishRejection(claimedPath: path, entryName: entryName, bytes: bytes,
                                       message: "duplicate: the same bytes as job '\(name)' (id \(other)), which is still queued or running; it was not queued again",
                                       key: nil)
        }
    }

    /// Rejects a hostile or unreadable inbox entry: claims it (so it leaves the inbox) and writes
    /// its rejection bundle.
    func rejectEntry(_ entry: InboxEntryName, reason: String) async throws {
        guard case .claimed(let file) = try claimer.claim(entry) else { return }
        try await publishRejection(claimedPath: file.path, entryName: entry.description, bytes: [], message: "\(entry) \(reason)", key: nil)
    }

    /// Writes a rejection bundle and moves the claimed file to `state/rejected/` (kept, never lost).
    func publishRejection(claimedPath: String, entryName: String, bytes: [UInt8], message: String, key: String?,
                          line: Int? = nil, column: Int? = nil) async throws {
        let name = ResultBundle.rejectionName(forFile: entryName)
        say(.error, "rejected \(entryName): \(message)", jobName: name, state: "rejected", claimedPath: claimedPath)
        let kept = (configuration.rejectedDirectory as NSString).appendingPathComponent((claimedPath as NSString).lastPathComponent)
        let error = JobError(message, key: key, line: line, column: column)
        var files = ResultBundle.rejection(name: name, jobBytes: bytes, error: error, log: jobLog.lines(forClaimed: claimedPath))
        files.append(BundleFile(path: "kept-at.txt", text: "The file as dropped is kept on the server at \(kept)\n"))
        let outbox = URL(fileURLWithPath: configuration.outbox)
        let source = (claimedPath as NSString).lastPathComponent
        do {
            if let published = BundleWriter.existingBundle(name: name, source: source, outbox: outbox) {
                logger.notice("rejection bundle \(published.path) was already written before the daemon stopped", metadata: ["job": "\(name)"])
            } else {
                let folder = try BundleWriter.write(files, name: name, outbox: outbox, source: source)
                logger.info("rejection bundle written: \(folder.path)", metadata: ["job": "\(name)"])
            }
        } catch let failure as BundleWriteError where failure.isOutOfSpace {
            logger.critical("cannot write the rejection bundle of \(entryName): \(failure); it is retried at start-up")
            return
        }
        if rename(claimedPath, kept) != 0 {
            logger.error("cannot move \(claimedPath) to \(kept): \(String(cString: strerror(errno)))")
        }
    }

    /// Files in `state/claimed/` the store does not know: claimed just before a crash. They are
    /// admitted now, exactly as if they had just been claimed.
    func reconcileClaimedFiles() async throws {
        let known = try await store.knownClaimedPaths()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: claimer.claimedDirectory)) ?? []
        for name in names.sorted() {
            let path = (claimer.claimedDirectory as NSString).appendingPathComponent(name)
            guard !known.contains(path) else { continue }
            let submitted = InboxClaimer.submittedName(ofClaimedFile: name) ?? name
            logger.notice("found \(name) claimed but not recorded (the daemon stopped in between); admitting it now")
            try await admitClaimedFile(at: path, entryName: submitted)
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

    /// Pauses intake and scheduling while the outbox or state folder is nearly full. A small
    /// reserve file in the state folder is given up while space is low, so that the job store can
    /// still record what happens (a worker that stopped, a job to resume) on a full disk; it is
    /// made again once space is back.
    func checkFreeSpace() {
        let limit = configuration.minFreeBytes
        let low = [configuration.outbox, configuration.state].compactMap { path in
            freeBytes(at: path).flatMap { $0 < limit ? (path, $0) : nil }
        }
        if let (path, free) = low.first {
            if !intakePaused {
                intakePaused = true
                if unlink(configuration.reservePath) == 0 { logger.notice("released the \(Daemon.reserveBytes >> 20) MiB space reserve for the job store") }
                logger.critical("only \(free / 1_048_576) MiB free in \(path) (minimum \(limit / 1_048_576) MiB): intake and new runs paused; queued jobs stay queued")
            }
        } else {
            if intakePaused {
                intakePaused = false
                logger.notice("free space is back above \(limit / 1_048_576) MiB: intake and runs resume")
            }
            ensureSpaceReserve()
        }
    }

    static let reserveBytes = 2 << 20

    /// Writes the space reserve if it is missing and there is room for it beyond the minimum.
    func ensureSpaceReserve() {
        let path = configuration.reservePath
        guard !FileManager.default.fileExists(atPath: path),
              let free = freeBytes(at: configuration.state), free > configuration.minFreeBytes + Int64(Daemon.reserveBytes) * 2
        else { return }
        let temporary = path + ".tmp"
        if FileManager.default.createFile(atPath: temporary, contents: Data(count: Daemon.reserveBytes)) {
            rename(temporary, path)
        }
    }
}
