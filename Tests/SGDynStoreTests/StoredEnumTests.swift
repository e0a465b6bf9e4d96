import Testing
@testable import SGDynStore

/// The words the store's columns hold for its enumerations (`jobs.state`, `jobs.outcome`,
/// `units.state`, `units.kind`, `submissions.state`): each case's raw value is what a store
/// written by any earlier version contains, so renaming a case (and with it its implicit raw
/// value) would leave those rows unreadable. These lists are the contract: they may only grow.
@Suite struct StoredEnumTests {
    static let jobState = ["queued", "running", "interrupted", "publishing", "unpublished", "done", "diverged", "failed",
                           "cancelled", "quarantined", "rejected"]
    static let jobOutcome = ["done", "diverged", "failed", "cancelled", "quarantined", "rejected"]
    static let unitState = ["queued", "running", "interrupted", "done", "failed", "cancelled"]
    static let unitKind = ["simulation", "ode"]
    static let submissionState = ["submitting", "active", "ended"]

    /// Every case's stored word is listed, and every listed word still reads as a case.
    static func check<E: RawRepresentable & CaseIterable>(_ type: E.Type, _ stored: [String]) where E.RawValue == String {
        #expect(Set(E.allCases.map(\.rawValue)) == Set(stored), "\(E.self)")
        for word in stored { #expect(E(rawValue: word) != nil, "\(E.self): \(word)") }
    }

    @Test("the store's enumerations keep the words they are stored as")
    func storedWords() {
        Self.check(JobState.self, Self.jobState)
        Self.check(JobOutcome.self, Self.jobOutcome)
        Self.check(UnitState.self, Self.unitState)
        Self.check(UnitKind.self, Self.unitKind)
        Self.check(SubmissionState.self, Self.submissionState)
    }
}
