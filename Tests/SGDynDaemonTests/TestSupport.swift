import SGDynJobs
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder for one test, removed when released.
final class TemporaryFolder: Sendable {
    let path: String

    init(_ prefix: String = "sgdyn-daemon") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let target = file(name)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }

    func subfolder(_ name: String) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        return target
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A monotonic clock the test steps by hand.
final class ManualClock: Sendable {
    private let current = Locked(ContinuousClock.now)
    func now() -> ContinuousClock.Instant { current.withLock { $0 } }
    func advance(by duration: Duration) { current.withLock { $0 = $0.advanced(by: duration) } }
}

/// Runs `body` on a new thread and waits at most `timeout` for it; nil when it did not finish in
/// time (the thread is then left behind, and the test fails instead of hanging).
func runOnThread<T: Sendable>(timeout: Duration, _ body: @escaping @Sendable () -> T) -> T? {
    let result = Locked<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        let value = body()
        result.withLock { $0 = value }
        done.signal()
    }
    thread.start()
    let milliseconds = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    guard done.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else { return nil }
    return result.withLock { $0 }
}

/// The first element of `stream` within `timeout`, or nil (timed out, or the stream finished).
func firstElement<Element: Sendable>(of stream: AsyncStream<Element>, within timeout: Duration) async -> Element? {
    await value(within: timeout, otherwise: nil) {
        for await element in stream { return element }
        return nil
    }
}

/// What `body` returns, or `otherwise` when it takes longer than `timeout` (the body is then
/// cancelled).
func value<T: Sendable>(within timeout: Duration, otherwise: T, _ body: @escaping @Sendable () async -> T) async -> T {
    await withTaskGroup(of: T.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return otherwise
        }
        let first = await group.next() ?? otherwise
        group.cancelAll()
        return first
    }
}

/// Whether `stream` finishes within `timeout`, discarding elements.
func finishes<Element: Sendable>(_ stream: AsyncStream<Element>, within timeout: Duration) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            for await _ in stream {}
            return !Task.isCancelled
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
}
