import RealModule

/// Standard normal deviates by Marsaglia & Tsang's ziggurat with 256 layers.
///
/// Each draw uses one 64-bit output: the low 8 bits pick the layer and the top 53 bits give a
/// uniform in [−1, 1); about 1.2 % of draws take the slow path (wedge or tail), which may consume
/// further outputs. The generator is passed by value and kept in locals in `fill`: state behind a
/// pointer in this loop costs a factor of two on this toolchain.
public enum Ziggurat {
    @usableFromInline static let tailStart = 3.6541528853610088
    @usableFromInline static let layerArea = 0.00492867323399

    /// Layer edges x[0…256] and the ratios x[i+1]/x[i], in memory that lives for the whole process.
    @usableFromInline
    struct Tables: @unchecked Sendable {
        @usableFromInline let x: UnsafeMutablePointer<Double>
        @usableFromInline let ratio: UnsafeMutablePointer<Double>

        init() {
            x = .allocate(capacity: 257)
            ratio = .allocate(capacity: 256)
            var f = Double.exp(-0.5 * tailStart * tailStart)
            x[0] = layerArea / f
            x[1] = tailStart
            x[256] = 0
            for i in 2..<256 {
                x[i] = (-2 * Double.log(layerArea / x[i - 1] + f)).squareRoot()
                f = Double.exp(-0.5 * x[i] * x[i])
            }
            for i in 0..<256 { ratio[i] = x[i + 1] / x[i] }
        }
    }

    @usableFromInline static let tables = Tables()

    /// Fills `buffer[0..<count]` with standard normals and returns the advanced generator.
    @inlinable
    public static func fill(_ buffer: UnsafeMutablePointer<Double>, count: Int, generator: Xoshiro256StarStar) -> Xoshiro256StarStar {
        var g = generator
        let zx = tables.x
        let zr = tables.ratio
        var i = 0
        while i < count {
            let bits = g.next()
            let layer = Int(truncatingIfNeeded: bits & 0xFF)
            let u = Double(Int64(bitPattern: bits &>> 11)) * 0x1.0p-52 - 1.0
            if abs(u) < zr[layer] {
                buffer[i] = u * zx[layer]
                i += 1
                continue
            }
            let slow = slowPath(g, layer: layer, u: u)
            g = slow.generator
            if slow.accepted {
                buffer[i] = slow.value
                i += 1
            }
        }
        return g
    }

    /// One standard normal (for the occasional single draw, e.g. label noise).
    @inlinable
    public static func normal(_ generator: inout Xoshiro256StarStar) -> Double {
        var value = 0.0
        generator = fill(&value, count: 1, generator: generator)
        return value
    }

    /// The rare wedge/tail rejection step. Takes the generator by value and hands it back so the
    /// caller's copy can stay in registers.
    @usableFromInline @inline(never)
    static func slowPath(_ generator: Xoshiro256StarStar, layer: Int, u: Double)
        -> (value: Double, accepted: Bool, generator: Xoshiro256StarStar)
    {
        var g = generator
        let zx = tables.x
        if layer == 0 {
            var x: Double, y: Double
            repeat {
                x = Double.log(1 - g.uniform()) / tailStart
                y = Double.log(1 - g.uniform())
            } while -2 * y < x * x
            return (u < 0 ? x - tailStart : tailStart - x, true, g)
        }
        let z = u * zx[layer]
        let f0 = Double.exp(-0.5 * (zx[layer] * zx[layer] - z * z))
        let f1 = Double.exp(-0.5 * (zx[layer + 1] * zx[layer + 1] - z * z))
        let accepted = f1 + g.uniform() * (f0 - f1) < 1.0
        return (z, accepted, g)
    }
}
