/// Weights a run takes from an earlier run instead of drawing them from its seed (job keys
/// `teacher_from` and `student_from`): the teacher's (B, v*), the student's initial (W, v), or
/// both. What is not given is drawn as always, so a run given the teacher of a run with the same
/// parameters and seed draws the same student and samples and repeats it exactly.
public struct StartWeights: Sendable, Equatable {
    /// A network's two layers: the first row-major (rows×N), the second one weight per unit.
    public struct Layers: Sendable, Equatable {
        public var first: [Double]
        public var second: [Double]

        public init(first: [Double], second: [Double]) {
            self.first = first
            self.second = second
        }
    }

    /// The teacher's B (M×N) and v* (M); nil: drawn from the seed.
    public var teacher: Layers?
    /// The student's initial W (K×N) and v (K); nil: drawn from the seed as `student_init` says.
    public var student: Layers?

    public init(teacher: Layers? = nil, student: Layers? = nil) {
        self.teacher = teacher
        self.student = student
    }

    /// Whether the arrays have the shapes of `p` (the job checks this before any run starts).
    public func fits(_ p: SimulationParameters) -> Bool {
        (teacher.map { $0.first.count == p.M * p.N && $0.second.count == p.M } ?? true)
            && (student.map { $0.first.count == p.K * p.N && $0.second.count == p.K } ?? true)
    }
}
