/// A whole SVG file: a title (one or two lines) above panels stacked vertically.
struct PlotFigure {
    var title: String
    var subtitle: String
    var panels: [PlotChart]

    static let width = 860.0
    static let panelHeight = 400.0

    /// The SVG document as text.
    var svg: String {
        let header = 56.0
        let height = header + Double(panels.count) * Self.panelHeight
        var writer = SVGWriter(width: Int(Self.width), height: Int(height))
        writer.text(14, 22, title, size: 15, weight: "bold")
        writer.text(14, 42, subtitle, size: 12)
        for (i, panel) in panels.enumerated() {
            panel.render(into: &writer, left: 0, top: header + Double(i) * Self.panelHeight,
                         width: Self.width, height: Self.panelHeight, id: "plot\(i)")
        }
        return writer.document
    }
}

/// Colours that stay distinguishable on white and for common colour-vision deficiencies
/// (Okabe–Ito order, then darker shades); curves beyond the list reuse it cyclically.
enum PlotPalette {
    static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#7F3C8D",
                         "#11A579", "#3969AC", "#F2B701", "#E73F74"]

    static func color(_ i: Int) -> String { colors[i % colors.count] }
}
