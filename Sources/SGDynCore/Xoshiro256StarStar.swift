/// The xoshiro256** generator (Blackman & Vigna): 256 bits of state, fast, and good enough for
/// Monte-Carlo work. Its whole state is four integers, so it is trivially snapshotted.
///
/// sgdyn rarely keeps one generator for long: every random quantity comes from a fresh generator
/// keyed by `(seed, stream, counter)` (see `RandomStream`), which is what makes a run resumable
/// from nothing but its step count.
public struct Xoshiro256StarStar: Sendable, Equatable {
    public var s0: UInt64
    public var s1: UInt64
    public var s2: UInt64
    public var s3: UInt64

    /// A generator with the given raw state. The state must not be all zero.
    @inlinable
    public init(s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64) {
        precondition(s0 | s1 | s2 | s3 != 0, "xoshiro256** state must not be all zero")
        self.s0 = s0
        self.s1 = s1
        self.s2 = s2
        self.s3 = s3
    }

    /// The generator for one `(seed, stream, counter)` key: the key is hashed with SplitMix64
    /// and the four state words are the next four SplitMix64 outputs (the seeding Vigna recommends).
    @inlinable
    public init(seed: UInt64, stream: RandomStream, counter: UInt64) {
        var seeder = SplitMix64(state: Xoshiro256StarStar.key(seed: seed, stream: stream, counter: counter))
        var words = (seeder.next(), seeder.next(), seeder.next(), seeder.next())
        if words.0 | words.1 | words.2 | words.3 == 0 { words.3 = 1 }  // never happens in practice
        self.init(s0: words.0, s1: words.1, s2: words.2, s3: words.3)
    }

    /// The 64-bit hash of a `(seed, stream, counter)` key: SplitMix64 applied to each part in turn.
    @inlinable
    public static func key(seed: UInt64, stream: RandomStream, counter: UInt64) -> UInt64 {
        var key = SplitMix64.mix(seed)
        key = SplitMix64.mix(key ^ stream.rawValue)
        return SplitMix64.mix(key ^ counter)
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) &<< 7 | (s1 &* 5) &>> 57) &* 9
        let t = s1 &<< 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 &<< 45 | s3 &>> 19
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func uniform() -> Double {
        Double(next() &>> 11) * 0x1.0p-53
    }

    /// A uniform integer in 0..<bound (Lemire's nearly-divisionless method, unbiased).
    @inlinable
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }
}

/// SplitMix64 (Steele, Lea & Flood), used only to turn keys into xoshiro256** states.
public struct SplitMix64: Sendable {
    public var state: UInt64

    @inlinable public init(state: UInt64) { self.state = state }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.finalise(state)
    }

    /// One SplitMix64 step applied to `value`: a bijective 64-bit hash.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        finalise(value &+ 0x9E37_79B9_7F4A_7C15)
    }

    @inlinable
    static func finalise(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }
}

/// The independent random streams of a run. Each draw sgdyn makes comes from the generator
/// keyed `(seed, stream, counter)`; the table in docs/numerics.md ("Random numbers") documents the order of
/// draws inside each stream. The raw values are part of the reproducibility contract: never
/// renumber them.
public enum RandomStream: UInt64, Sendable {
    /// Counter 0: teacher first layer B (M×N, row-major), then v* when it is random.
    case teacher = 1
    /// Counter 0: student first layer W (K×N, row-major), then v when it is random.
    case student = 2
    /// Counter = SGD step: for each sample of the mini-batch, x (N normals) then the label noise ζ.
    case step = 3
    /// Counter = training-set index: x (N normals) then the label noise ζ (finite-set mode).
    case trainingSample = 4
    /// Counter = epoch: the Fisher–Yates shuffle of the training set for that epoch.
    case epoch = 5
    /// Counter = test-set index: x (N normals) of the Monte-Carlo test set.
    case testSample = 6
}
