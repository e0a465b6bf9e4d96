import Testing
@testable import SGDynJobs

/// The `slurm` job key: Slurm's time forms, and the normalised form reading back to the same time.
@Suite("Job key slurm")
struct SlurmRequestTests {
    @Test("each of Slurm's time forms gives the seconds Slurm means")
    func timeForms() {
        let cases: [(String, Int?)] = [
            ("5", 300), ("90:30", 5_430), ("1:00:00", 3_600), ("2-3", 2 * 86_400 + 3 * 3_600), ("2-03:04", 183_840),
            ("2-03:04:05", 183_845), ("0:59", 59), ("00:00:01", 1), ("100:00:00", 360_000),
            ("1:60", nil), ("1-24", nil), ("1:2:60", nil), ("1-1:60", nil), ("", nil), ("1:", nil), (":1", nil), ("1--2", nil),
            ("a", nil), ("1:2:3:4", nil), ("1-2:3:4:5", nil), ("+5", nil), ("5 ", nil), ("٣", nil), ("1234567890", nil),
        ]
        for (text, seconds) in cases { #expect(SlurmRequest.seconds(fromTimeString: text) == seconds, "\(text)") }
    }

    @Test("the normalised \"D-HH:MM:SS\" reads back to the same number of seconds")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for s in [1, 59, 60, 3_599, 3_600, 86_399, 86_400, SlurmRequest.maxTimeLimitSeconds]
            + (0..<1_000).map({ _ in Int.random(in: 1...SlurmRequest.maxTimeLimitSeconds, using: &generator) }) {
            #expect(SlurmRequest.seconds(fromTimeString: SlurmRequest.timeString(seconds: s)) == s)
        }
    }

    @Test("a job's slurm request is parsed into JobSpec.slurm, and absent without the key")
    func parsed() throws {
        let spec = try JobParser.parse(Array(#"{"slurm": {"partition": "gpu", "time_limit": 30}}"#.utf8), defaultName: "s")
        #expect(spec.slurm == SlurmRequest(partition: "gpu", timeLimitSeconds: 1_800))
        #expect(try JobParser.parse(Array("{}".utf8), defaultName: "s").slurm == nil)
        do {
            _ = try JobParser.parse(Array(#"{"slurm": {"qos": "high"}}"#.utf8), defaultName: "s")
            Issue.record("slurm.qos accepted")
        } catch {
            #expect(error.key == "slurm.qos")
        }
    }
}
