import SGDynCore
import SGDynJobs
import SGDynStore

/// How a submission's units are grouped into array tasks. A task costs the cluster a scheduling
/// round and a process start (seconds), so units much shorter than that are grouped: units go into
/// a task, in order, until it holds `targetSeconds` of estimated work (or `units_per_task` units
/// when the config fixes it). Long units get a task each, which is also what lets Slurm spread them.
enum SlurmTaskPlan {
    /// Work per task below which units are grouped: a few scheduling latencies' worth.
    static let targetSeconds = 60.0
    /// Never more units than this in one task, so one task's failure never sets back too much.
    static let maximumUnitsPerTask = 64

    static func tasks(for units: [UnitRecord], configuration: SlurmConfiguration?) -> [[UnitID]] {
        if let fixed = configuration?.unitsPerTask {
            return stride(from: 0, to: units.count, by: fixed).map { Array(units[$0..<min(units.count, $0 + fixed)].map(\.id)) }
        }
        var tasks: [[UnitID]] = []
        var current: [UnitID] = []
        var seconds = 0.0
        for unit in units {
            let estimate = unit.spec.flatMap { try? WorkUnit(encoded: $0) }.map(WorkUnitResources.estimatedSeconds) ?? targetSeconds
            if !current.isEmpty, seconds + estimate > targetSeconds || current.count >= maximumUnitsPerTask {
                tasks.append(current)
                current = []
                seconds = 0
            }
            current.append(unit.id)
            seconds += estimate
        }
        if !current.isEmpty { tasks.append(current) }
        return tasks
    }
}
