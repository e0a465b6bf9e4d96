import Foundation

/// A value shared between threads, reachable only while holding its lock: what the unit threads,
/// the executors, the child-process table and the inbox watchers keep in common with the daemon.
///
/// It stands in for the standard library's `Synchronization.Mutex` because ThreadSanitizer
/// cannot see that one's hand-over when it is contended (its futex path is not instrumented) and
/// reports every access made under it as a race — which would hide real races behind
/// suppressions. This lock is a `pthread_mutex_t` (through `NSLock`), which ThreadSanitizer
/// intercepts, so `make sanitize` checks these accesses for real. None of its users is a hot
/// loop: they take it a few times per chunk of work or per event.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with the value while holding the lock; nothing else reaches the value meanwhile.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
