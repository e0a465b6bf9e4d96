import SGDynCore

/// A run of an earlier bundle in the outbox whose stored weights (`store_weights`) a job takes:
/// the value of `teacher_from` or `student_from`, `BUNDLE/seed-S`, or `BUNDLE/POINT/seed-S` for a
/// run of a sweep point (its folder in that bundle), and for `student_from` optionally `/final`
/// (the student where that run ended, instead of where it started).
public struct WeightReference: Sendable, Equatable {
    /// Which network's weights it gives.
    public enum Role: String, Sendable, Equatable {
        case teacher, student

        /// The job key that names it.
        public var key: String { self == .teacher ? "teacher_from" : "student_from" }
    }

    /// The longest value accepted (characters).
    public static let maxLength = 512
    /// What the folder adds to a reference to name a file (`/weights/…-initial.npy`), at most.
    public static let maxPathExtra = 40
    /// The most bytes of weights all of a job's units may carry together: each simulation unit
    /// holds its own copy (the daemon stores it with the unit and a Slurm task reads it from the
    /// spool), so runs × (M + K)(N + 1) × 8 bytes at most.
    public static let maxUnitBytes = 64 << 20

    public var role: Role
    /// The value as given.
    public var text: String
    /// The folder of the run's `.npy` files, relative to the outbox: `BUNDLE[/POINT]/weights/seed-S`.
    public var folder: String
    /// `student_from` ending in `/final`: the run's final student.
    public var final: Bool

    /// Reads a value; the checks need no file (the files are read by `JobSpec.readingWeights`).
    public init(_ text: String, role: Role) throws(JobError) {
        let key = role.key
        let form = role == .teacher ? "\"BUNDLE/seed-S\" or \"BUNDLE/POINT/seed-S\"" : "\"BUNDLE/seed-S\", \"BUNDLE/POINT/seed-S\", either followed by \"/final\" for the run's final student"
        guard text.utf8.count <= Self.maxLength else { throw JobError("is longer than \(Self.maxLength) characters", key: key) }
        var parts: [String]
        do { parts = try BeneathFolder.components(text) } catch { throw JobError("must name a run of a bundle in the outbox, \(form): \(error.description)", key: key) }
        var final = false
        if role == .student, parts.last == "final" || parts.last == "initial" {
            final = parts.removeLast() == "final"
        }
        guard (2...3).contains(parts.count), let run = parts.last, run.hasPrefix("seed-"),
              let seed = UInt64(run.dropFirst(5)), run == "seed-\(seed)" else {
            throw JobError("must name a run of a bundle in the outbox, \(form); got \"\(text)\"", key: key)
        }
        self.role = role
        self.text = text
        self.final = final
        folder = parts.dropLast().joined(separator: "/") + "/weights/" + run
    }

    /// The two `.npy` files it reads, with their shapes for parameters `p`: B (M×N) and v* (M),
    /// or W (K×N) and v (K).
    public func files(for p: SimulationParameters) -> [(path: String, shape: [Int])] {
        switch role {
        case .teacher:
            return [(folder + "/B.npy", [p.M, p.N]), (folder + "/vstar.npy", [p.M])]
        case .student:
            let which = final ? "final" : "initial"
            return [(folder + "/W-\(which).npy", [p.K, p.N]), (folder + "/v-\(which).npy", [p.K])]
        }
    }
}

extension JobSpec {
    /// `teacher_from` and `student_from`, as given.
    public var weightSources: [WeightReference] { [teacherFrom, studentFrom].compactMap { $0 } }

    /// The job with the weights its `teacher_from` and `student_from` name read from beneath
    /// `outbox` (`startWeights`, and `weightsFrom` for result.json). Every file is opened without
    /// following symbolic links and must be a float64 `.npy` array of the job's shape with finite
    /// values; anything else is a `JobError` naming the key. A job without them is returned as is.
    public func readingWeights(outbox: String) throws(JobError) -> JobSpec {
        guard !weightSources.isEmpty, let p = points.first?.parameters else { return self }
        let perRun = weightSources.reduce(0) { total, reference in
            total + reference.files(for: p).reduce(0) { $0 + 8 * $1.shape.reduce(1, *) }
        }
        let runs = points.count * seeds.count
        if Double(perRun) * Double(runs) > Double(WeightReference.maxUnitBytes) {
            throw JobError("each of the \(runs) runs carries its own copy of the weights taken (\(perRun) bytes), \(Double(perRun) * Double(runs) / Double(1 << 20)) MiB in all, over the limit of \(WeightReference.maxUnitBytes >> 20) MiB; use fewer seeds or sweep points", key: weightSources[0].role.key)
        }
        let folder = BeneathFolder(root: outbox)
        var start = StartWeights()
        var documents: [ResultDocument.WeightSource] = []
        for reference in weightSources {
            var arrays: [[Double]] = []
            for (path, shape) in reference.files(for: p) {
                let count = shape.reduce(1, *)
                let bytes: [UInt8]
                do {
                    bytes = try folder.read(path, limit: 65_536 + 16 + 8 * count)
                } catch {
                    throw JobError("cannot take the weights of \"\(reference.text)\" (stored by a job with \"store_weights\"): \(error.description)", key: reference.role.key)
                }
                do {
                    arrays.append(try NPYFile.read(bytes, shape: shape))
                } catch {
                    throw JobError("\(path) \(error.description)", key: reference.role.key)
                }
                documents.append(ResultDocument.WeightSource(key: reference.role.key, from: reference.text, path: path,
                                                             sha256: SHA256.hexDigest(bytes)))
            }
            let layers = StartWeights.Layers(first: arrays[0], second: arrays[1])
            if reference.role == .teacher { start.teacher = layers } else { start.student = layers }
        }
        var spec = self
        spec.startWeights = start
        spec.weightsFrom = documents
        return spec
    }
}
