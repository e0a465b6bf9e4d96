/// The name of a directory entry in the inbox, kept as the raw bytes the kernel returned: a hostile
/// name need not be valid UTF-8, and such a file must still be reported and moved out by its
/// exact name.
public struct InboxEntryName: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// The name as text, or nil when the bytes are not valid UTF-8.
    public var string: String? { String(validating: bytes, as: UTF8.self) }

    /// Printable in a log line whatever the bytes are: invalid UTF-8 and control characters appear
    /// as `\xNN` escapes.
    public var description: String {
        if let text = string, !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return text
        }
        var printable = ""
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x7F {
                printable.append(Character(UnicodeScalar(byte)))
            } else {
                printable += "\\x" + String(byte, radix: 16, uppercase: false).leftPadded(to: 2)
            }
            index += 1
        }
        return printable
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
