import SGDynJobs
import SGDynStore
import Testing
@testable import SGDynDaemon

/// The daemon's mailbox: inbox churn is coalesced into one flag, while control events (a task
/// ended, a shutdown) are never dropped, whatever the inbox does (issue 17, item 2: 1,000 ignored
/// create/delete cycles a second used to push worker exits and SIGTERM out of a 4,096-entry buffer).
@Suite("Daemon mailbox: lossless control events, coalesced inbox news")
struct DaemonMailboxTests {
    @Test("100,000 inbox hints around 5,000 control events: every control event, in order; one inbox flag")
    func churnCannotDropControlEvents() async {
        let mailbox = DaemonMailbox()
        for i in 0..<5_000 {
            for _ in 0..<20 { mailbox.noteInbox(.directoryMayHaveChanged) }
            mailbox.post(.executor(.taskEnded(SubmissionID(Int64(i)), task: 0, .exited(0))))
        }
        mailbox.post(.shutdown)
        let taken = await mailbox.next()
        #expect(taken.control.count == 5_001)
        var expected: Int64 = 0
        for event in taken.control.dropLast() {
            guard case .executor(.taskEnded(let id, _, _)) = event else {
                Issue.record("unexpected \(event)")
                continue
            }
            #expect(id.rawValue == expected)
            expected += 1
        }
        guard case .shutdown? = taken.control.last else {
            Issue.record("the shutdown request was lost")
            return
        }
        #expect(taken.inbox.changed)
        // Everything was taken: nothing is left over for the next pass.
        let rest = await mailbox.next(timeout: .milliseconds(50))
        #expect(rest.control.isEmpty && !rest.inbox.changed)
    }

    @Test("renamed-in names and an ended watch survive coalescing")
    func renamesAndWatchEnd() async {
        let mailbox = DaemonMailbox()
        let a = InboxEntryName("a.json"), b = InboxEntryName("b.json")
        mailbox.noteInbox(.renamedIn(a))
        mailbox.noteInbox(.directoryMayHaveChanged)
        mailbox.noteInbox(.renamedIn(b))
        mailbox.noteInbox(.watchEnded(reason: "gone"))
        let taken = await mailbox.next()
        #expect(taken.inbox == InboxNews(changed: true, renamedIn: [a, b], watchEnded: "gone"))
    }

    @Test("a waiting consumer is woken by a control event posted from another task")
    func wakesWaitingConsumer() async {
        let mailbox = DaemonMailbox()
        async let taken = mailbox.next()
        try? await Task.sleep(for: .milliseconds(20))
        mailbox.post(.reload)
        let events = await taken.control
        #expect(events.count == 1)
        if case .reload? = events.first {} else { Issue.record("got \(events)") }
    }
}
