/// An enumeration written to disk (snapshots, work units, the spool) as a one-byte tag. The tag
/// is declared next to each case, never derived from the case's position, so a case added,
/// removed or reordered cannot silently change what stored bytes mean. `StableTagTests` lists
/// every (case → tag) pair and fails when one changes: a new case gets a new, unused tag.
/// (`Activation` keeps its tags in its declaration table, `ActivationDeclaration.tag`.)
public protocol StableTagged: CaseIterable, Equatable {
    /// The byte this case is stored as; never reuse or change one.
    var tag: UInt8 { get }
}

extension StableTagged {
    /// The case stored as `tag`, or nil for a tag no case has.
    public init?(tag: UInt8) {
        guard let found = Self.allCases.first(where: { $0.tag == tag }) else { return nil }
        self = found
    }
}

extension StudentInit: StableTagged {
    public var tag: UInt8 {
        switch self {
        case .large: return 0
        case .small: return 1
        case .mixed: return 2
        case .informed: return 3
        case .denoise: return 4
        }
    }
}

extension LearningTask: StableTagged {
    public var tag: UInt8 {
        switch self {
        case .regress: return 0
        case .classify: return 1
        }
    }
}

extension TeacherSecondLayer {
    /// The stored tag; a constant's value is stored after it (0 for the other cases).
    public var tag: UInt8 {
        switch self {
        case .ones: return 0
        case .random: return 1
        case .normalise: return 2
        case .meanfield: return 3
        case .mix: return 4
        case .constant: return 5
        }
    }

    /// The layer stored as `tag` with `value` after it, or nil for an unknown tag.
    public init?(tag: UInt8, value: Double) {
        let all: [TeacherSecondLayer] = [.ones, .random, .normalise, .meanfield, .mix, .constant(value)]
        guard let found = all.first(where: { $0.tag == tag }) else { return nil }
        self = found
    }
}

extension ODEMethod {
    /// The stored tag; the step or the tolerances are stored after it.
    public var tag: UInt8 {
        switch self {
        case .euler: return 0
        case .rk4: return 1
        case .adaptive: return 2
        }
    }
}

extension WorkUnit.Work {
    /// The stored tag of a unit's kind of work.
    public var tag: UInt8 {
        switch self {
        case .simulation: return 0
        case .ode: return 1
        }
    }
}

extension ODEWork.Start {
    /// The stored tag; explicit order parameters follow theirs.
    public var tag: UInt8 {
        switch self {
        case .drawn: return 0
        case .explicit: return 1
        }
    }
}

extension ODEWork.Times: StableTagged {
    public static let allCases: [ODEWork.Times] = [.requested, .simulationRecords]

    public var tag: UInt8 {
        switch self {
        case .requested: return 0
        case .simulationRecords: return 1
        }
    }
}
