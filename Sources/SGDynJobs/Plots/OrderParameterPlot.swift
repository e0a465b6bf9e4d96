/// `order-parameters.svg`: R, Q and (when trained) v of one run against log t. One run, not a
/// mean over seeds: which student unit specialises to which teacher unit differs between
/// seeds, and averaging would wash the specialisation out.
enum OrderParameterPlot {
    static func figure(title: (title: String, subtitle: String), trajectory: PlotTrajectory, seed: UInt64?, fromODE: Bool,
                       secondLayer: Bool) -> PlotFigure {
        let ops = trajectory.orderParameters
        guard let first = ops.first else { return PlotFigure(title: title.title, subtitle: title.subtitle, panels: []) }
        let K = first.K, M = first.M
        let source = fromODE ? "ODE" : "seed \(seed.map(String.init) ?? "?")"
        let strokes: [PlotChart.Stroke] = [.solid, .dashed, .dotted]
        var rLines: [PlotChart.Line] = [], rLegend: [PlotChart.LegendEntry] = []
        for i in 0..<K {
            for n in 0..<M {
                rLines.append(.init(points: series(trajectory.t, ops.map { $0.r(i, n) }), color: PlotPalette.color(i), width: 1.6,
                                    stroke: strokes[n % strokes.count], role: "R"))
                rLegend.append(.init(label: "R\(i + 1),\(n + 1)", color: PlotPalette.color(i), width: 1.6, stroke: strokes[n % strokes.count]))
            }
        }
        var panels = [chart("R: student unit i (colour) × teacher unit n (line style), \(source)", "R_in", trajectory.t, rLines, rLegend)]
        var qLines: [PlotChart.Line] = [], qLegend: [PlotChart.LegendEntry] = []
        for i in 0..<K {
            qLines.append(.init(points: series(trajectory.t, ops.map { $0.q(i, i) }), color: PlotPalette.color(i), width: 1.6, role: "Q"))
            qLegend.append(.init(label: "Q\(i + 1),\(i + 1)", color: PlotPalette.color(i), width: 1.6, stroke: .solid))
        }
        for i in 0..<K { for k in (i + 1)..<K {
            qLines.append(.init(points: series(trajectory.t, ops.map { $0.q(i, k) }), color: "#777777", width: 1, stroke: .dotted, role: "Q"))
        } }
        if K > 1 { qLegend.append(.init(label: "Q_ik, i ≠ k", color: "#777777", width: 1, stroke: .dotted)) }
        panels.append(chart("Q: student self-overlaps (solid) and cross-overlaps (dotted)", "Q_ik", trajectory.t, qLines, qLegend))
        if secondLayer {
            var vLines: [PlotChart.Line] = [], vLegend: [PlotChart.LegendEntry] = []
            for i in 0..<K {
                vLines.append(.init(points: series(trajectory.t, ops.map { $0.v[i] }), color: PlotPalette.color(i), width: 1.6, role: "v"))
                vLegend.append(.init(label: "v\(i + 1)", color: PlotPalette.color(i), width: 1.6, stroke: .solid))
            }
            panels.append(chart("v: second-layer weights of the student", "v_i", trajectory.t, vLines, vLegend))
        }
        return PlotFigure(title: title.title, subtitle: title.subtitle, panels: panels)
    }

    static func series(_ t: [Double], _ values: [Double]) -> [(x: Double, y: Double)] {
        Array(zip(t, values)).map { (x: $0.0, y: $0.1) }
    }

    static func chart(_ subtitle: String, _ label: String, _ t: [Double], _ lines: [PlotChart.Line],
                      _ legend: [PlotChart.LegendEntry]) -> PlotChart {
        // Only times a log axis can show count for the ranges (t = 0 is dropped).
        let shown = lines.flatMap { $0.points.filter { $0.x > 0 && $0.x.isFinite }.map(\.y) }
        var c = PlotChart(subtitle: subtitle, x: PlotAxis(label: "t = steps / N", logarithmic: true, values: t),
                          y: PlotAxis(label: label, logarithmic: false, values: shown))
        c.lines = lines
        c.legend = legend
        return c
    }
}
