import SGDynCore

extension JobDraft {
    /// Expands the sweep, checks every point's combination of values and the resource limits,
    /// and returns the validated job.
    /// `jobBytes` is the size of the job file (it is copied into the bundle).
    func finish(defaultName: String, jobBytes: Int) throws(JobError) -> JobSpec {
        let jobName = name ?? defaultName
        guard JobDraft.isValidName(jobName) else {
            throw JobError("the job needs a valid name: the file name \"\(defaultName)\" is not 1 to 64 characters from A–Z, a–z, 0–9, '.', '_', '-'; add a \"name\" key", key: "name")
        }
        let pointCount = sweep.reduce(1) { $0 * $1.values.count }
        guard pointCount * seeds.count <= JobLimits.maxRuns else {
            throw JobError("\(pointCount) sweep points × \(seeds.count) seeds = \(pointCount * seeds.count) runs, over the limit of \(JobLimits.maxRuns)",
                           key: sweep.isEmpty ? "seeds" : "sweep")
        }
        if initial != nil, kind != .ode {
            throw JobError("is only used by kind \"ode\" (simulations draw their weights from the seeds)", key: "initial")
        }
        if initial != nil, sweep.contains(where: { ["K", "M"].contains($0.key) }) {
            throw JobError("explicit initial conditions fix K and M; they cannot be combined with a sweep over K or M", key: "initial")
        }
        if simulation.monteCarloTestSize != nil, kind == .ode { throw JobError("needs simulations; kind \"ode\" runs none", key: "mc_test_set") }
        if simulation.storeWeights, kind == .ode {
            throw JobError("stores the weights of simulation runs; kind \"ode\" runs none", key: "store_weights")
        }
        if simulation.stopBelow != nil || sweep.contains(where: { $0.key == "stop_below" }), kind == .ode {
            throw JobError("ends simulation runs early; kind \"ode\" runs none", key: "stop_below")
        }
        try checkWeightSources()

        var points: [SweepPoint] = []
        var drafts: [JobDraft] = []
        var warnings: [String] = []
        for index in 0..<pointCount {
            var draft = self
            var assignments: [(key: String, value: JSONValue)] = []
            var rest = index
            for (key, values) in sweep.reversed() {
                assignments.insert((key, values[rest % values.count]), at: 0)
                rest /= values.count
            }
            for (key, value) in assignments { try draft.apply(key: key, value: value, errorKey: "sweep.\(key)") }
            let at = assignments.isEmpty ? "" : " (at sweep point " + assignments.map { "\($0.key)=\(SweepPoint.text($0.value))" }.joined(separator: ", ") + ")"
            try draft.checkCombination(at: at, warnings: &warnings)
            try draft.checkRunResources(at: at)
            drafts.append(draft)
            points.append(SweepPoint(index: index, assignments: assignments, parameters: draft.parameters))
        }
        let initialConditions = try initial.map { value throws(JobError) in try parseInitial(value) }
        let spec = JobSpec(kind: kind, name: jobName, description: description, seeds: seeds, priority: priority, ode: ode,
                           initial: initialConditions, points: points, sweepKeys: sweep.map(\.key), warnings: warnings,
                           normalised: normalised(name: jobName), slurm: slurm, teacherFrom: teacherFrom, studentFrom: studentFrom)
        try JobResourceCheck(kind: kind, drafts: drafts, seeds: seeds.count, explicitInitial: initial != nil,
                             estimate: BundleSizeEstimate(spec: spec, jobBytes: jobBytes)).check()
        return spec
    }

    /// `teacher_from` and `student_from` with the rest of the job: simulations only, one shape for
    /// every sweep point (one set of arrays serves all runs), nothing else that shapes the same weights.
    func checkWeightSources() throws(JobError) {
        for (reference, swept) in [(teacherFrom, ["N", "M"]), (studentFrom, ["N", "K"])] {
            guard let reference else { continue }
            let key = reference.role.key
            if kind != .simulate {
                throw JobError("takes the weights of simulation runs; kind \"\(kind.rawValue)\" draws its ODE initial conditions from the seed, use kind \"simulate\"", key: key)
            }
            if let clash = sweep.first(where: { swept.contains($0.key) }) {
                throw JobError("gives every run the same arrays, so \(clash.key) cannot be swept", key: key)
            }
        }
        if teacherFrom != nil, simulation.teacherSparsity != 0 || sweep.contains(where: { $0.key == "teacher_sparsity" }) {
            throw JobError("sparsifies a teacher drawn from the seed; with \"teacher_from\" the teacher is taken as stored", key: "teacher_sparsity")
        }
        if studentFrom != nil, simulation.studentInit != .large || sweep.contains(where: { $0.key == "student_init" }) {
            throw JobError("draws the student from the seed; with \"student_from\" the student starts from the stored weights (leave student_init out)", key: "student_init")
        }
    }

    /// The checks that involve more than one key, for one sweep point.
    func checkCombination(at: String, warnings: inout [String]) throws(JobError) {
        let p = parameters
        let N = p.N, K = p.K, M = p.M
        if p.studentInit == .informed || p.studentInit == .denoise, K < M {
            throw JobError("\"\(p.studentInit.rawValue)\" needs K ≥ M, but K = \(K) and M = \(M)\(at)", key: "student_init")
        }
        if p.studentInit == .denoise, !p.trainSecondLayer {
            throw JobError("\"denoise\" needs \"train_second_layer\": true (its second layer divides v* among the copies)\(at)", key: "student_init")
        }
        if !p.studentActivation.declaration.studentAllowed {
            throw JobError("\"\(p.studentActivation.rawValue)\" can only be a teacher's activation: SGD needs the student's g', and it has none (0 almost everywhere)\(at)", key: "student_activation")
        }
        if kind != .simulate, !ODEParameters.supports(teacher: p.teacherActivation, student: p.studentActivation) {
            throw JobError("kind \"\(kind.rawValue)\" integrates the ODEs, which sgdyn has for erf, relu or linear on both sides, or an erf or linear student with any teacher; got teacher \(p.teacherActivation.rawValue), student \(p.studentActivation.rawValue)\(at)", key: "student_activation")
        }
        if p.fullBatch, p.trainingSetRatio == nil {
            throw JobError("\"full\" is gradient descent on the whole training set; it needs \"training_set\"\(at)", key: "batch_size")
        }
        if p.task == .classify, kind != .simulate {
            throw JobError("\"classify\" has no ODEs (they describe regression on φ* + σζ, science.md §5); kind \"\(kind.rawValue)\" cannot run it, use kind \"simulate\"\(at)", key: "task")
        }
        if p.task == .regress, p.labelFlip != 0 {
            throw JobError("flips classification labels; it needs \"task\": \"classify\" (regression labels have \"sigma\")\(at)", key: "label_flip")
        }
        if p.task == .classify, p.noise != 0 {
            throw JobError("is the noise of regression labels; classification labels are signs, whose noise is \"label_flip\"\(at)", key: "sigma")
        }
        if p.teacherSparsity != 0, initial != nil {
            throw JobError("shapes the teacher drawn from the seed; explicit \"initial\" order parameters give T themselves\(at)", key: "teacher_sparsity")
        }
        let trainingSet = p.trainingSetRatio
        if kind != .simulate, trainingSet != nil {
            throw JobError("the ODEs describe online learning; kind \"\(kind.rawValue)\" cannot use a finite training set\(at)", key: "training_set")
        }
        // As a Double first: `trainingSetSize` converts α·N to Int, which traps when it is too large.
        let samples = (trainingSet ?? 0) * Double(N)
        if trainingSet != nil, samples < 0.5 || !(samples.rounded() <= Double(Int32.max)) {
            throw JobError("α·N = \(samples) samples; it must be between 1 and \(Int32.max)\(at)", key: "training_set")
        }
        let rows = Double(K + M) + 2 * Double(p.batchSize)
        let bytes = 8 * rows * Double(N) + 4 * Double(p.trainingSetSize ?? 0)
        if bytes > Double(JobLimits.maxBytesPerRun) {
            throw JobError(String(describing: "each run would need \(Self.gibibytes(bytes)) for weights and samples ((K+M+2·batch_size) = \(JobLimits.whole(rows)) rows × N = \(N) × 8 bytes), over the limit of \(Self.gibibytes(Double(JobLimits.maxBytesPerRun)))\(at)"),
                           key: "N")
        }
        // The first output time after 0 is t_max/100 (for t_max < 10): below about 5e-322 it is 0,
        // and the log-spaced times between become NaN, which trapped the run.
        if !(p.tMax / 100 > 0) {
            throw JobError("t_max = \(p.tMax) is too small: the output times t_max/100 … t_max are not representable\(at)", key: "t_max")
        }
        if p.tMax * Double(N) > Double(JobLimits.maxStepsPerRun) {
            throw JobError("t_max·N = \(p.tMax * Double(N)) steps per run, over the limit of \(JobLimits.maxStepsPerRun)\(at)", key: "t_max")
        }
        if p.teacherActivation == .linear, p.studentActivation == .linear, !p.trainSecondLayer, p.learningRate * Double(K) >= 2 {
            warnings.append("lr·K = \(p.learningRate * Double(K)) ≥ 2\(at): linear networks trained by the first layer diverge (science.md §6)")
        }
    }

    static func gibibytes(_ bytes: Double) -> String {
        let g = bytes / Double(1 << 30)
        return g >= 10 ? "\(JobLimits.whole(g)) GiB" : "\((g * 10).rounded() / 10) GiB"
    }

    /// Explicit initial order parameters: shapes, symmetry and positive semi-definiteness of the
    /// covariance, each error naming its entry (`initial.R`, …).
    func parseInitial(_ value: JSONValue) throws(JobError) -> OrderParameters {
        guard case .object(let members) = value else { throw JobError("must be an object", key: "initial") }
        let allowed = JobSchema.initialKeys.map(\.name)
        for (key, _) in members where !allowed.contains(key) {
            throw JobError("unknown key (known: \(allowed.joined(separator: ", ")))", key: "initial.\(key)")
        }
        func required(_ key: String) throws(JobError) -> JSONValue {
            guard let v = value[key] else { throw JobError("is missing; give Q, R, T, v and vstar", key: "initial.\(key)") }
            return v
        }
        let K = simulation.K, M = simulation.M
        let Q = try JobValues.matrix(try required("Q"), "initial.Q", rows: K, columns: K)
        let R = try JobValues.matrix(try required("R"), "initial.R", rows: K, columns: M)
        let T = try JobValues.matrix(try required("T"), "initial.T", rows: M, columns: M)
        let v = try JobValues.vector(try required("v"), "initial.v", count: K)
        let vstar = try JobValues.vector(try required("vstar"), "initial.vstar", count: M)
        do {
            return try ODEInitialConditions.validate(OrderParameters(K: K, M: M, Q: Q, R: R, T: T, v: v, vstar: vstar))
        } catch {
            throw JobError(error.message, key: error.key.map { "initial.\($0)" } ?? "initial")
        }
    }

    /// The job with every key present: given values, defaults for the rest (JobSchema's order).
    func normalised(name: String) -> JSONValue {
        var resolved = self
        resolved.name = name
        return JobField.normalisedObject(JobSchema.fields, of: resolved)
    }
}
