/// Binary encoding of the ODE's inputs and statistics for `ODEIntegration` snapshots, in the
/// style of the simulation parameters' codec (little-endian, enumerations as their stable tag, StableTags.swift;
/// activations as their stable tag: the student's, with bit 7 set when a teacher tag follows
/// because the teacher differs — so snapshots of equal pairs keep their old bytes).
extension ByteWriter {
    mutating func write(odeParameters p: ODEParameters) {
        if p.teacherActivation == p.activation {
            write(p.activation.declaration.tag)
        } else {
            write(p.activation.declaration.tag | 0x80)
            write(activation: p.teacherActivation)
        }
        write(p.learningRate)
        write(p.secondLayerLearningRate)
        write(p.noise)
        write(p.weightDecay)
        write(p.batchSize)
        write(p.trainSecondLayer)
    }

    /// A tag (0 euler, 1 rk4, 2 adaptive) and two numbers: dt and 0, or rtol and atol.
    mutating func write(method: ODEMethod) {
        write(method.tag)
        switch method {
        case .euler(let dt), .rk4(let dt): write(dt); write(0.0)
        case .adaptive(let rtol, let atol): write(rtol); write(atol)
        }
    }

    mutating func write(orderParameters op: OrderParameters) {
        write(op.K)
        write(op.M)
        write(op.Q)
        write(op.R)
        write(op.T)
        write(op.v)
        write(op.vstar)
    }

    mutating func write(statistics s: ODEIntegrationStatistics) {
        write(s.steps)
        write(s.rejectedSteps)
        write(s.rhsEvaluations)
        write(s.errorEstimate)
        write(s.largestWeightedLocalError)
    }
}

extension ByteReader {
    mutating func readODEParameters() throws(SnapshotError) -> ODEParameters {
        let tag = try readByte()
        // The student is never an expansion (ODEParameters.supports refuses it; checked below).
        let student = try readActivation(tag: tag & 0x7f)
        var teacher = student
        if tag & 0x80 != 0 { teacher = try readActivation() }
        guard ODEParameters.supports(teacher: teacher, student: student) else {
            throw .inconsistent("no ODEs for teacher \(teacher.rawValue), student \(student.rawValue)")
        }
        var p = ODEParameters(activation: student, teacherActivation: teacher)
        p.learningRate = try readDouble()
        p.secondLayerLearningRate = try readDouble()
        p.noise = try readDouble()
        p.weightDecay = try readDouble()
        p.batchSize = try readInt()
        p.trainSecondLayer = try readBool()
        return p
    }

    mutating func readMethod() throws(SnapshotError) -> ODEMethod {
        let tag = try readByte()
        let a = try readDouble(), b = try readDouble()
        let all: [ODEMethod] = [.euler(dt: a), .rk4(dt: a), .adaptive(rtol: a, atol: b)]
        guard let method = all.first(where: { $0.tag == tag }) else { throw .inconsistent("unknown ODE method \(tag)") }
        return method
    }

    /// Sizes are checked before the matrices are read, so a corrupt K cannot ask for a huge array.
    mutating func readOrderParameters() throws(SnapshotError) -> OrderParameters {
        let K = try readInt(), M = try readInt()
        guard K >= 1, M >= 1, K <= SimulationLimits.maxUnits, M <= SimulationLimits.maxUnits else {
            throw .inconsistent("order-parameter sizes K = \(K), M = \(M)")
        }
        let Q = try readDoubles(expected: K * K)
        let R = try readDoubles(expected: K * M)
        let T = try readDoubles(expected: M * M)
        let v = try readDoubles(expected: K)
        let vstar = try readDoubles(expected: M)
        return OrderParameters(K: K, M: M, Q: Q, R: R, T: T, v: v, vstar: vstar)
    }

    mutating func readStatistics(method: ODEMethod) throws(SnapshotError) -> ODEIntegrationStatistics {
        ODEIntegrationStatistics(method: method, steps: try readInt(), rejectedSteps: try readInt(),
                                 rhsEvaluations: try readInt(), errorEstimate: try readDouble(),
                                 largestWeightedLocalError: try readDouble())
    }
}
