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
}
