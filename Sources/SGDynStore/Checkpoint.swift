import Foundation

/// A stored simulation snapshot of one unit, with the checksum it was saved with.
public struct Checkpoint: Sendable, Equatable {
    public var unitID: UnitID
    /// Increases by one per save of the same unit.
    public var sequence: Int64
    public var snapshot: [UInt8]
    /// SHA-256 of `snapshot`, as lowercase hex, computed when it was saved.
    public var sha256: String
    public var stepsDone: Int64
    public var createdAt: Date
}

/// A checkpoint that failed verification and was skipped.
public struct CorruptCheckpoint: Sendable, Equatable, CustomStringConvertible {
    public var unitID: UnitID
    public var sequence: Int64
    public var expectedSHA256: String
    public var actualSHA256: String

    public var description: String {
        "checkpoint \(sequence) of unit \(unitID) is corrupt (SHA-256 \(actualSHA256), expected \(expectedSHA256))"
    }
}

/// The answer of `JobStore.latestValidCheckpoint`: the newest checkpoint whose checksum verifies
/// (nil: start from scratch), and the newer ones that were skipped because they did not.
public struct CheckpointRecovery: Sendable, Equatable {
    public var checkpoint: Checkpoint?
    /// Newest first; non-empty means the store fell back and the caller should log it.
    public var skipped: [CorruptCheckpoint]

    public init(checkpoint: Checkpoint?, skipped: [CorruptCheckpoint]) {
        self.checkpoint = checkpoint
        self.skipped = skipped
    }

    public var fellBack: Bool { !skipped.isEmpty }
}
