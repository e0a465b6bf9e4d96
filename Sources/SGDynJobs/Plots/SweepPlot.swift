import Foundation

/// `sweep.svg`: final ε_g (mean ± s.e. over finished seeds, and the ODE's) against each swept
/// parameter, one panel per parameter and one curve per combination of the other swept values.
enum SweepPlot {
    /// One sweep point's headline numbers.
    struct Final {
        var values: [JSONValue]
        var mean: Double?
        var stderr: Double?
        var ode: Double?
    }

    static func figure(spec: JobSpec, outcomes: [RunOutcome], odes: [ODEOutcome]) -> PlotFigure {
        let finals = spec.points.map { point -> Final in
            let finished = outcomes.filter { $0.pointIndex == point.index
                && ($0.steps >= point.parameters.totalSteps || $0.earlyStop != nil) }
                .compactMap { $0.records.last?.eg }
            let stats = RunStatistics(finished)
            let odeFinals = odes.filter { $0.pointIndex == point.index }.compactMap { $0.result.finalRecord?.eg }
            return Final(values: point.assignments.map(\.value), mean: finished.isEmpty ? nil : stats.mean,
                         stderr: stats.standardError, ode: odeFinals.isEmpty ? nil : RunStatistics(odeFinals).mean)
        }
        let panels = spec.sweepKeys.indices.map { panel(keyIndex: $0, keys: spec.sweepKeys, finals: finals) }
        return PlotFigure(title: spec.name + " (" + spec.kind.rawValue + ") — final ε_g across the sweep",
                          subtitle: "t = " + PlotAxis.shortNumber(spec.points.first?.parameters.tMax ?? 0) + "; mean ± 1 s.e. over "
                            + "\(spec.seeds.count) seed\(spec.seeds.count == 1 ? "" : "s") (solid, markers)" + (odes.isEmpty ? "" : ", ODE dashed"),
                          panels: panels)
    }

    static func number(_ v: JSONValue) -> Double? {
        if case .number(let s) = v { return Double(s) }
        return nil
    }

    static func panel(keyIndex: Int, keys: [String], finals: [Final]) -> PlotChart {
        let key = keys[keyIndex]
        // Non-numeric values (activations, init schemes) are placed at 1, 2, 3, … in sweep order.
        let raw = finals.map { $0.values[keyIndex] }
        var categories: [String] = []
        for v in raw where !categories.contains(SweepPoint.text(v)) { categories.append(SweepPoint.text(v)) }
        let numeric = raw.allSatisfy { number($0) != nil }
        let xs = raw.map { numeric ? number($0)! : Double(categories.firstIndex(of: SweepPoint.text($0))! + 1) }
        let positive = xs.filter { $0 > 0 }
        let logX = numeric && positive.count == xs.count && (positive.max()! / positive.min()! >= 10)
        // Curves: points grouped by the values of every other swept key, in order of appearance.
        var groups: [(label: String, members: [Int])] = []
        for (i, f) in finals.enumerated() {
            let label = keys.indices.filter { $0 != keyIndex }.map { "\(keys[$0])=\(SweepPoint.text(f.values[$0]))" }.joined(separator: ", ")
            if let g = groups.firstIndex(where: { $0.label == label }) { groups[g].members.append(i) } else { groups.append((label, [i])) }
        }
        let ys = finals.flatMap { f in [f.mean, f.ode, f.mean.flatMap { m in f.stderr.map { m + $0 } }].compactMap { $0 } }
        var chart = PlotChart(subtitle: "final ε_g against \(key)" + (numeric ? "" : " (categories in sweep order)"),
                              x: PlotAxis(label: key + (numeric ? "" : ": " + categories.enumerated().map { "\($0.offset + 1)=\($0.element)" }.joined(separator: ", ")),
                                          logarithmic: logX, values: xs, pad: 0.05, integer: xs.allSatisfy { $0 == $0.rounded() }),
                              y: PlotAxis(label: "final ε_g", logarithmic: true, values: ys, pad: 0.05))
        for (g, group) in groups.enumerated() {
            let color = PlotPalette.color(g)
            let ordered = group.members.sorted { xs[$0] < xs[$1] }
            let label = group.label.isEmpty ? "simulation" : group.label
            let sim = ordered.compactMap { i in finals[i].mean.map { (x: xs[i], y: $0) } }
            if !sim.isEmpty {
                chart.lines.append(.init(points: sim, color: color, width: 1.8, role: "sweep-mean", markers: true))
                chart.legend.append(.init(label: label, color: color, width: 1.8, stroke: .solid))
            }
            for i in ordered {
                if let m = finals[i].mean, let se = finals[i].stderr {
                    chart.errorBars.append(.init(x: xs[i], lower: m - se, upper: m + se, color: color))
                }
            }
            let ode = ordered.compactMap { i in finals[i].ode.map { (x: xs[i], y: $0) } }
            if !ode.isEmpty {
                chart.lines.append(.init(points: ode, color: color, width: 1.6, stroke: .dashed, role: "sweep-ode", markers: sim.isEmpty))
                chart.legend.append(.init(label: "ODE" + (group.label.isEmpty ? "" : ", " + group.label), color: color, width: 1.6, stroke: .dashed))
            }
        }
        if ys.allSatisfy({ !($0.isFinite && $0 > 0) }) { chart.emptyNote = "no finished runs to show" }
        return chart
    }
}
