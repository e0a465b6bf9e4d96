import SGDynJobs
import Foundation
import Synchronization
@testable import SGDynDaemon
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("InboxClaimer: exactly-once claims")
struct InboxClaimerTests {
    @Test func movesTheFileIntoTheClaimedFolder() throws {
        let folder = try TemporaryFolder()
        let inbox = try folder.subfolder("inbox")
        let claimer = try InboxClaimer(inbox: inbox, claimedDirectory: folder.file("state") + "/claimed")
        try TemporaryFolder.write(in: inbox, "alpha.json", "{\"N\": 5}")

        guard case let .claimed(claimed) = try claimer.claim(InboxEntryName("alpha.json")) else {
            Issue.record("the claim did not succeed")
            return
        }
        #expect(claimed.syncProblem == nil)
        #expect((claimed.path as NSString).deletingLastPathComponent == folder.file("state/claimed"))
        let fileName = (claimed.path as NSString).lastPathComponent
        #expect(fileName.hasSuffix("-alpha.json"))
        #expect(InboxClaimer.submittedName(ofClaimedFile: fileName) == "alpha.json")
        #expect(try String(contentsOfFile: claimed.path, encoding: .utf8) == "{\"N\": 5}")
        #expect(!FileManager.default.fileExists(atPath: inbox + "/alpha.json"))
        #expect(try claimer.claim(InboxEntryName("alpha.json")) == .alreadyTaken)
    }

    @Test func racingClaimersTakeEveryFileExactlyOnce() throws {
        let folder = try TemporaryFolder()
        let inbox = try folder.subfolder("inbox")
        let fileCount = 200
        let claimerCount = 4
        for index in 0..<fileCount { try TemporaryFolder.write(in: inbox, "job\(index).json", "contents \(index)") }
        let claimers = try (0..<claimerCount).map { _ in try InboxClaimer(inbox: inbox, claimedDirectory: folder.file("state") + "/claimed") }

        let wins = Locked<[String: [String]]>([:])  // entry name → claimed paths
        let losses = Atomic<Int>(0)
        let failures = Locked<[String]>([])
        let ready = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        for claimerIndex in 0..<claimerCount {
            ready.enter()
            finished.enter()
            let claimer = claimers[claimerIndex]
            Thread {
                ready.leave()
                start.wait()
                // Each thread walks the files from a different starting point, so they collide.
                for step in 0..<fileCount {
                    let name = "job\((step + claimerIndex * fileCount / claimerCount) % fileCount).json"
                    do {
                        switch try claimer.claim(InboxEntryName(name)) {
                        case let .claimed(file): wins.withLock { $0[name, default: []].append(file.path) }
                        case .alreadyTaken: losses.add(1, ordering: .relaxed)
                        }
                    } catch {
                        failures.withLock { $0.append("\(name): \(error)") }
                    }
                }
                finished.leave()
            }.start()
        }
        ready.wait()
        for _ in 0..<claimerCount { start.signal() }
        #expect(finished.wait(timeout: .now() + 60) == .success)

        #expect(failures.withLock { $0 }.isEmpty)
        let claimedPaths = wins.withLock { $0 }
        #expect(claimedPaths.count == fileCount)
        #expect(claimedPaths.values.allSatisfy { $0.count == 1 })
        #expect(losses.load(ordering: .relaxed) == fileCount * (claimerCount - 1))
        #expect(try FileManager.default.contentsOfDirectory(atPath: inbox).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("state/claimed")).count == fileCount)
        for (name, paths) in claimedPaths {
            let index = name.dropFirst(3).dropLast(5)
            #expect(try String(contentsOfFile: paths[0], encoding: .utf8) == "contents \(index)")
        }
    }

    @Test func movesHostileEntriesOutUnderATameName() throws {
        let folder = try TemporaryFolder()
        let inbox = try folder.subfolder("inbox")
        let claimer = try InboxClaimer(inbox: inbox, claimedDirectory: folder.file("state") + "/claimed")
        try FileSystemFixtures.fifo(at: inbox + "/pipe.json")
        try FileManager.default.createDirectory(atPath: inbox + "/folder.json", withIntermediateDirectories: false)
        let rawName: [UInt8] = [0x62, 0xFF, 0x20, 0x1B] + Array(".json".utf8)
        try FileSystemFixtures.file(named: rawName, in: inbox, contents: "{}")

        for entry in [InboxEntryName("pipe.json"), InboxEntryName("folder.json"), InboxEntryName(bytes: rawName)] {
            guard case let .claimed(file) = try claimer.claim(entry) else {
                Issue.record("\(entry) was not claimed")
                continue
            }
            let name = (file.path as NSString).lastPathComponent
            #expect(name.utf8.allSatisfy(JobFileNaming.isSafeNameByte))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: inbox).isEmpty)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/shm") && differentDevices("/dev/shm", NSTemporaryDirectory())))
    func refusesAStateFolderOnAnotherFilesystem() throws {
        let inbox = try TemporaryFolder()
        let state = "/dev/shm/sgdyn-claim-test-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: state) }
        #expect(throws: ClaimError.self) { try InboxClaimer(inbox: inbox.path, claimedDirectory: state + "/claimed") }
    }
}

func differentDevices(_ first: String, _ second: String) -> Bool {
    var a = stat()
    var b = stat()
    return stat(first, &a) == 0 && stat(second, &b) == 0 && a.st_dev != b.st_dev
}

@Suite("ClaimedFileReader")
struct ClaimedFileReaderTests {
    @Test func readsTheExactBytes() throws {
        let folder = try TemporaryFolder()
        let bytes: [UInt8] = Array("{\"name\": \"ü\"}\n".utf8) + [0x00, 0xFF]
        let path = folder.file("claimed.json")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try ClaimedFileReader.readBytes(at: path) == bytes)
    }

    @Test func refusesFilesOverTheLimitAndSpecialFiles() throws {
        let folder = try TemporaryFolder()
        let big = try folder.write("big.json", String(repeating: "x", count: 101))
        #expect(throws: InboxRejection.tooLarge(size: 101, limit: 100)) { try ClaimedFileReader.readBytes(at: big, limit: 100) }
        try FileSystemFixtures.symlink(at: folder.file("link.json"), to: big)
        #expect(throws: InboxRejection.symbolicLink) { try ClaimedFileReader.readBytes(at: folder.file("link.json")) }
        try FileSystemFixtures.fifo(at: folder.file("pipe.json"))
        let pipe = folder.file("pipe.json")
        let outcome = runOnThread(timeout: .seconds(10)) { () -> InboxRejection? in
            do {
                _ = try ClaimedFileReader.readBytes(at: pipe)
                return nil
            } catch let rejection as InboxRejection {
                return rejection
            } catch {
                return .unreadable("\(error)")
            }
        }
        #expect(outcome == .some(.fifo))
    }
}
