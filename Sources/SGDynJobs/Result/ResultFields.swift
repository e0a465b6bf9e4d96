/// The field names of one kind of object in result.json, in the order they are written, each
/// with what it holds. Every object type of `ResultDocument` has one such enum; it is the one
/// place a field's name is spelled: the writer, the reader, the skimmer's projection, the
/// generated table in docs/job-files.md and scripts/result_fields.py all take it from there.
public protocol ResultFields: RawRepresentable<String>, CaseIterable, Hashable, Sendable {
    /// Where objects of this kind sit in result.json: `points[].runs[]`; empty for the top level.
    static var path: String { get }
    /// What the field holds, for docs/job-files.md.
    var meaning: String { get }
}

extension ResultFields {
    /// A skimming plan that keeps these members of such an object (projected further) and steps
    /// over the rest.
    public static func projection(_ members: [Self: JSONProjection]) -> JSONProjection {
        .members(Dictionary(uniqueKeysWithValues: members.map { ($0.key.rawValue, $0.value) }))
    }
}

/// Builds one object of result.json member by member, in the order the writer calls `put`
/// (which is the order of the `Fields` enum; `ResultDocumentTests` checks it).
struct ResultObjectWriter<Fields: ResultFields> {
    private(set) var members: [(key: String, value: JSONValue)] = []

    /// Writes the member, `null` included.
    mutating func put(_ field: Fields, _ value: JSONValue) { members.append((field.rawValue, value)) }
    /// Writes the member only when there is a value (result.json leaves such fields out).
    mutating func omittable(_ field: Fields, _ value: JSONValue?) { if let value { put(field, value) } }

    var json: JSONValue { .object(members) }
}

/// Reads one object of result.json leniently: a missing member, or one of another type, reads
/// as nil (old bundles, foreign ones and documents skimmed down to a few members all read).
struct ResultObjectReader<Fields: ResultFields> {
    /// The object's members, taken out of the enum once: the outbox summary reads 10,000 runs
    /// of a sweep through here, ten look-ups each.
    private let members: [(key: String, value: JSONValue)]

    init(json: JSONValue) {
        if case .object(let members) = json { self.members = members } else { members = [] }
    }

    subscript(_ field: Fields) -> JSONValue? {
        let key = field.rawValue
        for member in members where member.key == key { return member.value }
        return nil
    }
    func string(_ field: Fields) -> String? { self[field]?.stringValue }
    func double(_ field: Fields) -> Double? { self[field]?.doubleValue }
    /// A number of a member that is left out when absent: `null` (a value that was not finite)
    /// reads as NaN, so that writing it again gives `null` again, not nothing.
    func presentDouble(_ field: Fields) -> Double? { self[field] == JSONValue.null ? .nan : double(field) }
    func int(_ field: Fields) -> Int? { self[field]?.intValue }
    func bool(_ field: Fields) -> Bool? {
        if case .bool(let b)? = self[field] { return b }
        return nil
    }
    /// A seed: an unsigned 64-bit integer, written as a JSON number.
    func seed(_ field: Fields) -> UInt64? {
        if case .number(let n)? = self[field] { return UInt64(n) }
        return nil
    }
    /// A nested object, read by `make`; nil when the member is missing or null.
    func object<T>(_ field: Fields, _ make: (JSONValue) -> T) -> T? {
        guard let value = self[field], value != .null else { return nil }
        return make(value)
    }
    /// A list, each element read by `make`; nil when the member is missing or not a list.
    func array<T>(_ field: Fields, _ make: (JSONValue) -> T) -> [T]? {
        guard case .array(let items)? = self[field] else { return nil }
        return items.map(make)
    }
    /// A list of texts; other scalars as they are written.
    func strings(_ field: Fields) -> [String]? { array(field) { $0.stringValue ?? $0.literal } }
}

extension JSONValue {
    /// A number from a Double that may be absent: `null` when nil or not finite.
    static func double(_ value: Double?) -> JSONValue { value.map { JSONValue.double($0) } ?? .null }
    /// A seed, as an unsigned integer.
    static func seed(_ value: UInt64) -> JSONValue { .number(String(value)) }
}

extension Double {
    /// The value as result.json holds it: nil when not finite (written as `null`).
    var finiteOrNil: Double? { isFinite ? self : nil }
}
