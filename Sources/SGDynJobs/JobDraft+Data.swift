import SGDynCore

/// A job with `data`: what it may not combine with, and its files checked beneath the data folder.
extension JobDraft {
    /// Keys that describe a teacher or its samples: a job with a data set has neither, so giving
    /// one is a rejection rather than a value silently ignored.
    static let teacherKeys = ["M", "teacher_activation", "teacher_second_layer", "teacher_sparsity", "sigma", "label_flip",
                              "training_set", "mc_test_set", "initial", "teacher_from"]

    static let noDataFolder = "no data folder is configured: the administrator sets \"data_folder\" in sgdyn.json (for foreground runs: sgdyn run --data DIR)"

    /// Checks `data` against the rest of the job and reads its files' headers: the parameters get
    /// the data set's reference and M = 0. Does nothing for a job without `data`.
    mutating func resolveData() throws(JobError) {
        guard let data else { return }
        if kind != .simulate {
            throw JobError("\"\(kind.rawValue)\" integrates the teacher–student ODEs; a job with \"data\" has no teacher (use kind \"simulate\")", key: "kind")
        }
        for key in givenKeys where Self.teacherKeys.contains(key) {
            throw JobError("describes the teacher or its samples; a job with \"data\" has no teacher (its training set and labels are the data's)", key: key)
        }
        for (key, _) in sweep where Self.teacherKeys.contains(key) || key == "N" {
            throw JobError(key == "N" ? "N is the data's number of columns and cannot be swept" : "describes the teacher; a job with \"data\" has none",
                           key: "sweep.\(key)")
        }
        let paths = [("train_inputs", data.trainInputs), ("train_labels", data.trainLabels),
                     ("test_inputs", data.testInputs), ("test_labels", data.testLabels)]
        for (key, path) in paths where path.isEmpty {
            throw JobError("is missing: \"data\" needs train_inputs, train_labels, test_inputs and test_labels", key: "data.\(key)")
        }
        guard let folder = dataFolder else {
            throw JobError(Self.noDataFolder, key: "data")
        }
        let reference: DataSetReference
        do {
            reference = try DataSetFiles.inspect(folder: folder, trainInputs: data.trainInputs, trainLabels: data.trainLabels,
                                                 testInputs: data.testInputs, testLabels: data.testLabels, N: simulation.N)
        } catch {
            throw error.jobError
        }
        simulation.data = reference
        simulation.M = 0
    }
}
