/// Snapshots of an ODE integration: its complete state as bytes, and back.
///
/// Layout (little-endian): the magic `SGDYNODE`, the format version, the parameters, the method
/// (with its step or tolerances), the validated initial order parameters, the output times, the
/// integrator's state (next output, flags, t, step size, controller memory, grid step, y, f(y),
/// the last slope), the statistics, the records so far (t, ε_g, Q, R, v; T and v* are the
/// initial ones), the divergence, since version 2 the under-resolved evaluations (a count, and
/// the time of the first: a flag and a number), and a SHA-256 of everything before it. Scratch
/// memory is not stored: nothing in it survives from one step to the next. Version 1 snapshots
/// (before 0.7.0: no under-resolved count) are read with a count of 0.
extension ODEIntegration {
    static let snapshotMagic = Array("SGDYNODE".utf8)
    static let snapshotVersion: UInt64 = 2

    /// The complete state of the integration.
    public func snapshot() -> [UInt8] {
        var w = ByteWriter()
        w.append(ODEIntegration.snapshotMagic)
        w.write(ODEIntegration.snapshotVersion)
        w.write(odeParameters: parameters)
        w.write(method: method)
        w.write(orderParameters: initial)
        w.write(times)
        let s = state
        w.write(s.next)
        w.write(s.finished)
        w.write(s.started)
        w.write(s.t)
        w.write(s.h)
        w.write(s.previousError)
        w.write(s.rejectedLast)
        w.write(s.gridStep)
        w.write(s.derivativeIsCurrent)
        w.write(s.havePrevious)
        w.write(s.y)
        w.write(s.derivative)
        w.write(s.previous)
        w.write(statistics: s.statistics)
        w.write(s.records.count)
        for record in s.records {
            w.write(record.t)
            w.write(record.eg)
            w.write(record.orderParameters.Q)
            w.write(record.orderParameters.R)
            w.write(record.orderParameters.v)
        }
        w.write(divergence: s.divergence)
        w.write(s.statistics.underResolvedEvaluations)
        w.write(s.statistics.underResolvedFrom != nil)
        w.write(s.statistics.underResolvedFrom ?? 0)
        return w.sealed()
    }

    /// Restores an integration from `snapshot()`'s bytes; continuing it gives bit-identical
    /// records and statistics to the integration that was snapshotted. The inputs are validated
    /// again, as `init(parameters:initial:times:method:)` does.
    public init(snapshot bytes: [UInt8]) throws(SnapshotError) {
        var r = try ByteReader(sealed: bytes, magic: ODEIntegration.snapshotMagic)
        let version = try r.readUInt64()
        guard version == 1 || version == ODEIntegration.snapshotVersion else { throw .unsupportedVersion(version) }
        let parameters = try r.readODEParameters()
        let method = try r.readMethod()
        let initial = try r.readOrderParameters()
        if let problem = ODEResources.decodingProblem(K: initial.K, M: initial.M, activation: parameters.activation) {
            throw .inconsistent(problem)
        }
        let timeCount = try r.readInt()
        guard timeCount >= 1, timeCount <= r.remaining / 8 else { throw .truncated }
        let times = try r.readDoublesAfterCount(timeCount)
        let fresh: ODEIntegration
        do {
            fresh = try ODEIntegration(parameters: parameters, initial: initial, times: times, method: method)
        } catch {
            throw .inconsistent("invalid input: \(error)")
        }
        let n = fresh.layout.count
        var s = fresh.state
        s.next = try r.readInt()
        s.finished = try r.readBool()
        s.started = try r.readBool()
        s.t = try r.readDouble()
        s.h = try r.readDouble()
        s.previousError = try r.readDouble()
        s.rejectedLast = try r.readBool()
        s.gridStep = try r.readInt()
        s.derivativeIsCurrent = try r.readBool()
        s.havePrevious = try r.readBool()
        s.y = try r.readDoubles(expected: n)
        s.derivative = try r.readDoubles(expected: n)
        s.previous = try r.readDoubles(expected: n)
        s.statistics = try r.readStatistics(method: method)
        let recordCount = try r.readInt()
        guard recordCount >= 0, recordCount <= times.count, recordCount == s.next else {
            throw .inconsistent("\(recordCount) records for \(s.next) output times done")
        }
        let K = initial.K, M = initial.M
        var records: [ODERecord] = []
        records.reserveCapacity(recordCount)
        for index in 0..<recordCount {
            let t = try r.readDouble()
            let eg = try r.readDouble()
            var op = fresh.initial
            op.Q = try r.readDoubles(expected: K * K)
            op.R = try r.readDoubles(expected: K * M)
            op.v = try r.readDoubles(expected: K)
            guard t == times[index] else { throw .inconsistent("record \(index) at t = \(t), not at its output time") }
            records.append(ODERecord(t: t, eg: eg, orderParameters: op))
        }
        s.records = records
        s.divergence = try r.readDivergence()
        if version >= 2 {
            let count = try r.readInt()
            let present = try r.readBool()
            let from = try r.readDouble()
            guard count >= 0, present == (count > 0), !present || (from.isFinite && from >= 0) else {
                throw .inconsistent("under-resolved count \(count)")
            }
            s.statistics.underResolvedEvaluations = count
            s.statistics.underResolvedFrom = present ? from : nil
        }
        guard r.remaining == 0 else { throw .inconsistent("trailing bytes") }
        // What the integrators never produce, and could not finish from (a step going backwards).
        let tEnd = times[times.count - 1]
        guard s.gridStep >= 0, !(s.finished && s.next < times.count),
              s.finished || !s.started || (s.h > 0 && s.h.isFinite && s.t >= 0 && s.t <= tEnd)
        else { throw .inconsistent("integrator state") }
        self.init(parameters: parameters, initial: fresh.initial, times: times, method: method, layout: fresh.layout, state: s)
    }
}

extension ByteReader {
    /// `count` doubles whose count was already read.
    mutating func readDoublesAfterCount(_ count: Int) throws(SnapshotError) -> [Double] {
        guard count >= 0, remaining >= 8 * count else { throw .truncated }
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count { values[i] = try readDouble() }
        return values
    }
}
