import Foundation
import SGDynStore
import Testing

/// The daemon's store under another process's lock: with a short lock wait, a write fails fast
/// with `JobStoreError.busy` (not after the 10 s default), `probeWriteLock` tells a held lock from
/// a free one although reads go on (WAL), and nothing written is lost once the lock is gone.
@Suite("JobStore: another process holding the lock")
struct LockWaitTests {
    /// A real `sqlite3` session holding BEGIN EXCLUSIVE, as an operator's would.
    final class LockHolder {
        let process = Process()
        let input = Pipe()
        init(_ path: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            process.arguments = ["-batch", path]
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            input.fileHandleForWriting.write(Data("PRAGMA busy_timeout = 30000;\nBEGIN EXCLUSIVE;\nSELECT 1;\n".utf8))
        }
        func release() {
            input.fileHandleForWriting.write(Data("COMMIT;\n.quit\n".utf8))
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    @Test func aShortLockWaitFailsFastWithBusyAndProbesTellWhenTheLockIsGone() async throws {
        let temporary = try TemporaryDatabase()
        let store = try temporary.open()
        let first = try await store.insertJob(sampleJob("before")).insertedID()
        try await store.limitLockWait(to: .milliseconds(200))
        try await store.probeWriteLock()  // free: succeeds

        let holder = try LockHolder(temporary.path)
        // Wait (bounded) until the holder has the lock: the probe fails with busy.
        var locked = false
        for _ in 0..<100 {
            do { try await store.probeWriteLock() } catch JobStoreError.busy { locked = true; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(locked, "sqlite3 took BEGIN EXCLUSIVE")

        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: JobStoreError.busy(path: temporary.path)) { try await store.insertJob(sampleJob("during")) }
        let waited = clock.now - started
        // The lock wait is 0.2 s; 5 s leaves room for a loaded machine and is still half the default
        // 10 s, so a store that ignored the limit fails this.
        #expect(waited < .seconds(5), "failed after \(waited)")
        #expect(try await store.listJobs().map(\.name) == ["before"], "reads go on beside the lock (WAL)")

        holder.release()
        try await store.probeWriteLock()
        try await store.startRun(first)
        _ = try await store.insertJob(sampleJob("after")).insertedID()
        #expect(try await store.listJobs().map(\.name) == ["before", "after"])
    }
}
