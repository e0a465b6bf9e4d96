import SGDynStore
import Testing
@testable import SGDynDaemon

/// `RunBook.preparingSlots`: a submission whose spool is still being written off the loop holds
/// its slots in the scheduler's count (the executor does not know it yet), so two passes never
/// hand out the same worker threads or Slurm tasks.
@Suite("Run book: submissions being prepared hold their slots")
struct RunBookTests {
    func submission(_ id: Int64, executor: ExecutorKind, threads: Int, tasks: Int, preparing: Bool) -> OpenSubmission {
        var open = OpenSubmission(id: SubmissionID(id), jobID: JobID(id), jobName: "j\(id)", claimedName: "j\(id).json", executor: executor,
                                  token: "t\(id)", taskCount: tasks, units: [:])
        open.threads = threads
        open.preparing = preparing
        return open
    }

    @Test("threads on worker threads, tasks on Slurm; only submissions being prepared, only for their executor")
    func slots() {
        var book = RunBook()
        book.open[SubmissionID(1)] = submission(1, executor: .local, threads: 3, tasks: 1, preparing: true)
        book.open[SubmissionID(2)] = submission(2, executor: .local, threads: 2, tasks: 1, preparing: false)  // its worker counts itself
        book.open[SubmissionID(3)] = submission(3, executor: .slurm, threads: 0, tasks: 1020, preparing: true)
        book.open[SubmissionID(4)] = submission(4, executor: .slurm, threads: 0, tasks: 7, preparing: false)
        #expect(book.preparingSlots(on: .local, workerThreads: true) == 3)
        #expect(book.preparingSlots(on: .slurm, workerThreads: false) == 1020)
        book.open[SubmissionID(1)]?.preparing = false
        book.open[SubmissionID(3)] = nil
        #expect(book.preparingSlots(on: .local, workerThreads: true) == 0)
        #expect(book.preparingSlots(on: .slurm, workerThreads: false) == 0)
    }
}
