/// One panel of a figure: two axes and what is drawn on them.
struct PlotChart {
    /// How a curve is stroked.
    enum Stroke {
        case solid, dashed, dotted

        var dashArray: String {
            switch self {
            case .solid: return ""
            case .dashed: return "stroke-dasharray=\"7 4\""
            case .dotted: return "stroke-dasharray=\"2 3\""
            }
        }
    }

    /// A polyline through (x, y) points; points an axis cannot show break the line.
    struct Line {
        var points: [(x: Double, y: Double)]
        var color: String
        var width: Double
        var stroke: Stroke = .solid
        var opacity: Double = 1
        /// The SVG class, so that tests and users can find the curves (seed, mean, ode, …).
        var role: String
        var markers = false
    }

    /// A shaded region between a lower and an upper curve at the same x values.
    struct Band {
        var x: [Double]
        var lower: [Double]
        var upper: [Double]
        var color: String
        var opacity: Double
    }

    /// Vertical error bars (mean ± s.e.).
    struct ErrorBar {
        var x: Double
        var lower: Double
        var upper: Double
        var color: String
    }

    /// A legend row: a short sample of the style, then the label.
    struct LegendEntry {
        var label: String
        var color: String
        var width: Double
        var stroke: Stroke
        var band = false
    }

    var subtitle: String?
    var x: PlotAxis
    var y: PlotAxis
    var bands: [Band] = []
    var lines: [Line] = []
    var errorBars: [ErrorBar] = []
    var legend: [LegendEntry] = []
    /// Shown in the middle of the plot when there is nothing to draw.
    var emptyNote: String?

    static let legendWidth = 190.0
    static let maxLegendRows = 14

    /// Draws the panel into `svg` in the box (left, top, width, height). `id` must be unique
    /// in the document (it names the clip path).
    func render(into svg: inout SVGWriter, left: Double, top: Double, width: Double, height: Double, id: String) {
        let plotLeft = left + 72, plotTop = top + (subtitle == nil ? 10 : 28)
        let plotWidth = width - 72 - Self.legendWidth - 14, plotHeight = height - (plotTop - top) - 48
        let px = { (v: Double) in plotLeft + x.fraction(v) * plotWidth }
        let py = { (v: Double) in plotTop + (1 - y.fraction(v)) * plotHeight }
        if let subtitle { svg.text(plotLeft, top + 18, subtitle, size: 13, weight: "bold") }
        svg.rect(plotLeft, plotTop, plotWidth, plotHeight, fill: "#ffffff", stroke: "#888888")
        svg.raw("<clipPath id=\"\(id)\"><rect x=\"\(SVGWriter.n(plotLeft))\" y=\"\(SVGWriter.n(plotTop))\" "
                + "width=\"\(SVGWriter.n(plotWidth))\" height=\"\(SVGWriter.n(plotHeight))\"/></clipPath>")
        // Grid and ticks first, so the data is drawn over them.
        for t in x.majorTicks where t >= x.lower && t <= x.upper {
            svg.line(px(t), plotTop, px(t), plotTop + plotHeight, stroke: "#e4e4e4")
            svg.line(px(t), plotTop + plotHeight, px(t), plotTop + plotHeight + 5, stroke: "#444444")
            svg.text(px(t), plotTop + plotHeight + 19, "", anchor: "middle", size: 11, markup: x.tickMarkup(t))
        }
        for t in x.minorTicks { svg.line(px(t), plotTop + plotHeight, px(t), plotTop + plotHeight + 3, stroke: "#888888", width: 0.6) }
        for t in y.majorTicks where t >= y.lower && t <= y.upper {
            svg.line(plotLeft, py(t), plotLeft + plotWidth, py(t), stroke: "#e4e4e4")
            svg.line(plotLeft - 5, py(t), plotLeft, py(t), stroke: "#444444")
            svg.text(plotLeft - 8, py(t) + 4, "", anchor: "end", size: 11, markup: y.tickMarkup(t))
        }
        for t in y.minorTicks { svg.line(plotLeft - 3, py(t), plotLeft, py(t), stroke: "#888888", width: 0.6) }
        svg.text(plotLeft + plotWidth / 2, plotTop + plotHeight + 38, x.label, anchor: "middle", size: 13)
        svg.text(left + 16, plotTop + plotHeight / 2, y.label, anchor: "middle", size: 13, rotate: true)

        svg.raw("<g clip-path=\"url(#\(id))\">")
        for band in bands { svg.path(bandPath(band, px: px, py: py), stroke: "none", width: 0, fill: band.color,
                                     extra: "fill-opacity=\"\(SVGWriter.n(band.opacity))\" class=\"band\"") }
        for bar in errorBars where x.accepts(bar.x) {
            let lo = y.accepts(bar.lower) ? py(bar.lower) : plotTop + plotHeight
            guard y.accepts(bar.upper) else { continue }
            svg.line(px(bar.x), lo, px(bar.x), py(bar.upper), stroke: bar.color, width: 1.4, extra: "class=\"errorbar\"")
            svg.line(px(bar.x) - 4, py(bar.upper), px(bar.x) + 4, py(bar.upper), stroke: bar.color, width: 1.4)
            if y.accepts(bar.lower) { svg.line(px(bar.x) - 4, lo, px(bar.x) + 4, lo, stroke: bar.color, width: 1.4) }
        }
        for line in lines {
            var extra = "class=\"\(line.role)\""
            if !line.stroke.dashArray.isEmpty { extra += " " + line.stroke.dashArray }
            if line.opacity < 1 { extra += " stroke-opacity=\"\(SVGWriter.n(line.opacity))\"" }
            svg.path(linePath(line.points, px: px, py: py), stroke: line.color, width: line.width, extra: extra)
            if line.markers {
                for p in line.points where x.accepts(p.x) && y.accepts(p.y) {
                    svg.raw("<circle cx=\"\(SVGWriter.n(px(p.x)))\" cy=\"\(SVGWriter.n(py(p.y)))\" r=\"3.5\" fill=\"\(line.color)\"/>")
                }
            }
        }
        svg.raw("</g>")
        if let emptyNote {
            svg.text(plotLeft + plotWidth / 2, plotTop + plotHeight / 2, emptyNote, anchor: "middle", size: 13)
        }
        renderLegend(into: &svg, left: plotLeft + plotWidth + 14, top: plotTop)
    }

    private func renderLegend(into svg: inout SVGWriter, left: Double, top: Double) {
        var rows = legend
        if rows.count > Self.maxLegendRows {
            let hidden = rows.count - (Self.maxLegendRows - 1)
            rows = Array(rows.prefix(Self.maxLegendRows - 1))
            rows.append(LegendEntry(label: "… \(hidden) more", color: "none", width: 0, stroke: .solid))
        }
        for (i, entry) in rows.enumerated() {
            let y = top + 10 + Double(i) * 18
            if entry.band {
                svg.rect(left, y - 6, 26, 12, fill: entry.color, extra: "fill-opacity=\"0.25\"")
                svg.line(left, y, left + 26, y, stroke: entry.color, width: entry.width)
            } else if entry.color != "none" {
                svg.line(left, y, left + 26, y, stroke: entry.color, width: entry.width, extra: entry.stroke.dashArray)
            }
            svg.text(left + 32, y + 4, entry.label, size: 11)
        }
    }

    /// `M x y L x y …`, starting a new sub-path after every point the axes cannot show.
    private func linePath(_ points: [(x: Double, y: Double)], px: (Double) -> Double, py: (Double) -> Double) -> String {
        var d: [String] = []
        var pen = false
        for p in points {
            guard x.accepts(p.x), y.accepts(p.y) else { pen = false; continue }
            d.append((pen ? "L" : "M") + SVGWriter.n(px(p.x)) + " " + SVGWriter.n(py(p.y)))
            pen = true
        }
        // A lone "M" draws nothing; keep it anyway only if some segment exists.
        return d.contains { $0.hasPrefix("L") } ? d.joined(separator: " ") : ""
    }

    /// The closed outline of a band; the lower edge is clamped to the bottom of the axis where
    /// a log axis cannot show it (mean − s.e. ≤ 0).
    private func bandPath(_ band: Band, px: (Double) -> Double, py: (Double) -> Double) -> String {
        var upper: [String] = [], lower: [String] = []
        for i in band.x.indices where x.accepts(band.x[i]) && y.accepts(band.upper[i]) && band.lower[i].isFinite {
            let lo = y.accepts(band.lower[i]) ? max(band.lower[i], y.lower) : y.lower
            upper.append(SVGWriter.n(px(band.x[i])) + " " + SVGWriter.n(py(band.upper[i])))
            lower.append(SVGWriter.n(px(band.x[i])) + " " + SVGWriter.n(py(lo)))
        }
        guard upper.count >= 2 else { return "" }
        return "M" + upper.joined(separator: " L") + " L" + lower.reversed().joined(separator: " L") + " Z"
    }
}
