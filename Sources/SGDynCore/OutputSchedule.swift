import RealModule

/// The output times of a run: t = 0, then `points` times log-spaced from
/// t_min = min(0.1, t_max/100) to t_max inclusive (jobs.md, `points`).
///
/// A simulation records at the first step at or after each time, ⌈t·N⌉; times that fall on the
/// same step are recorded once, and the record carries the exact time step/N.
public enum OutputSchedule {
    /// The requested output times, starting with 0 and ending exactly at `tMax`.
    public static func times(tMax: Double, points: Int) -> [Double] {
        precondition(tMax > 0 && points >= 1)
        let tMin = min(0.1, tMax / 100)
        if points == 1 { return [0, tMax] }
        let ratio = tMax / tMin
        var result = [0.0]
        for j in 0..<points {
            result.append(j == points - 1 ? tMax : tMin * Double.pow(ratio, Double(j) / Double(points - 1)))
        }
        return result
    }

    /// ⌈t·N⌉, forgiving a product that exceeds an integer by rounding error only
    /// (so t = 0.1, N = 1000 is step 100, not 101).
    public static func step(atTime t: Double, N: Int) -> Int {
        let exact = t * Double(N)
        let nearest = exact.rounded()
        if abs(exact - nearest) <= 1e-9 * max(1, exact) { return Int(nearest) }
        return Int(exact.rounded(.up))
    }

    /// The distinct recording steps of a simulation, ascending, starting at 0.
    public static func steps(tMax: Double, points: Int, N: Int) -> [Int] {
        var steps: [Int] = []
        for t in times(tMax: tMax, points: points) {
            let s = step(atTime: t, N: N)
            if steps.last != s { steps.append(s) }
        }
        return steps
    }
}
