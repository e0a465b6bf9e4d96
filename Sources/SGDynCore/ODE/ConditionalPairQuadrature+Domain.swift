/// Where a pass of `ConditionalPairQuadrature` needs outer nodes: the disc |z| ≤ radius, and —
/// in a pass whose every term carries g′(λ_i)·g′(λ_k) (i ≠ k: S4 and J2) for a student whose g′
/// decays (`ActivationDeclaration.derivativeTail` Λ: tanh 16.5, sigmoid 32.5) — only where
/// |λ_i| + |λ_k| ≤ Λ: the level sets of g′(λ_i)·g′(λ_k) ∝ e^{−(|λ_i| + |λ_k|)} are diamonds,
/// and beyond this one lies at most 1e-12 of the product's mass (the share of one part of the
/// error budget, as for the disc's radius). A student of norm σ ≫ 1 then needs nodes only in a
/// diamond ≈ 2Λ/σ across around its kink, and the steps it asks for shrink like 1/σ too: the
/// nodes per pass stay ≈ 2(Λ/(σ·h))² ≈ 10⁴ for tanh however far the norms grow, where the whole
/// disc would need ≈ 3 300·σ². Diagonal passes (S2 carries g, not g′) keep the whole line.
///
/// λ = c₀·z₀ + c₁·z₁ for the two exact student fields (`first`, `second`: their coefficients on
/// the outer levels). With one level the nodes vary z₀ (base 0, slope c₀); with two, a row fixes
/// z₀ and its nodes vary z₁ (base c₀·z₀, slope c₁).
struct OuterDomain {
    let levels: Int
    let radius: Double
    /// Λ when the pass is truncated, else nil.
    let tail: Double?
    let first: (c0: Double, c1: Double), second: (c0: Double, c1: Double)
    /// Half-extent of level 0: the rows (two levels) or the nodes (one level); ≤ radius.
    let rowExtent: Double
    /// The largest |z₁| a row's nodes reach (two levels), ≤ radius.
    let columnExtent: Double
    /// The widest a row's z₁ interval can be (two levels), ≤ 2·radius: bounds the nodes per row.
    let columnWidth: Double

    init(levels: Int, radius: Double, tail: Double?, first: (c0: Double, c1: Double), second: (c0: Double, c1: Double)) {
        self.levels = levels
        self.radius = radius
        self.tail = tail
        self.first = first
        self.second = second
        var rowExtent = radius, columnExtent = radius, columnWidth = 2 * radius
        if let tail {
            if levels == 1, abs(first.c0) + abs(second.c0) > 0 {
                // Both vary along the line: |λ_i| + |λ_k| = (|c₀ⁱ| + |c₀ᵏ|)·|z|.
                rowExtent = min(rowExtent, tail / (abs(first.c0) + abs(second.c0)))
            }
            if levels == 2 {
                // The first pivot (i) is fixed by the row: |c₀ⁱz₀| ≤ Λ bounds the rows, and a
                // row's |λ_k| ≤ Λ − |λ_i| ≤ Λ bounds its z₁.
                for f in [first, second] where f.c1 == 0 && f.c0 != 0 { rowExtent = min(rowExtent, tail / abs(f.c0)) }
                for f in [first, second] where f.c1 != 0 {
                    columnExtent = min(columnExtent, (tail + abs(f.c0) * rowExtent) / abs(f.c1))
                    columnWidth = min(columnWidth, 2 * tail / abs(f.c1))
                }
            }
        }
        self.rowExtent = rowExtent
        self.columnExtent = columnExtent
        self.columnWidth = columnWidth
    }

    /// Whether any bound is tighter than the disc (else the pass is the untruncated rule, bit
    /// for bit: the rows' and nodes' intervals below may still drop nodes whose g′ is ≤ 1e-17).
    var truncates: Bool { rowExtent < radius || columnExtent < radius }

    /// The interval of the varying variable where row z₀ (0 for one level) needs nodes, within
    /// [−chord, chord]; nil when it needs none.
    func interval(row z0: Double, chord: Double) -> (low: Double, high: Double)? {
        var low = -chord, high = chord
        guard let tail else { return (low, high) }
        if levels < 2 {
            let slope = abs(first.c0) + abs(second.c0)
            if slope > 0 { low = max(low, -tail / slope); high = min(high, tail / slope) }
            return low <= high ? (low, high) : nil
        }
        // Two levels: the fields fixed by the row (no level-1 coefficient) use |c₀z₀| of Λ, the
        // varying ones the rest. With two varying fields (never: the first pivot has none) each
        // gets the rest alone — a superset of the diamond.
        var rest = tail
        for f in [first, second] where f.c1 == 0 { rest -= abs(f.c0 * z0) }
        if rest < 0 { return nil }
        for f in [first, second] where f.c1 != 0 {
            let base = f.c0 * z0
            let a = (-rest - base) / f.c1, b = (rest - base) / f.c1
            low = max(low, min(a, b))
            high = min(high, max(a, b))
        }
        return low <= high ? (low, high) : nil
    }
}
