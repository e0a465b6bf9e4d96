import ArgumentParser
import Foundation
import SGDynDaemon
import SGDynJobs
import SGDynStore

/// `sgdyn publish`: writes the bundle of a job whose bundle could not be written (state
/// `unpublished`), or retries at once one that is waiting out a backoff.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Write the bundle of an unpublished job again (after fixing what stopped it), or of a job whose bundle was deleted.",
        discussion: """
            A job whose bundle could not be written keeps its results in the job store. With the daemon \
            running, this asks it to write the bundle now and waits for the result; without a daemon, it \
            writes the bundle itself.
            """
    )

    @Argument(help: "The job's name.")
    var name: String

    @Option(help: "The daemon's state folder.")
    var state: String = "state"

    @Option(help: "The outbox (used when no daemon is running).")
    var outbox: String = "outbox"

    @Option(help: "Seconds to wait for a running daemon to write it.")
    var wait: Double = 120

    func run() async throws {
        let folder = StateFolder(state)
        guard FileManager.default.fileExists(atPath: folder.database) else { throw ValidationError("no job store at \(folder.database)") }
        let store = try JobStore.open(at: folder.database, identityFile: folder.identityFile)
        defer { try? store.close() }
        var ids = try await store.requestPublish(name: name)
        if ids.isEmpty {
            // A published job whose bundle was deleted by hand: write it again from the store.
            for job in try await store.jobs(named: name) where job.bundlePath.map({ !FileManager.default.fileExists(atPath: $0) }) ?? false {
                if try await store.requestRepublish(job.id) { ids.append(job.id) }
            }
        }
        guard !ids.isEmpty else {
            throw ValidationError("no job named '\(name)' is waiting for its bundle or has lost it (see `sgdyn status`)")
        }
        if let lock = try FileLock(path: folder.daemonLock) {
            // No daemon: write the bundles here.
            defer { lock.release() }
            for id in ids {
                let path = try await BundlePublisher.write(state: folder, outbox: outbox, jobID: id)
                try await store.markPublished(id, bundlePath: path)
                if let job = try await store.job(id), job.outcome == .rejected {
                    rename(folder.claimedFile(job.claimedName), folder.rejectedFile(job.claimedName))
                }
                print(path)
            }
            return
        }
        FileHandle.standardError.write(Data("the daemon is running: it writes the bundle now; waiting for it…\n".utf8))
        let deadline = ContinuousClock.now + .seconds(wait)
        while ContinuousClock.now < deadline {
            let jobs = try await ids.asyncMap { try await store.job($0) }.compactMap { $0 }
            if jobs.allSatisfy({ $0.state != .publishing }) {
                for job in jobs {
                    if let bundle = job.bundlePath { print(bundle) } else {
                        throw ValidationError("the bundle of '\(job.name)' could not be written: \(job.error ?? "see the daemon's log")")
                    }
                }
                return
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw ValidationError("the daemon has not written the bundle after \(Int(wait)) s; `sgdyn status` shows why")
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
