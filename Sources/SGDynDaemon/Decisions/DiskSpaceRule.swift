/// What the daemon does about free space: the decision, as a value, from the free bytes of the
/// outbox and the state folder (issue 19, item 2).
///
/// Below `min_free_mb` in either, intake and new runs pause (running work goes on, queued jobs stay
/// queued) and the 2 MiB space reserve is given up so the job store can still record what ends;
/// both resume by themselves once there is room again, and the reserve is made again. Only a
/// serving or paused daemon is judged: starting, draining and stopped ones keep their phase.
struct DiskSpaceRule: Sendable, Equatable {
    /// `min_free_mb`, in bytes.
    var minimumFreeBytes: Int64

    /// What to do.
    enum Action: Sendable, Equatable {
        /// Leave the phase as it is.
        case ignore
        /// Pause for the first folder short of space; `announce` (release the reserve, log at
        /// critical) only when it was serving until now.
        case pause(path: String, freeBytes: Int64, announce: Bool)
        /// Serve (again); `announce` when it was paused; the reserve is made again if missing.
        case serve(announce: Bool)
    }

    /// Whether the phase is judged at all (so free space is only measured when it matters).
    static func judges(_ phase: DaemonPhase) -> Bool {
        switch phase {
        case .serving, .pausedForDisk: return true
        case .starting, .draining, .stopped: return false
        }
    }

    /// - Parameter free: each watched folder with its free bytes (nil when it cannot be measured,
    ///   which never pauses), in the order they are reported.
    func decide(phase: DaemonPhase, free: [(path: String, bytes: Int64?)]) -> Action {
        guard Self.judges(phase) else { return .ignore }
        if let low = free.first(where: { ($0.bytes ?? .max) < minimumFreeBytes }), let bytes = low.bytes {
            return .pause(path: low.path, freeBytes: bytes, announce: phase == .serving)
        }
        if case .pausedForDisk = phase { return .serve(announce: true) }
        return .serve(announce: false)
    }
}
