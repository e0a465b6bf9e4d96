/// A minimal SVG document builder: elements are appended as text in call order, so the same
/// calls always give the same bytes (no dictionaries, no locale, no floating-point printing
/// that could differ between runs).
struct SVGWriter {
    private(set) var body: [String] = []
    let width: Int
    let height: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The finished document, with an XML declaration so that strict XML parsers accept it.
    var document: String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
                         + "viewBox=\"0 0 \(width) \(height)\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">",
                     "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>"]
        lines += body
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    mutating func raw(_ text: String) { body.append(text) }

    /// A straight segment.
    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, extra: String = "") {
        body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" "
                    + "stroke-width=\"\(Self.n(width))\"\(extra.isEmpty ? "" : " " + extra)/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String = "none", extra: String = "") {
        body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\" fill=\"\(fill)\" "
                    + "stroke=\"\(stroke)\"\(extra.isEmpty ? "" : " " + extra)/>")
    }

    /// Text; `anchor` is start, middle or end. `markup` is already-escaped inner XML (for
    /// superscripts); otherwise `text` is escaped.
    mutating func text(_ x: Double, _ y: Double, _ text: String, anchor: String = "start", size: Double = 12,
                       weight: String = "normal", rotate: Bool = false, markup: String? = nil) {
        let transform = rotate ? " transform=\"rotate(-90 \(Self.n(x)) \(Self.n(y)))\"" : ""
        body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(Self.n(size))\" "
                    + "font-weight=\"\(weight)\" fill=\"#222222\"\(transform)>\(markup ?? Self.escape(text))</text>")
    }

    /// A path from its `d` attribute; skipped when empty, so no element is left without data.
    mutating func path(_ d: String, stroke: String, width: Double, fill: String = "none", extra: String = "") {
        guard !d.isEmpty else { return }
        body.append("<path d=\"\(d)\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\" "
                    + "stroke-linejoin=\"round\"\(extra.isEmpty ? "" : " " + extra)/>")
    }

    /// XML-escapes text for element content and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A coordinate with two decimals, printed with integer arithmetic: deterministic, never
    /// "nan" or "inf" (non-finite values become 0, but callers drop them before they get here).
    static func n(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let clamped = max(-1e9, min(1e9, x))
        let hundredths = Int((clamped * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let whole = magnitude / 100, fraction = magnitude % 100
        if fraction == 0 { return sign + String(whole) }
        return sign + String(whole) + "." + (fraction < 10 ? "0" : "") + (fraction % 10 == 0 ? String(fraction / 10) : String(fraction))
    }
}
