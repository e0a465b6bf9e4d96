import Foundation

/// CPU time, for benchmarks on a shared machine: other users' jobs stretch wall time but not the
/// CPU time a computation itself needs, so ratios of CPU times are stable where wall-time ratios
/// swing by ±10 %. (Caches and memory bandwidth are still shared; run benchmarks when the machine
/// is as quiet as it gets.)
enum CPUClock {
    /// CPU seconds the calling thread has used.
    static func thread() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// CPU seconds (user + system) used by this process's terminated, reaped children.
    static func children() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// `body`'s result and the calling thread's CPU seconds spent in it.
    static func measure<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
        let start = thread()
        let result = try body()
        return (result, thread() - start)
    }
}
