import FuzzSupport
import SGDynJobs

// The tasks file a worker reads from the spool: anything malformed is a `SpoolDecodingError`, and
// what is accepted is written back as text that reads to the same tasks.
runFuzzer { data, size in
    let text = String(decoding: fuzzInput(data, size), as: UTF8.self)
    guard let tasks = try? SubmissionTasks(text: text) else { return 0 }
    fuzzRequire((try? SubmissionTasks(text: tasks.text)) == tasks, "tasks written as text do not read back")
    return 0
}
