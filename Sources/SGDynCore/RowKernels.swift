/// The vector loops every SGD step spends its time in, over rows of length n.
///
/// Each loop works on 16 doubles per iteration in two independent SIMD8 accumulators, then an
/// 8-wide and a scalar tail; the summation order is fixed by this code (no fused multiply–add,
/// no compiler reassociation), so results are bit-identical on every CPU target. The update
/// `w·decay + c·x` is written identically in every loop, which is what lets the simulator apply a
/// pending update lazily (fused with the next step's dot product) without changing a single bit.
@usableFromInline
enum RowKernels {
    @inline(__always) @usableFromInline
    static func load(_ p: UnsafePointer<Double>) -> SIMD8<Double> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Double>.self)
    }

    @inline(__always) @usableFromInline
    static func store(_ value: SIMD8<Double>, _ p: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Double>.self)
    }

    /// a · b.
    @inlinable
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        var acc0 = SIMD8<Double>(), acc1 = SIMD8<Double>()
        var i = 0
        while i + 16 <= n {
            acc0 += load(a + i) * load(b + i)
            acc1 += load(a + i + 8) * load(b + i + 8)
            i += 16
        }
        if i + 8 <= n {
            acc0 += load(a + i) * load(b + i)
            i += 8
        }
        var sum = (acc0 + acc1).sum()
        while i < n {
            sum += a[i] * b[i]
            i += 1
        }
        return sum
    }

    /// w ← w·decay + c·x.
    @inlinable
    static func update(_ w: UnsafeMutablePointer<Double>, decay: Double, c: Double, _ x: UnsafePointer<Double>, _ n: Int) {
        let d = SIMD8(repeating: decay), cv = SIMD8(repeating: c)
        var i = 0
        while i + 8 <= n {
            store(load(w + i) * d + cv * load(x + i), w + i)
            i += 8
        }
        while i < n {
            w[i] = w[i] * decay + c * x[i]
            i += 1
        }
    }

    /// w ← w·decay + c·xOld, then returns w · xNew: one pass over w instead of two.
    @inlinable
    static func updateThenDot(
        _ w: UnsafeMutablePointer<Double>, decay: Double, c: Double,
        _ xOld: UnsafePointer<Double>, _ xNew: UnsafePointer<Double>, _ n: Int
    ) -> Double {
        let d = SIMD8(repeating: decay), cv = SIMD8(repeating: c)
        var acc0 = SIMD8<Double>(), acc1 = SIMD8<Double>()
        var i = 0
        while i + 16 <= n {
            let w0 = load(w + i) * d + cv * load(xOld + i)
            let w1 = load(w + i + 8) * d + cv * load(xOld + i + 8)
            store(w0, w + i)
            store(w1, w + i + 8)
            acc0 += w0 * load(xNew + i)
            acc1 += w1 * load(xNew + i + 8)
            i += 16
        }
        if i + 8 <= n {
            let w0 = load(w + i) * d + cv * load(xOld + i)
            store(w0, w + i)
            acc0 += w0 * load(xNew + i)
            i += 8
        }
        var sum = (acc0 + acc1).sum()
        while i < n {
            let wi = w[i] * decay + c * xOld[i]
            w[i] = wi
            sum += wi * xNew[i]
            i += 1
        }
        return sum
    }

    /// `dot` of two rows with the same x, in one pass over x; each result is bit-identical to
    /// `dot` of that row alone.
    @inlinable
    static func dot2(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ n: Int) -> (Double, Double) {
        var a0 = SIMD8<Double>(), a1 = SIMD8<Double>(), b0 = SIMD8<Double>(), b1 = SIMD8<Double>()
        var i = 0
        while i + 16 <= n {
            let x0 = load(x + i), x1 = load(x + i + 8)
            a0 += load(a + i) * x0
            a1 += load(a + i + 8) * x1
            b0 += load(b + i) * x0
            b1 += load(b + i + 8) * x1
            i += 16
        }
        if i + 8 <= n {
            let x0 = load(x + i)
            a0 += load(a + i) * x0
            b0 += load(b + i) * x0
            i += 8
        }
        var sumA = (a0 + a1).sum(), sumB = (b0 + b1).sum()
        while i < n {
            sumA += a[i] * x[i]
            sumB += b[i] * x[i]
            i += 1
        }
        return (sumA, sumB)
    }

    /// `updateThenDot` of two rows sharing xOld and xNew, in one pass over them; each result and
    /// each updated row is bit-identical to `updateThenDot` of that row alone.
    @inlinable
    static func updateThenDot2(
        _ w: UnsafeMutablePointer<Double>, _ v: UnsafeMutablePointer<Double>, decay: Double, cw: Double, cv: Double,
        _ xOld: UnsafePointer<Double>, _ xNew: UnsafePointer<Double>, _ n: Int
    ) -> (Double, Double) {
        let d = SIMD8(repeating: decay), cW = SIMD8(repeating: cw), cV = SIMD8(repeating: cv)
        var w0 = SIMD8<Double>(), w1 = SIMD8<Double>(), v0 = SIMD8<Double>(), v1 = SIMD8<Double>()
        var i = 0
        while i + 16 <= n {
            let o0 = load(xOld + i), o1 = load(xOld + i + 8)
            let n0 = load(xNew + i), n1 = load(xNew + i + 8)
            let wa = load(w + i) * d + cW * o0, wb = load(w + i + 8) * d + cW * o1
            let va = load(v + i) * d + cV * o0, vb = load(v + i + 8) * d + cV * o1
            store(wa, w + i)
            store(wb, w + i + 8)
            store(va, v + i)
            store(vb, v + i + 8)
            w0 += wa * n0
            w1 += wb * n1
            v0 += va * n0
            v1 += vb * n1
            i += 16
        }
        if i + 8 <= n {
            let o0 = load(xOld + i), n0 = load(xNew + i)
            let wa = load(w + i) * d + cW * o0, va = load(v + i) * d + cV * o0
            store(wa, w + i)
            store(va, v + i)
            w0 += wa * n0
            v0 += va * n0
            i += 8
        }
        var sumW = (w0 + w1).sum(), sumV = (v0 + v1).sum()
        while i < n {
            let wi = w[i] * decay + cw * xOld[i], vi = v[i] * decay + cv * xOld[i]
            w[i] = wi
            v[i] = vi
            sumW += wi * xNew[i]
            sumV += vi * xNew[i]
            i += 1
        }
        return (sumW, sumV)
    }
}
