/// How the ODEs are integrated. Fixed-step methods march on the grid t = n·dt; `adaptive` is the
/// Dormand–Prince 5(4) pair with error control and dense output.
public enum ODEMethod: Sendable, Equatable {
    /// Forward Euler with step `dt` (what the reference code does, with dt = 0.01).
    case euler(dt: Double)
    /// Classical fourth-order Runge–Kutta with step `dt`.
    case rk4(dt: Double)
    /// Dormand–Prince 5(4): steps are accepted when the RMS over components of
    /// (local error estimate)/(atol + rtol·|y|) is ≤ 1.
    case adaptive(rtol: Double, atol: Double)

    /// The default of job files: `adaptive` with rtol 1e-8; atol 1e-12 is far below every order
    /// parameter of interest, so rtol governs.
    public static let standard = ODEMethod.adaptive(rtol: 1e-8, atol: 1e-12)

    /// The job-file name of the method: "euler", "rk4" or "adaptive".
    public var name: String {
        switch self {
        case .euler: return "euler"
        case .rk4: return "rk4"
        case .adaptive: return "adaptive"
        }
    }

    /// Throws (key "ode") when a step or tolerance is not a positive finite number.
    public func validate() throws(ODEError) {
        switch self {
        case .euler(let dt), .rk4(let dt):
            guard dt.isFinite && dt > 0 else { throw ODEError(key: "ode", "dt must be a finite number > 0 (got \(dt))") }
        case .adaptive(let rtol, let atol):
            guard rtol.isFinite && rtol > 0 && rtol < 1 else {
                throw ODEError(key: "ode", "rtol must lie in (0, 1) (got \(rtol))")
            }
            guard atol.isFinite && atol >= 0 else { throw ODEError(key: "ode", "atol must be a finite number ≥ 0 (got \(atol))") }
            guard rtol >= 1e-14 else { throw ODEError(key: "ode", "rtol below 1e-14 is beyond double precision (got \(rtol))") }
        }
    }
}
