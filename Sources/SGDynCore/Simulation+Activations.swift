/// The activations of one sample's local fields, for the SGD step.
extension Simulation {
    /// values[i] = g(x_i) and slopes[i] = g'(x_i) for the fields x_i = fields[i]·scale, i < K + M
    /// (students first, with the student's g; then teachers, with the teacher's). erf fields go
    /// through `ErfKernel` eight at a time, the others through `Activation` (exact formulas); both
    /// give the same bits as `Activation.value`/`derivative` would.
    @inline(__always)
    static func activate(_ fields: UnsafePointer<Double>, K: Int, M: Int, scale: Double,
                         teacher: Activation, student: Activation, scaled: UnsafeMutablePointer<Double>,
                         values: UnsafeMutablePointer<Double>, slopes: UnsafeMutablePointer<Double>) {
        let D = K + M
        for i in 0..<D { scaled[i] = fields[i] * scale }
        if teacher == .erf || student == .erf {
            ErfKernel.evaluate(scaled, count: D, values: values, derivatives: slopes)
        }
        if student != .erf {
            for k in 0..<K {
                values[k] = student.value(scaled[k])
                slopes[k] = student.derivative(scaled[k])
            }
        }
        if teacher != .erf {
            for m in K..<D { values[m] = teacher.value(scaled[m]) }
        }
    }
}
