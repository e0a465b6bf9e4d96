import RealModule
import Testing
@testable import SGDynCore

@Suite("Random numbers")
struct RandomTests {
    @Test("xoshiro256** matches the reference implementation's outputs for state {1,2,3,4}")
    func xoshiroReferenceVector() {
        // Values printed by the authors' C reference (the same `next` as the authors' sgd_limit.c benchmark).
        var g = Xoshiro256StarStar(s0: 1, s1: 2, s2: 3, s3: 4)
        let expected: [UInt64] = [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240,
                                  1_216_172_134_540_287_360, 607_988_272_756_665_600]
        #expect((0..<6).map { _ in g.next() } == expected)
    }

    @Test("SplitMix64 matches its reference first output from state 0")
    func splitMixReference() {
        var s = SplitMix64(state: 0)
        #expect(s.next() == 16_294_208_416_658_607_535)
    }

    @Test("keyed generators differ across seed, stream and counter, and repeat for the same key")
    func keyedStreams() {
        func first(_ seed: UInt64, _ stream: RandomStream, _ counter: UInt64) -> UInt64 {
            var g = Xoshiro256StarStar(seed: seed, stream: stream, counter: counter)
            return g.next()
        }
        let values = [first(0, .step, 0), first(1, .step, 0), first(0, .teacher, 0), first(0, .step, 1)]
        #expect(Set(values).count == values.count)
        #expect(first(7, .student, 3) == first(7, .student, 3))
    }

    @Test("ziggurat normals have the moments and tail mass of N(0,1)")
    func ziggurat() {
        let n = 2_000_000
        var x = [Double](repeating: 0, count: n)
        var normals = NormalStream(seed: 42, stream: .step, counter: 0)
        x.withUnsafeMutableBufferPointer { normals.fill($0.baseAddress!, count: n) }
        let mean = x.reduce(0, +) / Double(n)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        let fourth = x.reduce(0) { $0 + $1 * $1 * $1 * $1 } / Double(n)
        // Standard errors: mean 1/√n = 7e-4, variance √(2/n) = 1e-3, fourth moment √(96/n) = 7e-3; 5σ bounds.
        #expect(abs(mean) < 5 * 7.1e-4)
        #expect(abs(variance - 1) < 5 * 1.0e-3)
        #expect(abs(fourth - 3) < 5 * 6.9e-3)
        // Tail beyond the ziggurat's base layer (r = 3.654) exercises the slow path:
        // P(|x| > 3.654) = 2.58e-4, so ~516 expected; Poisson 5σ ≈ 114.
        let tail = x.filter { abs($0) > 3.6541528853610088 }.count
        #expect(abs(Double(tail) - 2 * 0.5 * Double.erfc(3.6541528853610088 / 2.0.squareRoot()) * Double(n)) < 114)
        // Kolmogorov–Smirnov against Φ on a subsample: the 0.1 % critical value is 1.95/√m.
        let m = 100_000
        let sample = x.prefix(m).sorted()
        var ks = 0.0
        for (i, value) in sample.enumerated() {
            let cdf = 0.5 * Double.erfc(-value / 2.0.squareRoot())
            ks = max(ks, abs(cdf - Double(i) / Double(m)), abs(cdf - Double(i + 1) / Double(m)))
        }
        #expect(ks < 1.95 / Double(m).squareRoot())
    }

    @Test("normal draws follow the documented lane order: position 8q + j from lane j")
    func laneOrder() {
        func draws(_ count: Int) -> [Double] {
            var normals = NormalStream(seed: 5, stream: .student, counter: 2)
            var x = [Double](repeating: 0, count: count)
            x.withUnsafeMutableBufferPointer { normals.fill($0.baseAddress!, count: count) }
            return x
        }
        let long = draws(24), short = draws(11)
        // The first 8 are the lanes' first draws; a partial group takes lanes 0, 1, 2 in turn,
        // which are the same draws as positions 8, 9, 10 of a longer fill.
        #expect(Array(long[0..<11]) == short)
        // Lane 0 alone, scalar: position 0, 8, 16 are its first three draws.
        var lane0 = NormalStream(seed: 5, stream: .student, counter: 2)
        #expect([lane0.next(), lane0.next(), lane0.next()] == [long[0], long[8], long[16]])
        // Split fills continue each lane where it stopped.
        var split = NormalStream(seed: 5, stream: .student, counter: 2)
        var parts = [Double](repeating: 0, count: 24)
        parts.withUnsafeMutableBufferPointer {
            split.fill($0.baseAddress!, count: 8)
            split.fill($0.baseAddress! + 8, count: 16)
        }
        #expect(parts == long)
    }

    @Test("bounded integers are uniform")
    func below() {
        var g = Xoshiro256StarStar(seed: 3, stream: .epoch, counter: 0)
        var counts = [Int](repeating: 0, count: 7)
        let n = 700_000
        for _ in 0..<n { counts[Int(g.below(7))] += 1 }
        // Each count is Binomial(n, 1/7): σ ≈ 293; 5σ bound.
        for c in counts { #expect(abs(c - n / 7) < 5 * 293) }
    }

    @Test("SHA-256 matches the FIPS 180-4 test vectors")
    func sha256() {
        #expect(SHA256.hexDigest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
