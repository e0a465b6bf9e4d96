import SGDynCore

/// The SVG plots of a result bundle (jobs.md "plots"): per sweep point `eg.svg` (ε_g(t) of every
/// seed, their mean ± 1 s.e., the ODE) and `order-parameters.svg` (R, Q and, when trained, v
/// over time), and for sweeps `sweep.svg` (final ε_g against each swept parameter). Pure
/// functions of their inputs: the same results give the same bytes.
public enum BundlePlots {
    /// The plot files, with paths next to the CSVs (sweep points in their sub-folders).
    public static func files(spec: JobSpec, outcomes: [RunOutcome], odes: [ODEOutcome]) -> [BundleFile] {
        var files: [BundleFile] = []
        for point in spec.points {
            let folder = point.folder.isEmpty ? "" : point.folder + "/"
            let runs = outcomes.filter { $0.pointIndex == point.index }.map { PlotTrajectory($0.records) }
            let odeRuns = odes.filter { $0.pointIndex == point.index }.map { PlotTrajectory($0.result.records) }
            guard !runs.isEmpty || !odeRuns.isEmpty else { continue }
            let title = PlotText.title(spec: spec, point: point)
            files.append(BundleFile(path: folder + "eg.svg", text: EgPlot.figure(title: title, runs: runs, odes: odeRuns).svg))
            let seed = outcomes.first { $0.pointIndex == point.index }?.seed
            files.append(BundleFile(path: folder + "order-parameters.svg",
                                    text: OrderParameterPlot.figure(title: title, trajectory: runs.first ?? odeRuns[0], seed: seed,
                                                                    fromODE: runs.isEmpty,
                                                                    secondLayer: point.parameters.trainSecondLayer).svg))
        }
        if !spec.sweepKeys.isEmpty {
            files.append(BundleFile(path: "sweep.svg", text: SweepPlot.figure(spec: spec, outcomes: outcomes, odes: odes).svg))
        }
        return files
    }
}

/// The part of a simulation's or an ODE's records that the plots use.
struct PlotTrajectory {
    var t: [Double]
    var eg: [Double]
    var orderParameters: [OrderParameters]

    init(_ records: [SimulationRecord]) {
        t = records.map(\.t)
        eg = records.map(\.eg)
        orderParameters = records.map(\.orderParameters)
    }

    init(_ records: [ODERecord]) {
        t = records.map(\.t)
        eg = records.map(\.eg)
        orderParameters = records.map(\.orderParameters)
    }

    /// Mean and standard error of ε_g over trajectories, time by time. Trajectories of one sweep
    /// point share their output times; a shorter one (a cancelled run) just stops contributing.
    static func meanEg(_ all: [PlotTrajectory]) -> (t: [Double], mean: [Double], stderr: [Double]) {
        let length = all.map(\.t.count).max() ?? 0
        var t: [Double] = [], mean: [Double] = [], stderr: [Double] = []
        for i in 0..<length {
            let present = all.filter { $0.t.count > i }
            let values = present.map { $0.eg[i] }.filter(\.isFinite)
            guard !values.isEmpty else { continue }
            let stats = RunStatistics(values)
            t.append(present[0].t[i])
            mean.append(stats.mean)
            stderr.append(stats.standardError ?? 0)
        }
        return (t, mean, stderr)
    }
}
