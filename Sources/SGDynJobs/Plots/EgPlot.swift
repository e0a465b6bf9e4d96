/// `eg.svg`: ε_g(t) on log–log axes, every seed thin and faint (so 50 seeds stay readable),
/// their mean with a ±1 standard-error band, and the ODE dashed.
enum EgPlot {
    static let seedColor = "#5B7FA6"
    static let meanColor = "#08306B"
    static let odeColor = "#D55E00"

    static func figure(title: (title: String, subtitle: String), runs: [PlotTrajectory], odes: [PlotTrajectory]) -> PlotFigure {
        let mean = PlotTrajectory.meanEg(runs)
        let odeMean = PlotTrajectory.meanEg(odes)
        let allT = runs.flatMap(\.t) + odeMean.t
        let allEg = runs.flatMap(\.eg) + odeMean.mean
        var chart = PlotChart(x: PlotAxis(label: "t = steps / N", logarithmic: true, values: allT),
                              y: PlotAxis(label: "generalisation error ε_g", logarithmic: true, values: allEg, pad: 0.03))
        // Fainter lines the more seeds there are, so that the mean stays visible above them.
        let opacity = max(0.18, min(0.7, 3 / Double(max(runs.count, 1))))
        for run in runs {
            chart.lines.append(.init(points: Array(zip(run.t, run.eg)).map { (x: $0.0, y: $0.1) }, color: seedColor,
                                     width: runs.count > 10 ? 0.6 : 0.9, opacity: runs.count == 1 ? 1 : opacity, role: "seed"))
        }
        if !runs.isEmpty {
            chart.legend.append(.init(label: runs.count == 1 ? "simulation (1 seed)" : "seeds (\(runs.count))", color: seedColor,
                                      width: 1, stroke: .solid))
        }
        if runs.count > 1 {
            chart.bands.append(.init(x: mean.t, lower: zip(mean.mean, mean.stderr).map { $0 - $1 },
                                     upper: zip(mean.mean, mean.stderr).map { $0 + $1 }, color: meanColor, opacity: 0.25))
            chart.lines.append(.init(points: Array(zip(mean.t, mean.mean)).map { (x: $0.0, y: $0.1) }, color: meanColor, width: 2.2, role: "mean"))
            chart.legend.append(.init(label: "mean ± 1 s.e.", color: meanColor, width: 2.2, stroke: .solid, band: true))
        }
        if !odes.isEmpty {
            chart.lines.append(.init(points: Array(zip(odeMean.t, odeMean.mean)).map { (x: $0.0, y: $0.1) }, color: odeColor,
                                     width: 2, stroke: .dashed, role: "ode"))
            chart.legend.append(.init(label: odes.count == 1 ? "ODE" : "ODE (mean of \(odes.count))", color: odeColor, width: 2, stroke: .dashed))
        }
        if !allEg.contains(where: { $0.isFinite && $0 > 0 }) { chart.emptyNote = "no positive finite ε_g to show" }
        return PlotFigure(title: title.title, subtitle: title.subtitle, panels: [chart])
    }
}
