/// Which parts of a JSON document to keep when skimming it: the outbox index needs a few
/// dozen values of a result.json that can be megabytes (per-run documents of a 10 000-run
/// sweep, the list of every CSV), so everything else is stepped over without being decoded.
public indirect enum JSONProjection: Sendable {
    /// The value, decoded whole.
    case whole
    /// An object with only these members (each projected further); other members are skipped.
    case members([String: JSONProjection])
    /// An array whose every element is projected so.
    case elements(JSONProjection)
}

/// Why a document could not be skimmed; `offset` is in bytes.
public struct JSONSkimError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

/// Reads a projection of a JSON document. Kept values are decoded strictly by `JSONParser`;
/// skipped ones are only scanned for their end (strings and nesting respected, nothing else
/// checked), so a document that is broken only inside a skipped part still skims.
public struct JSONSkimmer {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    private static let maxDepth = 64

    public static func read(_ bytes: [UInt8], keeping projection: JSONProjection) throws(JSONSkimError) -> JSONValue {
        do {
            return try bytes.withUnsafeBufferPointer { buffer in
                var skimmer = JSONSkimmer(bytes: buffer)
                if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { skimmer.index = 3 }
                let value = try skimmer.value(projection)
                skimmer.skipWhitespace()
                guard skimmer.index == buffer.count else { throw skimmer.error("text after the end of the JSON value") }
                return value
            }
        } catch let error as JSONSkimError {
            throw error
        } catch {
            throw JSONSkimError(message: "\(error)", offset: 0)
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func error(_ message: String) -> JSONSkimError { JSONSkimError(message: message, offset: index) }

    private mutating func value(_ projection: JSONProjection) throws(JSONSkimError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end") }
        switch (projection, bytes[index]) {
        case (.members(let wanted), UInt8(ascii: "{")): return try object(wanted)
        case (.elements(let element), UInt8(ascii: "[")): return try array(element)
        default:
            let start = index
            try skipValue()
            do {
                return try JSONParser.parse(Array(bytes[start..<index]))
            } catch {
                throw JSONSkimError(message: error.message, offset: start)
            }
        }
    }

    private mutating func object(_ wanted: [String: JSONProjection]) throws(JSONSkimError) -> JSONValue {
        try enter()
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; depth -= 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let keyStart = index
            try skipString()
            let key = try decodeKey(keyStart..<index)
            try expect(UInt8(ascii: ":"))
            if let projection = wanted[key] {
                members.append((key, try value(projection)))
            } else {
                skipWhitespace()
                try skipValue()
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "}") else { throw error("expected , or }") }
            index += 1
            depth -= 1
            return .object(members)
        }
    }

    private mutating func array(_ element: JSONProjection) throws(JSONSkimError) -> JSONValue {
        try enter()
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; depth -= 1; return .array(items) }
        while true {
            items.append(try value(element))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end inside a list") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "]") else { throw error("expected , or ]") }
            index += 1
            depth -= 1
            return .array(items)
        }
    }

    /// Keys of result.json are plain ASCII; one with escapes is decoded by the strict parser.
    private func decodeKey(_ range: Range<Int>) throws(JSONSkimError) -> String {
        let inner = bytes[(range.lowerBound + 1)..<(range.upperBound - 1)]
        if !inner.contains(UInt8(ascii: "\\")), let text = String(validating: inner, as: UTF8.self) { return text }
        guard case .string(let key)? = try? JSONParser.parse(Array(bytes[range])) else {
            throw JSONSkimError(message: "unreadable key", offset: range.lowerBound)
        }
        return key
    }

    private mutating func enter() throws(JSONSkimError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw error("nested too deeply") }
    }

    private mutating func expect(_ byte: UInt8) throws(JSONSkimError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { throw error("expected \(Character(Unicode.Scalar(byte)))") }
        index += 1
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Steps over one value: a string, a bracketed value (tracking strings, so brackets inside
    /// them do not count) or a scalar up to the next delimiter.
    private mutating func skipValue() throws(JSONSkimError) {
        guard index < bytes.count else { throw error("unexpected end; expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var nesting = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    try skipString()
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    nesting += 1
                    guard depth + nesting <= Self.maxDepth else { throw error("nested too deeply") }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    nesting -= 1
                    if nesting == 0 { index += 1; return }
                default: break
                }
                index += 1
            }
            throw error("unexpected end inside a skipped value")
        default:
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09:
                    guard index > start else { throw error("expected a value") }
                    return
                default: index += 1
                }
            }
            guard index > start else { throw error("expected a value") }
        }
    }

    private mutating func skipString() throws(JSONSkimError) {
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): index += 1; return
            default: index += 1
            }
        }
        throw error("unterminated string")
    }
}
