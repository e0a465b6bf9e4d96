@testable import SGDynDaemon
import Testing

@Suite("Inbox naming rules")
struct JobFileNamingTests {
    @Test(arguments: [
        ("run-1.json", JobFileNaming.Classification.job(name: "run-1")),
        ("A.b_c-9.json", .job(name: "A.b_c-9")),
        (String(repeating: "x", count: 64) + ".json", .job(name: String(repeating: "x", count: 64))),
        ("stop-me.cancel", .cancel(name: "stop-me")),
    ])
    func acceptsSafeNames(_ name: String, _ expected: JobFileNaming.Classification) {
        #expect(JobFileNaming.classify(InboxEntryName(name)) == expected)
    }

    @Test(arguments: [".job.json.tmp", ".hidden.json", "job.json.tmp", "job.json.part", "job.json.swp", "README.md", "job.JSON", "job.txt"])
    func ignoresDotFilesTemporaryFilesAndOtherNames(_ name: String) {
        guard case .ignored = JobFileNaming.classify(InboxEntryName(name)) else {
            Issue.record("\(name) should be ignored, got \(JobFileNaming.classify(InboxEntryName(name)))")
            return
        }
    }

    @Test(arguments: ["bad name.json", "semi;colon.json", "ünïcode.json", String(repeating: "x", count: 65) + ".json", "a\\b.json", "x!.cancel", "tab\tname.json"])
    func refusesUnsafeNames(_ name: String) {
        let classification = JobFileNaming.classify(InboxEntryName(name))
        guard case .unsafe = classification else {
            Issue.record("\(name) should be refused as unsafe, got \(classification)")
            return
        }
    }

    @Test func refusesInvalidUTF8AndEmptyStems() {
        let invalid = InboxEntryName(bytes: [0x66, 0xFF, 0xFE] + Array(".json".utf8))
        #expect(JobFileNaming.classify(invalid) == .unsafe(reason: "the name is not valid UTF-8"))
        #expect(invalid.description == "f\\xff\\xfe.json")
        #expect(JobFileNaming.nameProblem([]) != nil)
        #expect(JobFileNaming.nameProblem(Array("ok".utf8)) == nil)
    }
}
