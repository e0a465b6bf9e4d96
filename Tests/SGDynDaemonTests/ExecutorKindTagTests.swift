@testable import SGDynDaemon
import Testing

/// Executor kinds and task states are stored in the job store (submissions.executor,
/// jobs' executor, units.executor_state) and read by `sgdyn status`, its JSON and scripts: the
/// stored words must never change, whatever the Swift names become.
@Suite("executor kinds and task states keep their stored tags")
struct ExecutorKindTagTests {
    @Test func storedExecutorTagsNeverChange() {
        // As written by every sgdyn since 0.2 into the submissions table.
        let stored: [String: ExecutorKind] = ["local": .local, "slurm": .slurm]
        for (tag, kind) in stored {
            #expect(kind.rawValue == tag)
            #expect(ExecutorKind(rawValue: tag) == kind)
            #expect(ExecutorRegistry.standard.registration(for: ExecutorKind(rawValue: tag)) != nil, "\(tag) is no longer registered")
        }
        // One registration per tag (a new executor adds its own; it never reuses a stored one).
        #expect(Set(ExecutorRegistry.standard.kinds).count == ExecutorRegistry.standard.kinds.count)
        #expect(LocalExecutor.registration.kind == .local && SlurmExecutor.registration.kind == .slurm)
    }

    @Test func storedTaskStateWordsNeverChange() {
        // The store counts WAITING and PENDING units as not running (JobStore.summaries).
        let stored: [String: ExecutorTaskState] = ["WAITING": .waiting, "PENDING": .pending, "RUNNING": .running, "STALLED": .stalled]
        for (word, state) in stored {
            #expect(state.word == word)
            #expect(ExecutorTaskState(word: word) == state)
        }
        #expect(ExecutorTaskState(word: "COMPLETING") == .other("COMPLETING"))
        #expect(ExecutorTaskState.other("CONFIGURING").word == "CONFIGURING")
    }

    @Test func theConfigNamesTheRegisteredKinds() throws {
        #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration().applying(configJSON: Array(#"{"executor": "condor"}"#.utf8), path: "c.json")
        }
        do {
            _ = try DaemonConfiguration().applying(configJSON: Array(#"{"executor": "condor"}"#.utf8), path: "c.json")
        } catch {
            // Every registered kind is named (a new executor's too, with no edit here).
            let named = ExecutorRegistry.standard.kindList { "\"\($0)\"" }
            #expect(error.description == #"c.json: key 'executor' must be \#(named), got "condor""#)
        }
        let slurm = try DaemonConfiguration().applying(configJSON: Array(#"{"executor": "slurm", "slurm": {"spool": "/tmp/s"}}"#.utf8), path: "c.json")
        #expect(slurm.executor == .slurm)
    }
}
