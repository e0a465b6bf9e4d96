import RealModule

/// The tables and the rare slow path of Marsaglia & Tsang's ziggurat with 256 layers, used by
/// `NormalStream`. The slow path takes the generator by value and hands it back, so the caller's
/// copy can stay in registers (state behind a pointer costs a factor of two in the fast loop).
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

    /// One standard normal from a scalar generator, drawn exactly as one lane of `NormalStream`
    /// draws (for occasional draws; bulk draws go through `NormalStream.fill`).
    @inlinable
    public static func normal(_ generator: inout Xoshiro256StarStar) -> Double {
        let drawn = NormalStream.drawScalar(generator)
        generator = drawn.generator
        return drawn.value
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
