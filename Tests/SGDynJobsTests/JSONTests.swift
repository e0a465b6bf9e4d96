import Testing
@testable import SGDynJobs

@Suite("JSON reading and writing")
struct JSONTests {
    @Test("strings with escapes and non-ASCII text survive writing and parsing")
    func roundTrip() throws {
        let value = JSONValue.object([
            ("text", .string("quote \" backslash \\ newline \n tab \t bell \u{07} ε_g ≈ 1.1·10⁻⁵ 🎉")),
            ("numbers", .array([.number("1"), .number("-2.5e-3"), .double(0.1), .double(1e-300)])),
            ("nested", .object([("empty", .array([])), ("nothing", .null), ("yes", .bool(true))])),
        ])
        for pretty in [true, false] {
            let text = JSONWriter.string(value, pretty: pretty)
            #expect(try JSONParser.parse(Array(text.utf8)) == value)
        }
        #expect(try JSONParser.parse(Array(#""\ud83c\udf89 \u00e9""#.utf8)) == .string("🎉 é"))
    }

    @Test("doubles are written in the shortest form that reads back exactly")
    func shortestDoubles() {
        for x in [0.1, 1.0 / 3, 1.1444e-5, 123456789.125, -0.0, Double.leastNonzeroMagnitude] {
            guard case .number(let text) = JSONValue.double(x) else { Issue.record("not a number"); continue }
            #expect(Double(text)?.bitPattern == x.bitPattern)
        }
        #expect(JSONValue.double(.nan) == .null)
    }

    @Test("nesting deeper than 64 levels is refused, not a stack overflow")
    func depth() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(deep.utf8)) }
    }
}
