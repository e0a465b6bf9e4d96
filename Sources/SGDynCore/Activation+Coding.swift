/// An activation on disk (snapshots, work units, spool files): its stable one-byte tag
/// (`ActivationDeclaration.tag`), and for a Hermite expansion (tag 12) one byte with the number
/// of coefficients and then each as a Double. The named activations stay one byte, so every
/// encoding written before expansions existed keeps its bytes.
extension ByteWriter {
    public mutating func write(activation g: Activation) {
        write(g.declaration.tag)
        if case .hermite(let h) = g { writeCoefficients(of: h) }
    }

    /// The coefficient count and the coefficients, after a tag of 12 written elsewhere.
    mutating func writeCoefficients(of h: HermiteExpansion) {
        write(UInt8(h.coefficients.count))
        for c in h.coefficients { write(c) }
    }
}

extension ByteReader {
    /// What `write(activation:)` wrote.
    public mutating func readActivation() throws(SnapshotError) -> Activation {
        try readActivation(tag: try readByte())
    }

    /// The activation with `tag`, reading an expansion's coefficients after it.
    mutating func readActivation(tag: UInt8) throws(SnapshotError) -> Activation {
        if tag == Activation.hermiteTag {
            let count = Int(try readByte())
            var c = [Double]()
            for _ in 0..<count { c.append(try readDouble()) }
            if let problem = HermiteExpansion.problem(c) { throw .inconsistent("Hermite expansion \(problem)") }
            guard HermiteExpansion(coefficients: c).coefficients.count == count else {
                throw .inconsistent("Hermite expansion with trailing zero coefficients")
            }
            return .hermite(HermiteExpansion(coefficients: c))
        }
        guard let g = Activation(tag: tag) else { throw .inconsistent("unknown activation tag \(tag)") }
        return g
    }
}

extension Activation: Codable {
    /// The tag of `hermite` (the declaration's; a constant for the codecs).
    static let hermiteTag: UInt8 = 12

    private enum Keys: String, CodingKey { case hermite }

    /// A named activation as its job-file string, an expansion as `{"hermite": [c0, …]}`: the
    /// job file's own forms.
    public init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: Keys.self) {
            let c = try object.decode([Double].self, forKey: .hermite)
            if let problem = HermiteExpansion.problem(c) {
                throw DecodingError.dataCorruptedError(forKey: .hermite, in: object, debugDescription: "Hermite expansion \(problem)")
            }
            self = .hermite(HermiteExpansion(coefficients: c))
            return
        }
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let g = Activation(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown activation \(name)")
        }
        self = g
    }

    public func encode(to encoder: any Encoder) throws {
        if case .hermite(let h) = self {
            var object = encoder.container(keyedBy: Keys.self)
            try object.encode(h.coefficients, forKey: .hermite)
        } else {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }
}
