import Foundation
import Testing
@testable import SGDynDaemon
import SGDynJobs

@Suite("Daemon configuration")
struct DaemonConfigurationTests {
    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-config-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a config file sets every key it names and leaves the rest")
    func applies() throws {
        let path = try Self.file(#"{"inbox": "/srv/in", "workers": 3, "checkpoint_interval": 5, "min_free_mb": 10, "quiet_period": 0.5}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var start = DaemonConfiguration()
        start.outbox = "out"
        let c = try start.applying(configFile: path)
        #expect(c.inbox == "/srv/in" && c.outbox == "out" && c.workers == 3 && c.checkpointInterval == 5)
        #expect(c.minFreeBytes == 10 * 1_048_576 && c.quietPeriod == 0.5 && c.incompleteWait == 60 && c.executor == .local)
        #expect(StateFolder("/var/lib/sgdyn").database == "/var/lib/sgdyn/sgdyn.sqlite")
    }

    @Test("admin_group and max_priority are read, and SIGHUP takes them")
    func severalUsersKeys() throws {
        let path = try Self.file(#"{"admin_group": "sgdyn-admin", "max_priority": 10}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = try DaemonConfiguration().applying(configFile: path)
        #expect(c.adminGroup == "sgdyn-admin" && c.maxPriority == 10)
        #expect(DaemonConfiguration().maxPriority == 0 && DaemonConfiguration().adminGroup == nil)
        var running = DaemonConfiguration()
        running.adoptReloadable(from: c, available: [.local])
        #expect(running.adminGroup == "sgdyn-admin" && running.maxPriority == 10)
    }

    @Test("unknown keys and bad values are refused, naming the key", arguments: [
        (#"{"worker": 2}"#, "unknown key 'worker'"),
        (#"{"workers": 1.5}"#, "'workers' must be an integer"),
        (#"{"executor": "slurm"}"#, "needs a \"slurm\" object"),
        (#"{"executor": "kubernetes"}"#, "'executor' must be \"local\""),
        (#"{"slurm": {"partition": "debug"}}"#, "needs \"spool\""),
        (#"{"slurm": {"spool": "/s", "qos2": "x"}}"#, "unknown key 'qos2'"),
        (#"{"slurm": {"spool": "/s", "time_limit": "1:99:00"}}"#, "'slurm.time_limit' must be a Slurm time"),
        (#"{"stall_warning": 100, "stall_kill": 50}"#, "'stall_kill' (50.0 s) must be longer"),
        (#"{"checkpoint_interval": -1}"#, "'checkpoint_interval' must be a number from 0.001 to 86400 (s)"),
        (#"{"inbox": 5}"#, "'inbox' must be a folder path"),
        (#"{"max_priority": 2000000}"#, "'max_priority' must be an integer from -1000000 to 1000000"),
        (#"{"admin_group": "a b"}"#, "'admin_group' must be a group name"),
        (#"[1]"#, "must be a JSON object"),
        (#"{"workers": 2,}"#, "line 1, column 15"),
    ])
    func refuses(text: String, fragment: String) throws {
        let path = try Self.file(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try DaemonConfiguration().applying(configFile: path)
            Issue.record("accepted \(text)")
        } catch {
            #expect("\(error)".contains(fragment), "\(error)")
        }
    }

    @Test("a state folder is locked by one daemon at a time")
    func stateLock() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sgdyn-lock-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try #require(try FileLock(path: path))
        // flock locks belong to the open file description: a second open in the same process
        // conflicts exactly as another process would.
        #expect(try FileLock(path: path) == nil)
        first.release()
        #expect(try FileLock(path: path) != nil)
    }

    @Test("a Slurm section is read whole, and a job's request is checked against it")
    func slurm() throws {
        let path = try Self.file(#"""
            {"executor": "slurm", "slurm": {"spool": "/shared/spool", "partition": "debug", "partitions": ["debug", "long"],
             "time_limit": "1:00:00", "max_time_limit": "2-00:00:00", "cpus_per_task": 2, "max_running": 8,
             "extra_sbatch_args": ["--constraint=avx2"], "signal_seconds": 90}}
            """#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = try DaemonConfiguration().applying(configFile: path)
        let slurm = try #require(c.slurm)
        #expect(c.executor == .slurm && slurm.spool == "/shared/spool" && slurm.timeLimitSeconds == 3600)
        #expect(slurm.maxTimeLimitSeconds == 2 * 86_400 && slurm.cpusPerTask == 2 && slurm.maxRunning == 8)
        #expect(slurm.extraSbatchArguments == ["--constraint=avx2"] && slurm.signalSeconds == 90)
        try slurm.check(SlurmRequest(partition: "long", timeLimitSeconds: 86_400), executor: .slurm)
        #expect(throws: JobError.self) { try slurm.check(SlurmRequest(partition: "gpu"), executor: .slurm) }
        do {
            try slurm.check(SlurmRequest(timeLimitSeconds: 3 * 86_400), executor: .slurm)
            Issue.record("a time limit over max_time_limit was accepted")
        } catch {
            #expect(error.key == "slurm.time_limit")
        }
        // The local executor ignores the request.
        try slurm.check(SlurmRequest(partition: "gpu"), executor: .local)
    }

    @Test("a work unit survives its binary form exactly, and damage is detected")
    func workUnit() throws {
        let p = SGDynCoreParameters.sample
        let simulation = WorkUnit(.simulation(p))
        #expect(try WorkUnit(encoded: simulation.encoded()) == simulation)
        let ode = WorkUnit(.ode(ODEWork(parameters: p, method: .adaptive(rtol: 1e-9, atol: 1e-13), start: .drawn, times: .simulationRecords)))
        #expect(try WorkUnit(encoded: ode.encoded()) == ode)
        var damaged = ode.encoded()
        damaged[20] ^= 1
        #expect(throws: WorkUnitDecodingError.self) { try WorkUnit(encoded: damaged) }
    }
}

import SGDynCore

enum SGDynCoreParameters {
    static let sample = SimulationParameters(N: 123, M: 3, K: 5, teacherActivation: .relu, studentActivation: .linear,
                                             learningRate: 0.1 + 0.2, secondLayerLearningRate: 1e-3, noise: 0.01,
                                             weightDecay: 1e-5, batchSize: 4, trainSecondLayer: true, studentInit: .mixed,
                                             teacherSecondLayer: .constant(-0.7), trainingSetRatio: 2.5, tMax: 12.5,
                                             points: 17, seed: 18_446_744_073_709_551_557, monteCarloTestSize: 99)
}
