import Foundation

/// One axis of a chart: its data range, linear or logarithmic, and where its ticks go.
struct PlotAxis {
    var label: String
    var logarithmic: Bool
    var lower: Double
    var upper: Double
    var integer = false

    /// An axis spanning `values`. Values a log axis cannot show (zero, negative, NaN, ±inf) are
    /// ignored. A log axis keeps the data's range (plus `pad`, a fraction of the span on each
    /// side) when that holds at least two decades to tick, and is widened to whole decades
    /// otherwise. `integer` keeps linear ticks on whole numbers (K, M, N). Without usable values
    /// the axis gets a placeholder range.
    init(label: String, logarithmic: Bool, values: [Double], pad: Double = 0, integer: Bool = false) {
        self.label = label
        self.logarithmic = logarithmic
        self.integer = integer
        let usable = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
        var lo = usable.min() ?? (logarithmic ? 0.1 : 0)
        var hi = usable.max() ?? (logarithmic ? 1 : 1)
        if logarithmic {
            var a = log10(lo), b = log10(hi)
            let margin = max(b - a, 0) * pad
            a -= margin
            b += margin
            if floor(b + 1e-9) - ceil(a - 1e-9) >= 1 {
                lo = pow(10, a)
                hi = pow(10, b)
            } else {
                lo = pow(10, floor(a))
                hi = pow(10, max(ceil(b), floor(a) + 1))
            }
        } else {
            if hi <= lo {
                let spread = lo == 0 ? 1 : abs(lo) * 0.1
                lo -= spread
                hi += spread
            }
            let margin = (hi - lo) * pad
            lo -= margin
            hi += margin
            if pad == 0 {
                let step = Self.niceStep((hi - lo) / 5, integer: integer)
                lo = floor(lo / step) * step
                hi = ceil(hi / step) * step
            }
        }
        lower = lo
        upper = hi
    }

    /// Whether a value can be placed on this axis.
    func accepts(_ x: Double) -> Bool { x.isFinite && (!logarithmic || x > 0) }

    /// Position of `x` in 0…1 along the axis (may fall outside for out-of-range values).
    func fraction(_ x: Double) -> Double {
        logarithmic ? (log10(x) - log10(lower)) / (log10(upper) - log10(lower)) : (x - lower) / (upper - lower)
    }

    /// Labelled ticks: every decade on a log axis (every second or more when there are many),
    /// 1-2-5 steps on a linear one.
    var majorTicks: [Double] {
        if logarithmic {
            let first = Int(ceil(log10(lower) - 1e-9)), last = Int(floor(log10(upper) + 1e-9))
            let stride = max(1, (last - first + 7) / 8)
            return Swift.stride(from: first, through: last, by: stride).map { pow(10, Double($0)) }
        }
        let step = Self.niceStep((upper - lower) / 5, integer: integer)
        var ticks: [Double] = []
        var k = (lower / step).rounded(.up)
        while k * step <= upper + step * 1e-9, ticks.count < 20 {
            ticks.append(k * step)
            k += 1
        }
        return ticks
    }

    /// Unlabelled ticks at 2…9 × each decade of a log axis (when decades are not too crowded).
    var minorTicks: [Double] {
        guard logarithmic else { return [] }
        let first = Int(floor(log10(lower))), last = Int(ceil(log10(upper)))
        guard last - first <= 9 else { return [] }
        return (first..<last).flatMap { e in (2...9).map { Double($0) * pow(10, Double(e)) } }.filter { $0 >= lower && $0 <= upper }
    }

    /// The tick label as SVG markup: 10 with a superscript exponent on log axes.
    func tickMarkup(_ x: Double) -> String {
        if logarithmic {
            let e = Int(log10(x).rounded())
            if e == 0 { return "1" }
            if e == 1 { return "10" }
            return "10<tspan dy=\"-6\" font-size=\"9\">\(e < 0 ? "\u{2212}" : "")\(abs(e))</tspan>"
        }
        return SVGWriter.escape(Self.shortNumber(x))
    }

    /// A 1, 2 or 5 times a power of ten, at least `raw` (and at least 1 for `integer`).
    static func niceStep(_ raw: Double, integer: Bool = false) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        if integer && raw < 1 { return 1 }
        let decade = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where m * decade >= raw * (1 - 1e-12) { return m * decade }
        return 10 * decade
    }

    /// Compact decimal text of a tick or parameter value (up to four significant digits).
    static func shortNumber(_ x: Double) -> String {
        if x == 0 || !x.isFinite { return x == 0 ? "0" : "\(x)" }
        if abs(x) >= 1e5 || abs(x) < 1e-3 { return String(format: "%.3g", x) }
        var s = String(format: "%.4g", x)
        if s.contains(".") && !s.contains("e") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
}
