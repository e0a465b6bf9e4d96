import Testing
@testable import SGDynCore

/// The right-hand side's written-out ReLU I4 (`ReLUClosedForms`, from the shared `ReLUTables`)
/// against the general recursion of `ReLUMoments`, for every way the four arguments coincide.
@Suite struct ODEReLUClosedFormTests {
    /// Random covariances of 7 fields (K = 4 students, M = 3 teachers) as Gram matrices of vectors
    /// in 6–9 dimensions (so every set of four is well conditioned), some with an exact copy, an
    /// anti-parallel copy or a copy perturbed by 1e-7 (the last two go the general way, as the
    /// merge rule says). Both compute the same sums of the same terms in different orders, with
    /// the same P4 and arcsines from FastArcsine or the C library (≤ 2 ulp apart): 1e-14 relative
    /// to max(1, |I4|) is about 50 ulp of the largest term.
    @Test func closedFormsMatchGeneralMethod() {
        let K = 4, M = 3, D = K + M
        var worst = 0.0
        for trial in 0..<120 {
            var g = Xoshiro256StarStar(seed: UInt64(trial), stream: .teacher, counter: 77)
            let dimension = 6 + trial % 4
            var vectors = (0..<D).map { _ in
                let scale = 0.5 + g.uniform()
                return (0..<dimension).map { _ in scale * Ziggurat.normal(&g) }
            }
            switch trial % 4 {
            case 1: vectors[1] = vectors[0].map { 1.3 * $0 }                 // student copy
            case 2: vectors[5] = vectors[2].map { -$0 }                      // anti-parallel student–teacher
            case 3: vectors[2] = vectors[K].map { $0 * (1 + 1e-7 * Ziggurat.normal(&g)) }  // near copy
            default: break
            }
            let workspace = ODEWorkspace(K: K, M: M, activation: .relu)
            let C = workspace.view.C
            for a in 0..<D {
                for b in 0..<D { C[a * D + b] = zip(vectors[a], vectors[b]).map { $0 * $1 }.reduce(0, +) }
            }
            let tables = workspace.view.relu!
            tables.prepare(C)
            for i in 0..<K { for k in i..<K { for c in 0..<D { for d in c..<D {
                let ours = tables.i4(C, i, k, c, d)
                let general = ReLUMoments.i4(ODERightHandSide.gather(C, D, i, k, c, d))
                let error = abs(ours - general) / max(1, abs(general))
                worst = max(worst, error)
                #expect(error <= 1e-14, "trial \(trial) I4(\(i), \(k), \(c), \(d)): \(ours) vs \(general)")
            } } } }
        }
        print("ReLU closed forms vs general recursion: largest relative difference \(worst)")
    }

    /// The set rank with argument places is the rank of `FourSubsets.rank`, and the places sort
    /// the arguments; the pair slots enumerate 01, 02, 03, 12, 13, 23.
    @Test func ranksPlacesAndPairSlots() {
        for (a, b, c, d) in [(0, 1, 2, 3), (7, 2, 9, 4), (5, 3, 1, 0), (2, 11, 6, 8)] {
            let (rank, sorted, position) = FourSubsets.rankAndPositions(a, b, c, d)
            #expect(rank == FourSubsets.rank(a, b, c, d))
            #expect(sorted == SIMD4([a, b, c, d].sorted()))
            let arguments = [a, b, c, d]
            for role in 0..<4 { #expect(sorted[position[role]] == arguments[role]) }
        }
        let pairs = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
        for (slot, (p, q)) in pairs.enumerated() {
            #expect(FourSubsets.pairSlot(p, q) == slot && FourSubsets.pairSlot(q, p) == slot)
        }
    }
}
