import SGDynCore

/// Titles: the job's name and the parameters that identify a run, in the paper's symbols.
enum PlotText {
    static func title(spec: JobSpec, point: SweepPoint) -> (title: String, subtitle: String) {
        let p = point.parameters
        var title = spec.name + " (" + spec.kind.rawValue + ")"
        if !point.assignments.isEmpty { title += " — " + point.assignments.map { "\($0.key)=\(SweepPoint.text($0.value))" }.joined(separator: ", ") }
        let activation = p.teacherActivation == p.studentActivation ? p.studentActivation.declaration.label
            : "teacher \(p.teacherActivation.declaration.label), student \(p.studentActivation.declaration.label)"
        let symbol = { (key: String) in JobSchema.symbols[key] ?? key }
        var parts = p.data.map { data in
            ["student \(p.studentActivation.declaration.label)", "data set P=\(data.trainCount)", "test \(data.testCount)",
             "\(symbol("N"))=\(p.N)", "\(symbol("K"))=\(p.K)", "\(symbol("lr"))=\(PlotAxis.shortNumber(p.learningRate))"]
        } ?? [activation, "\(symbol("N"))=\(p.N)", "\(symbol("M"))=\(p.M)", "\(symbol("K"))=\(p.K)",
              "\(symbol("lr"))=\(PlotAxis.shortNumber(p.learningRate))"]
        if p.trainSecondLayer {
            parts.append("both layers")
            if p.secondLayerLearningRate != p.learningRate { parts.append("\(symbol("lr2"))=\(PlotAxis.shortNumber(p.secondLayerLearningRate))") }
        } else {
            parts.append("first layer only")
        }
        if p.data == nil { parts.append("\(symbol("sigma"))=\(PlotAxis.shortNumber(p.noise))") }
        if p.weightDecay > 0 { parts.append("\(symbol("weight_decay"))=\(PlotAxis.shortNumber(p.weightDecay))") }
        if p.batchSize > 1 { parts.append("\(symbol("batch_size"))=\(p.batchSize)") }
        if let alpha = p.trainingSetRatio { parts.append("\(symbol("training_set"))=\(PlotAxis.shortNumber(alpha))") }
        parts.append("init \(p.studentInit.rawValue)")
        if spec.kind != .ode || spec.initial == nil { parts.append("\(spec.seeds.count) seed\(spec.seeds.count == 1 ? "" : "s")") }
        return (title, parts.joined(separator: ", "))
    }
}
