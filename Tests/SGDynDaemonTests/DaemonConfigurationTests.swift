import Foundation
import Testing
@testable import SGDynDaemon

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
        let c = try DaemonConfiguration(outbox: "out").applying(configFile: path)
        #expect(c.inbox == "/srv/in" && c.outbox == "out" && c.workers == 3 && c.checkpointInterval == 5)
        #expect(c.minFreeBytes == 10 * 1_048_576 && c.quietPeriod == 0.5 && c.rescanInterval == 30)
        #expect(c.databasePath == "state/sgdyn.sqlite")
    }

    @Test("unknown keys and bad values are refused, naming the key", arguments: [
        (#"{"worker": 2}"#, "unknown key 'worker'"),
        (#"{"workers": 1.5}"#, "'workers' must be an integer"),
        (#"{"checkpoint_interval": -1}"#, "'checkpoint_interval' must be a positive number"),
        (#"{"inbox": 5}"#, "'inbox' must be a folder path"),
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

    @Test("unit parameters survive the job store's JSON round trip exactly")
    func unitParameters() throws {
        let p = SGDynCoreParameters.sample
        #expect(try UnitParameters.decode(UnitParameters.encode(p)) == p)
        #expect(UnitParameters.encode(p) == UnitParameters.encode(p))
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
