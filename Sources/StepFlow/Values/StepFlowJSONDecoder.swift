import Foundation

/// Reads StepFlow's JSON into `Decodable` values, giving what `JSONDecoder` with
/// ``StepFlowJSON``'s options gives, at a fraction of the cost.
///
/// It parses strict JSON (RFC 8259, UTF-8) into a flat list of tokens over the
/// input bytes, compares keys as bytes, and decodes with Foundation's rules where
/// they are plain: integers from integer literals, floating-point numbers through
/// the same correctly rounded conversion, `"Infinity"`, `"-Infinity"` and `"NaN"`
/// as non-finite numbers, the first of repeated keys, dates through
/// ``StepFlowJSON/parseDate(_:)``, and ``JSONValue`` as its `init(from:)` would
/// build it under Foundation.
///
/// Anything else fails here: text Foundation might still accept, numbers it
/// converts in its slow paths (`42.0` as an `Int`), `Data`, `URL`, `Decimal`,
/// `superDecoder`, and every decoding error, even one the value caught. A
/// failure sends the whole document to Foundation's decoder, so results and
/// error messages are Foundation's by construction. `StepFlowJSONTests` compares the two.
package struct StepFlowJSONDecoder: Sendable {
    /// Creates a decoder.
    package init() {}

    /// Decodes a value of the given type from JSON text.
    package func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let value = decodedValue(type, from: data) { return value }
        return try StepFlowJSON.foundationDecoder.decode(type, from: data)
    }

    /// The value, or `nil` when Foundation's decoder must read the document.
    package func decodedValue<T: Decodable>(_ type: T.Type, from data: Data) -> T? {
        let document = JSONDocument(data)
        guard document.parse() else { return nil }
        // Spare decoders refer to the document: let both go.
        defer { document.releaseSpareDecoders() }
        do {
            let value = try document.decode(type, at: 0, parent: nil, key: nil)
            return document.failed ? nil : value
        } catch {
            return nil
        }
    }
}

/// What a token is.
private enum TokenKind: UInt8 {
    case null, `true`, `false`
    /// `-?[0-9]+`
    case integer
    /// A number with a fraction or an exponent.
    case number
    /// A string without escapes, all ASCII.
    case asciiString
    /// A string without escapes, valid UTF-8 with non-ASCII bytes.
    case string
    /// A string with escapes (checked while parsing).
    case escapedString
    case array
    case object
}

/// One JSON value in document order: its bytes, and for a container, where it ends.
/// (Offsets are 32-bit: larger documents are left to Foundation.)
private struct Token {
    let kind: TokenKind
    private let rawStart: Int32
    private var rawEnd: Int32
    private var rawNext: Int32
    private var rawCount: Int32 = 0

    init(kind: TokenKind, start: Int, end: Int, next: Int) {
        self.kind = kind
        rawStart = Int32(truncatingIfNeeded: start)
        rawEnd = Int32(truncatingIfNeeded: end)
        rawNext = Int32(truncatingIfNeeded: next)
    }

    /// The value's first byte (for a string, the first byte after the quote).
    var start: Int { Int(rawStart) }
    /// One past its last byte (for a string, the closing quote).
    var end: Int { Int(rawEnd) }
    /// The index of the first token after this value (after its members, for a container).
    var next: Int { Int(rawNext) }
    /// For a container, its number of members or elements.
    var count: Int { Int(rawCount) }

    mutating func close(end: Int, next: Int, count: Int) {
        rawEnd = Int32(truncatingIfNeeded: end)
        rawNext = Int32(truncatingIfNeeded: next)
        rawCount = Int32(truncatingIfNeeded: count)
    }
}

/// The tokens of a document, in a buffer read without bounds checks or reference
/// counting (indices come from the parser, which only makes valid ones).
private struct TokenList: ~Copyable {
    private var base: UnsafeMutablePointer<Token>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 8)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    subscript(index: Int) -> Token {
        @inline(__always) get { base[index] }
    }

    @inline(__always)
    mutating func append(_ token: Token) {
        if count == capacity { grow() }
        (base + count).initialize(to: token)
        count += 1
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<Token>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    mutating func close(_ index: Int, end: Int, next: Int, count: Int) {
        base[index].close(end: end, next: next, count: count)
    }
}

/// A parsed document: its bytes, its tokens, and what one decoding shares.
private final class JSONDocument {
    /// Deeper documents are left to Foundation, which has its own limit.
    static let maximumDepth = 500

    private let base: UnsafeMutablePointer<UInt8>
    private let byteCount: Int
    // One decoding runs on one thread, and nothing holds these across a call that
    // could touch them again, so the runtime's exclusivity checks are not needed.
    @exclusivity(unchecked) private(set) var tokens: TokenList
    /// Set when the document must be decoded by Foundation's decoder instead.
    @exclusivity(unchecked) var failed = false
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    /// Key positions of large objects (dictionaries), by object token.
    @exclusivity(unchecked) private var keyIndexes: [Int: [String: Int]] = [:]
    @exclusivity(unchecked) private var spareDecoders: [TreeDecoder] = []

    /// Takes a copy of the document's bytes.
    init(_ data: Data) {
        byteCount = data.count
        base = .allocate(capacity: max(byteCount, 1))
        tokens = TokenList(capacity: byteCount / 8 + 4)
        data.withUnsafeBytes { raw in
            if let source = raw.baseAddress {
                base.initialize(from: source.assumingMemoryBound(to: UInt8.self), count: byteCount)
            }
        }
    }

    /// Parses the document; `false` for anything the strict parser refuses.
    func parse() -> Bool {
        guard byteCount < Int(Int32.max) else { return false }
        var offset = 0
        skipWhitespace(&offset)
        guard parseValue(&offset, depth: 0) else { return false }
        skipWhitespace(&offset)
        return offset == byteCount
    }

    deinit { base.deallocate() }

    private func bytes(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + start, count: end - start)
    }

    func releaseSpareDecoders() {
        spareDecoders.removeAll()
    }

    // MARK: Parsing

    @inline(__always)
    private func skipWhitespace(_ offset: inout Int) {
        while offset < byteCount {
            let byte = base[offset]
            // Everything JSON means is above the space: one comparison in the usual case.
            if byte > UInt8(ascii: " ") { return }
            switch byte {
            case UInt8(ascii: " "): skipSpaces(&offset)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): offset += 1
            default: return
            }
        }
    }

    /// Skips a run of spaces (indentation) starting at `offset`, eight at a time.
    private func skipSpaces(_ offset: inout Int) {
        offset += 1
        while offset + 8 <= byteCount {
            let other = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self) ^ (Self.ones &* 0x20)
            if other != 0 {
                offset += other.trailingZeroBitCount >> 3
                return
            }
            offset += 8
        }
        while offset < byteCount, base[offset] == UInt8(ascii: " ") { offset += 1 }
    }

    private func parseValue(_ offset: inout Int, depth: Int) -> Bool {
        guard offset < byteCount else { return false }
        let start = offset
        switch base[offset] {
        case UInt8(ascii: "{"):
            return depth < Self.maximumDepth && parseContainer(&offset, depth: depth + 1, isObject: true)
        case UInt8(ascii: "["):
            return depth < Self.maximumDepth && parseContainer(&offset, depth: depth + 1, isObject: false)
        case UInt8(ascii: "\""):
            return parseString(&offset)
        case UInt8(ascii: "t"):
            guard expect("true", &offset) else { return false }
            tokens.append(Token(kind: .true, start: start, end: offset, next: tokens.count + 1))
        case UInt8(ascii: "f"):
            guard expect("false", &offset) else { return false }
            tokens.append(Token(kind: .false, start: start, end: offset, next: tokens.count + 1))
        case UInt8(ascii: "n"):
            guard expect("null", &offset) else { return false }
            tokens.append(Token(kind: .null, start: start, end: offset, next: tokens.count + 1))
        default:
            return parseNumber(&offset)
        }
        return true
    }

    private func expect(_ literal: StaticString, _ offset: inout Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard byteCount - offset >= count, memcmp(base + offset, literal.utf8Start, count) == 0 else { return false }
        offset += count
        return true
    }

    private func parseContainer(_ offset: inout Int, depth: Int, isObject: Bool) -> Bool {
        let index = tokens.count
        tokens.append(Token(kind: isObject ? .object : .array, start: offset, end: 0, next: 0))
        offset += 1
        let closing = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        var count = 0
        skipWhitespace(&offset)
        if offset < byteCount, base[offset] == closing {
            offset += 1
        } else {
            while true {
                if isObject {
                    guard offset < byteCount, base[offset] == UInt8(ascii: "\""), parseString(&offset) else {
                        return false
                    }
                    // The colon as the encoders write it, compact or indented; any other spacing below.
                    if offset < byteCount, base[offset] == UInt8(ascii: ":") {
                        offset += 1
                    } else if byteCount - offset >= 3, base[offset] == UInt8(ascii: " "),
                        base[offset + 1] == UInt8(ascii: ":"), base[offset + 2] == UInt8(ascii: " ")
                    {
                        offset += 3
                    } else {
                        skipWhitespace(&offset)
                        guard offset < byteCount, base[offset] == UInt8(ascii: ":") else { return false }
                        offset += 1
                    }
                    skipWhitespace(&offset)
                }
                guard parseValue(&offset, depth: depth) else { return false }
                count += 1
                skipWhitespace(&offset)
                guard offset < byteCount else { return false }
                if base[offset] == UInt8(ascii: ",") {
                    offset += 1
                    skipWhitespace(&offset)
                } else if base[offset] == closing {
                    offset += 1
                    break
                } else {
                    return false
                }
            }
        }
        tokens.close(index, end: offset, next: tokens.count, count: count)
        return true
    }

    /// A string starting at the opening quote.
    private func parseString(_ offset: inout Int) -> Bool {
        let start = offset + 1
        var cursor = start
        var ascii = true
        while true {
            // Eight bytes at a time to the first that is a quote, a backslash, a control
            // character or non-ASCII (the lowest flagged byte is always a real one).
            if cursor + 8 <= byteCount {
                let flags = Self.attentionFlags(UnsafeRawPointer(base + cursor).loadUnaligned(as: UInt64.self))
                if flags == 0 {
                    cursor += 8
                    continue
                }
                cursor += flags.trailingZeroBitCount >> 3
            } else if cursor >= byteCount {
                return false
            }
            let byte = base[cursor]
            if byte == UInt8(ascii: "\"") {
                if !ascii {
                    var iterator = bytes(start, cursor).makeIterator()
                    var parser = Unicode.UTF8.ForwardParser()
                    scan: while true {
                        switch parser.parseScalar(from: &iterator) {
                        case .valid: continue
                        case .emptyInput: break scan
                        case .error: return false
                        }
                    }
                }
                tokens.append(
                    Token(kind: ascii ? .asciiString : .string, start: start, end: cursor, next: tokens.count + 1))
                offset = cursor + 1
                return true
            }
            if byte == UInt8(ascii: "\\") {
                guard let end = unescape(from: start), let text = String(validating: scratch, as: UTF8.self),
                    // Foundation reads these three as numbers only when written without
                    // escapes; rather than track that, leave the rare escaped spelling to it.
                    text != "Infinity", text != "-Infinity", text != "NaN"
                else { return false }
                tokens.append(Token(kind: .escapedString, start: start, end: end, next: tokens.count + 1))
                offset = end + 1
                return true
            }
            if byte < 0x20 { return false }
            if byte >= 0x80 { ascii = false }
            cursor += 1
        }
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each byte of `word` that is `"`, `\`, below 0x20 or above 0x7F,
    /// and perhaps of bytes after the first such one (never before it).
    @inline(__always)
    private static func attentionFlags(_ word: UInt64) -> UInt64 {
        func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highBits }
        let quote = zeroBytes(word ^ (ones &* UInt64(UInt8(ascii: "\""))))
        let backslash = zeroBytes(word ^ (ones &* UInt64(UInt8(ascii: "\\"))))
        let control = (word &- ones &* 0x20) & ~word & highBits
        return word & highBits | control | quote | backslash
    }

    /// Unescapes the string starting at `start` into ``scratch``; the offset of its
    /// closing quote, or `nil` if it is malformed (bad escape, lone surrogate,
    /// control character, no closing quote).
    private func unescape(from start: Int) -> Int? {
        scratch.removeAll(keepingCapacity: true)
        var cursor = start
        while cursor < byteCount {
            let byte = base[cursor]
            cursor += 1
            switch byte {
            case UInt8(ascii: "\""):
                return cursor - 1
            case UInt8(ascii: "\\"):
                guard cursor < byteCount else { return nil }
                let escape = base[cursor]
                cursor += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape(&cursor) else { return nil }
                    UTF8.encode(scalar) { scratch.append($0) }
                default:
                    return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                scratch.append(byte)
            }
        }
        return nil
    }

    /// The scalar of a `\u` escape (after the `u`), joining a surrogate pair;
    /// `nil` for a lone surrogate, which Foundation handles its own way.
    private func unicodeEscape(_ cursor: inout Int) -> Unicode.Scalar? {
        guard let first = hex4(&cursor) else { return nil }
        if (0xD800..<0xDC00).contains(first) {
            guard byteCount - cursor >= 6, base[cursor] == UInt8(ascii: "\\"), base[cursor + 1] == UInt8(ascii: "u")
            else { return nil }
            cursor += 2
            guard let second = hex4(&cursor), (0xDC00..<0xE000).contains(second) else { return nil }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        }
        return Unicode.Scalar(first)
    }

    private func hex4(_ cursor: inout Int) -> UInt32? {
        guard byteCount - cursor >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = base[cursor]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            cursor += 1
        }
        return value
    }

    /// A number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    private func parseNumber(_ offset: inout Int) -> Bool {
        let start = offset
        var integral = true
        if base[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < byteCount else { return false }
        if base[offset] == UInt8(ascii: "0") {
            offset += 1
        } else {
            guard skipDigits(&offset) else { return false }
        }
        if offset < byteCount, base[offset] == UInt8(ascii: ".") {
            integral = false
            offset += 1
            guard skipDigits(&offset) else { return false }
        }
        if offset < byteCount, base[offset] == UInt8(ascii: "e") || base[offset] == UInt8(ascii: "E") {
            integral = false
            offset += 1
            if offset < byteCount, base[offset] == UInt8(ascii: "+") || base[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            guard skipDigits(&offset) else { return false }
        }
        tokens.append(Token(kind: integral ? .integer : .number, start: start, end: offset, next: tokens.count + 1))
        return true
    }

    /// Skips one or more digits; `false` if there is none.
    private func skipDigits(_ offset: inout Int) -> Bool {
        let start = offset
        while offset < byteCount, base[offset] &- UInt8(ascii: "0") < 10 { offset += 1 }
        return offset > start
    }

    // MARK: Reading tokens

    func kind(_ index: Int) -> TokenKind { tokens[index].kind }

    func isNull(_ index: Int) -> Bool { tokens[index].kind == .null }

    /// The string of a string token.
    func string(_ index: Int) -> String? {
        let token = tokens[index]
        switch token.kind {
        case .asciiString, .string:
            return String(decoding: bytes(token.start, token.end), as: UTF8.self)
        case .escapedString:
            _ = unescape(from: token.start)
            return String(decoding: scratch, as: UTF8.self)
        default:
            return nil
        }
    }

    /// The date a string token holds: StepFlow's own timestamps read from the bytes,
    /// anything else through ``StepFlowJSON/parseDate(_:)``.
    func date(_ index: Int) -> Date? {
        let token = tokens[index]
        if token.kind == .asciiString, let date = JSONTimestamp.parse(utf8: bytes(token.start, token.end)) {
            return date
        }
        return string(index).flatMap(StepFlowJSON.parseDate)
    }

    /// The non-finite number a plain string token spells (`"Infinity"`, `"-Infinity"`, `"NaN"`).
    func nonFinite(_ index: Int) -> Double? {
        let token = tokens[index]
        guard token.kind == .asciiString else { return nil }
        func spells(_ word: StaticString) -> Bool {
            token.end - token.start == word.utf8CodeUnitCount
                && memcmp(base + token.start, word.utf8Start, word.utf8CodeUnitCount) == 0
        }
        switch token.end - token.start {
        case 8: return spells("Infinity") ? .infinity : nil
        case 9: return spells("-Infinity") ? -.infinity : nil
        case 3: return spells("NaN") ? .nan : nil
        default: return nil
        }
    }

    /// The literal text of a number token.
    func numberText(_ index: Int) -> String {
        String(decoding: bytes(tokens[index].start, tokens[index].end), as: UTF8.self)
    }

    /// An `Int` from an integer literal that fits (what `Int(text)` reads).
    func int(_ index: Int) -> Int? {
        let token = tokens[index]
        guard token.kind == .integer else { return nil }
        var cursor = token.start
        let negative = base[cursor] == UInt8(ascii: "-")
        if negative { cursor += 1 }
        var magnitude: UInt64 = 0
        while cursor < token.end {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(base[cursor] &- UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            cursor += 1
        }
        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else { return nil }
            return Int(truncatingIfNeeded: 0 &- magnitude)
        }
        return magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
    }

    /// The value token of the member named `name` in an object token, if any.
    ///
    /// The first of repeated keys wins, and keys compare as Foundation's dictionary
    /// compares them, as `String`s; byte comparison gives the same answer for ASCII,
    /// the usual case.
    func member(_ name: String, in object: Int) -> Int? {
        let count = tokens[object].count
        if count > 32 { return largeObjectIndex(object)[name] }
        var name = name
        return name.withUTF8 { needle -> Int? in
            guard let needleBytes = needle.baseAddress else { return memberByText("", in: object) }
            let length = needle.count
            let raw = UnsafeRawPointer(needleBytes)
            // Long keys are compared by their first and last eight bytes, then in full.
            var first: UInt64 = 0
            var last: UInt64 = 0
            if length >= 8 {
                first = raw.loadUnaligned(as: UInt64.self)
                last = raw.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
                var offset = 0
                while offset + 8 <= length {
                    if raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & Self.highBits != 0 {
                        return memberByText(String(decoding: needle, as: UTF8.self), in: object)
                    }
                    offset += 8
                }
                if last & Self.highBits != 0 {
                    return memberByText(String(decoding: needle, as: UTF8.self), in: object)
                }
            } else {
                for byte in needle where byte >= 0x80 {
                    return memberByText(String(decoding: needle, as: UTF8.self), in: object)
                }
            }
            var keyIndex = object + 1
            for _ in 0..<count {
                let key = tokens[keyIndex]
                if key.kind != .asciiString {
                    if string(keyIndex) == String(decoding: needle, as: UTF8.self) { return keyIndex + 1 }
                } else if key.end - key.start == length {
                    let keyBytes = UnsafeRawPointer(base + key.start)
                    if length >= 8 {
                        if keyBytes.loadUnaligned(as: UInt64.self) == first
                            && keyBytes.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self) == last
                            && (length <= 16 || memcmp(keyBytes, raw, length) == 0)
                        {
                            return keyIndex + 1
                        }
                    } else if memcmp(keyBytes, raw, length) == 0 {
                        return keyIndex + 1
                    }
                }
                keyIndex = tokens[keyIndex + 1].next
            }
            return nil
        }
    }

    private func memberByText(_ name: String, in object: Int) -> Int? {
        var keyIndex = object + 1
        for _ in 0..<tokens[object].count {
            if string(keyIndex) == name { return keyIndex + 1 }
            keyIndex = tokens[keyIndex + 1].next
        }
        return nil
    }

    private func largeObjectIndex(_ object: Int) -> [String: Int] {
        if let index = keyIndexes[object] { return index }
        var index: [String: Int] = [:]
        index.reserveCapacity(tokens[object].count)
        var keyIndex = object + 1
        for _ in 0..<tokens[object].count {
            if let name = string(keyIndex), index[name] == nil { index[name] = keyIndex + 1 }
            keyIndex = tokens[keyIndex + 1].next
        }
        keyIndexes[object] = index
        return index
    }

    /// An object's keys, each once, in document order.
    func keys(of object: Int) -> [String] {
        var keys: [String] = []
        var seen: Set<String> = []
        var keyIndex = object + 1
        for _ in 0..<tokens[object].count {
            if let name = string(keyIndex), seen.insert(name).inserted { keys.append(name) }
            keyIndex = tokens[keyIndex + 1].next
        }
        return keys
    }

    // MARK: Decoding

    /// Records a failure, so the document goes to Foundation even if the value catches it.
    func failure(_ error: DecodingError) -> DecodingError {
        failed = true
        return error
    }

    func leftToFoundation(_ path: [any CodingKey]) -> DecodingError {
        failure(.dataCorrupted(DecodingError.Context(codingPath: path, debugDescription: "Left to Foundation.")))
    }

    func mismatch(_ type: Any.Type, at index: Int, _ path: @autoclosure () -> [any CodingKey]) -> DecodingError {
        let context = DecodingError.Context(codingPath: path(), debugDescription: "Found another JSON type.")
        return failure(isNull(index) ? .valueNotFound(type, context) : .typeMismatch(type, context))
    }

    /// Decodes a value: JSON primitives directly, anything else through its `init(from:)`.
    func decode<T: Decodable>(
        _ type: T.Type, at index: Int, parent: TreeDecoder?, key: (any CodingKey)?
    ) throws -> T {
        func path() -> [any CodingKey] { (parent?.codingPath ?? []) + (key.map { [$0] } ?? []) }
        if T.self == String.self {
            guard let text = string(index) else { throw mismatch(type, at: index, path()) }
            return unsafeBitCast(text, to: T.self)
        }
        if T.self == Int.self {
            guard let number = int(index) else { throw integerFailure(type, at: index, path()) }
            return unsafeBitCast(number, to: T.self)
        }
        if T.self == Bool.self {
            switch kind(index) {
            case .true: return unsafeBitCast(true, to: T.self)
            case .false: return unsafeBitCast(false, to: T.self)
            default: throw mismatch(type, at: index, path())
            }
        }
        if T.self == Double.self { return unsafeBitCast(try floatingPoint(Double.self, at: index, path()), to: T.self) }
        if T.self == Date.self {
            guard let date = date(index) else { throw leftToFoundation(path()) }
            return unsafeBitCast(date, to: T.self)
        }
        if T.self == JSONValue.self { return unsafeBitCast(try json(at: index, path()), to: T.self) }
        // Metadata and free-form objects: what `Dictionary` and `Array` decoding of JSON
        // values would build, the first of repeated keys kept, without a container per value.
        if T.self == [String: JSONValue].self {
            guard kind(index) == .object, case .object(let members) = try json(at: index, path()) else {
                throw mismatch(type, at: index, path())
            }
            return unsafeBitCast(members, to: T.self)
        }
        if T.self == [JSONValue].self {
            guard kind(index) == .array, case .array(let elements) = try json(at: index, path()) else {
                throw mismatch(type, at: index, path())
            }
            return unsafeBitCast(elements, to: T.self)
        }
        // No helper returning `T?` here: in this unspecialised code each `Optional<T>`
        // costs a metadata lookup, which profiling showed as a tenth of decoding.
        if T.self == Float.self { return unsafeBitCast(try floatingPoint(Float.self, at: index, path()), to: T.self) }
        if T.self == Int64.self { return unsafeBitCast(try integer(Int64.self, at: index, path()), to: T.self) }
        if T.self == Int32.self { return unsafeBitCast(try integer(Int32.self, at: index, path()), to: T.self) }
        if T.self == Int16.self { return unsafeBitCast(try integer(Int16.self, at: index, path()), to: T.self) }
        if T.self == Int8.self { return unsafeBitCast(try integer(Int8.self, at: index, path()), to: T.self) }
        if T.self == UInt.self { return unsafeBitCast(try integer(UInt.self, at: index, path()), to: T.self) }
        if T.self == UInt64.self { return unsafeBitCast(try integer(UInt64.self, at: index, path()), to: T.self) }
        if T.self == UInt32.self { return unsafeBitCast(try integer(UInt32.self, at: index, path()), to: T.self) }
        if T.self == UInt16.self { return unsafeBitCast(try integer(UInt16.self, at: index, path()), to: T.self) }
        if T.self == UInt8.self { return unsafeBitCast(try integer(UInt8.self, at: index, path()), to: T.self) }
        if T.self == Int128.self { return unsafeBitCast(try integer(Int128.self, at: index, path()), to: T.self) }
        if T.self == UInt128.self { return unsafeBitCast(try integer(UInt128.self, at: index, path()), to: T.self) }
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self { throw leftToFoundation(path()) }
        if T.self == StepResult.self, let step = try stepResult(at: index, parent: parent, key: key) {
            return withUnsafePointer(to: step) { $0.withMemoryRebound(to: T.self, capacity: 1) { $0.pointee } }
        }

        var decoder = makeDecoder(token: index, parent: parent, key: key)
        let value = try T(from: decoder)
        if isKnownUniquelyReferenced(&decoder) { spareDecoders.append(decoder) }
        return value
    }

    /// A ``StepResult`` read directly, in one pass over the object.
    ///
    /// It reads what its `init(from:)` reads (the same fields, required or not, `null`
    /// as absent, the first of repeated keys) without a lookup per field; `nil` for an
    /// object with a key that is not plain ASCII, which `init(from:)` then reads.
    /// Results are read back on every resume; `StepFlowJSONTests` checks both paths
    /// against Foundation's decoder.
    private func stepResult(at index: Int, parent: TreeDecoder?, key: (any CodingKey)?) throws -> StepResult? {
        let object = tokens[index]
        guard object.kind == .object else { throw leftToFoundation([]) }
        var keyIndex = index + 1
        for _ in 0..<object.count {
            guard tokens[keyIndex].kind == .asciiString else { return nil }
            keyIndex = tokens[keyIndex + 1].next
        }
        var decoder = makeDecoder(token: index, parent: parent, key: key)
        defer { if isKnownUniquelyReferenced(&decoder) { spareDecoders.append(decoder) } }
        func nested<V: Decodable>(_ type: V.Type, _ value: Int, _ name: String) throws -> V? {
            isNull(value) ? nil : try decode(type, at: value, parent: decoder, key: NameCodingKey(name))
        }
        func required<V>(_ value: V?) throws -> V {
            guard let value else { throw leftToFoundation([]) }
            return value
        }

        var stepName: String?
        var status: RunStatus?
        var attempts: Int?
        var durationMs: Int?
        var requiresApproval: Bool?
        var output: JSONValue?
        var error: RecordedError?
        var startedAt: Date?
        var finishedAt: Date?
        var routeKey: String?
        var nextStep: String?
        var skippedReason: String?
        var approvalDecision: ApprovalDecision?
        var childWorkflows: [WorkflowResult<AnyState>]?
        var seen: UInt32 = 0
        keyIndex = index + 1
        for _ in 0..<object.count {
            let value = keyIndex + 1
            defer { keyIndex = tokens[value].next }
            guard let field = StepResultField(bytes(tokens[keyIndex].start, tokens[keyIndex].end)),
                seen & field.bit == 0
            else { continue }
            seen |= field.bit
            switch field {
            case .stepName: stepName = try decode(String.self, at: value, parent: decoder, key: nil)
            case .status:
                status = RunStatus(rawValue: try decode(String.self, at: value, parent: decoder, key: nil))
                if status == nil { throw leftToFoundation([]) }
            case .attempts: attempts = try decode(Int.self, at: value, parent: decoder, key: nil)
            case .durationMs: durationMs = try decode(Int.self, at: value, parent: decoder, key: nil)
            case .requiresApproval: requiresApproval = try decode(Bool.self, at: value, parent: decoder, key: nil)
            case .output:
                // Not a `? nil :` expression: `nil` would be read as `JSONValue.null`.
                if !isNull(value) { output = try json(at: value, []) }
            case .error: error = try nested(RecordedError.self, value, "error")
            case .startedAt: startedAt = try nested(Date.self, value, "started_at")
            case .finishedAt: finishedAt = try nested(Date.self, value, "finished_at")
            case .routeKey: routeKey = try nested(String.self, value, "route_key")
            case .nextStep: nextStep = try nested(String.self, value, "next_step")
            case .skippedReason: skippedReason = try nested(String.self, value, "skipped_reason")
            case .approvalDecision: approvalDecision = try nested(ApprovalDecision.self, value, "approval_decision")
            case .childWorkflows:
                childWorkflows = try nested([WorkflowResult<AnyState>].self, value, "child_workflows")
            }
        }
        var step = StepResult(
            stepName: try required(stepName), status: try required(status), attempts: try required(attempts),
            output: output, error: error, startedAt: startedAt, finishedAt: finishedAt, routeKey: routeKey,
            nextStep: nextStep, skippedReason: skippedReason, requiresApproval: try required(requiresApproval),
            approvalDecision: approvalDecision, childWorkflows: childWorkflows ?? [])
        // The initialiser works the duration out; a decoded result keeps the one it was written with.
        step.durationMs = try required(durationMs)
        return step
    }

    private func makeDecoder(token: Int, parent: TreeDecoder?, key: (any CodingKey)?) -> TreeDecoder {
        guard let decoder = spareDecoders.popLast() else {
            return TreeDecoder(document: self, token: token, parent: parent, key: key)
        }
        decoder.reset(token: token, parent: parent, key: key)
        return decoder
    }

    private func integerFailure(_ type: Any.Type, at index: Int, _ path: @autoclosure () -> [any CodingKey])
        -> DecodingError
    {
        switch kind(index) {
        case .integer, .number: leftToFoundation(path())
        default: mismatch(type, at: index, path())
        }
    }

    /// An integer from an integer literal that fits; Foundation's conversions of
    /// `42.0` or `1e2` are left to it.
    func integer<I: FixedWidthInteger>(_ type: I.Type, at index: Int, _ path: @autoclosure () -> [any CodingKey])
        throws -> I
    {
        guard kind(index) == .integer, let number = I(numberText(index)) else {
            throw integerFailure(type, at: index, path())
        }
        return number
    }

    /// A finite number that did not round to zero from a non-zero literal, or one of the
    /// non-finite spellings; what Foundation's `T(prevalidatedBuffer:)` path accepts.
    func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ type: F.Type, at index: Int, _ path: @autoclosure () -> [any CodingKey]
    ) throws -> F {
        switch kind(index) {
        case .integer, .number:
            let text = numberText(index)
            if let number = F(text), number.isFinite, number != 0 || isTrueZero(text) { return number }
            throw leftToFoundation(path())
        case .asciiString:
            guard let number = nonFinite(index) else { throw mismatch(type, at: index, path()) }
            return F(number)
        default:
            throw mismatch(type, at: index, path())
        }
    }

    /// The ``JSONValue`` its `init(from:)` builds under Foundation: null, a boolean, an
    /// integer if Foundation reads one (`42.0` included), a number (non-finite
    /// spellings included), a string, an array, an object keeping the first of
    /// repeated keys.
    func json(at index: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        let token = tokens[index]
        switch token.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .asciiString, .string, .escapedString:
            if let number = nonFinite(index) { return .number(number) }
            return .string(string(index) ?? "")
        case .integer, .number:
            if let integer = int(index) { return .integer(integer) }
            let text = numberText(index)
            guard let number = Double(text), number.isFinite, number != 0 || isTrueZero(text) else {
                throw leftToFoundation(path())
            }
            // Foundation's Int path takes integral numbers that fit, below 2^53 exactly;
            // past that it goes through Decimal, which is left to it.
            guard let integer = Int(exactly: number) else { return .number(number) }
            guard number.magnitude < 9_007_199_254_740_992 else { throw leftToFoundation(path()) }
            return .integer(integer)
        case .array:
            var array: [JSONValue] = []
            array.reserveCapacity(token.count)
            var element = index + 1
            for _ in 0..<token.count {
                array.append(try json(at: element, path()))
                element = tokens[element].next
            }
            return .array(array)
        case .object:
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(token.count)
            var keyIndex = index + 1
            for _ in 0..<token.count {
                if let name = string(keyIndex), members[name] == nil {
                    members[name] = try json(at: keyIndex + 1, path())
                }
                keyIndex = tokens[keyIndex + 1].next
            }
            return .object(members)
        }
    }
}

/// The keys ``StepResult`` reads, recognised from their bytes.
private enum StepResultField: UInt32 {
    case stepName, status, attempts, durationMs, requiresApproval, output, error, startedAt, finishedAt
    case routeKey, nextStep, skippedReason, approvalDecision, childWorkflows

    var bit: UInt32 { 1 << rawValue }

    init?(_ key: UnsafeBufferPointer<UInt8>) {
        func matches(_ name: StaticString) -> Bool {
            guard let bytes = key.baseAddress, key.count == name.utf8CodeUnitCount else { return false }
            return memcmp(bytes, name.utf8Start, key.count) == 0
        }
        switch key.count {
        case 5 where matches("error"): self = .error
        case 6 where matches("status"): self = .status
        case 6 where matches("output"): self = .output
        case 8 where matches("attempts"): self = .attempts
        case 9 where matches("step_name"): self = .stepName
        case 9 where matches("route_key"): self = .routeKey
        case 9 where matches("next_step"): self = .nextStep
        case 10 where matches("started_at"): self = .startedAt
        case 11 where matches("duration_ms"): self = .durationMs
        case 11 where matches("finished_at"): self = .finishedAt
        case 14 where matches("skipped_reason"): self = .skippedReason
        case 15 where matches("child_workflows"): self = .childWorkflows
        case 17 where matches("requires_approval"): self = .requiresApproval
        case 17 where matches("approval_decision"): self = .approvalDecision
        default: return nil
        }
    }
}

/// Whether a number literal has no non-zero digit before its exponent.
private func isTrueZero(_ text: String) -> Bool {
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "1")...UInt8(ascii: "9"): return false
        case UInt8(ascii: "e"), UInt8(ascii: "E"): return true
        default: continue
        }
    }
    return true
}

/// The `Decoder` handed to each value that is not a JSON primitive.
private final class TreeDecoder: Decoder {
    let document: JSONDocument
    private(set) var token: Int
    private(set) var parent: TreeDecoder?
    private(set) var key: (any CodingKey)?

    init(document: JSONDocument, token: Int, parent: TreeDecoder?, key: (any CodingKey)?) {
        self.document = document
        self.token = token
        self.parent = parent
        self.key = key
    }

    func reset(token: Int, parent: TreeDecoder?, key: (any CodingKey)?) {
        self.token = token
        self.parent = parent
        self.key = key
    }

    // The path is only built when asked for: most values never look at it.
    var codingPath: [any CodingKey] {
        var path = parent?.codingPath ?? []
        if let key { path.append(key) }
        return path
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard document.kind(token) == .object else {
            throw document.mismatch([String: Any].self, at: token, codingPath)
        }
        return KeyedDecodingContainer(KeyedTreeReader<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard document.kind(token) == .array else { throw document.mismatch([Any].self, at: token, codingPath) }
        return UnkeyedTreeReader(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueTreeReader(decoder: self)
    }
}

extension JSONValue {
    /// The value of a ``StepFlowJSONDecoder`` document, or `nil` for another decoder.
    init?(fastFrom decoder: any Decoder) throws {
        guard let tree = decoder as? TreeDecoder else { return nil }
        self = try tree.document.json(at: tree.token, tree.codingPath)
    }
}

// Containers hold one reference (their decoder; a nested one has its own), since
// the standard library's boxes copy them on every call.

private struct KeyedTreeReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TreeDecoder

    private var document: JSONDocument { decoder.document }
    private var object: Int { decoder.token }
    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { document.keys(of: object).compactMap { Key(stringValue: $0) } }

    private func value(_ key: Key) throws -> Int {
        guard let index = document.member(key.stringValue, in: object) else {
            let context = DecodingError.Context(codingPath: codingPath, debugDescription: "No value for the key.")
            throw document.failure(.keyNotFound(key, context))
        }
        return index
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func contains(_ key: Key) -> Bool { document.member(key.stringValue, in: object) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { document.isNull(try value(key)) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type, key) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try decode(type, key) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try decode(type, key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decode(type, key) }

    private func decode<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        try document.decode(type, at: try value(key), parent: decoder, key: key)
    }

    // One lookup instead of the default's three (contains, decodeNil, decode); same answers.
    // Every overload: the standard library's defaults for the primitive ones do three too.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(type, key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(type, key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try present(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try present(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try present(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try present(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try present(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try present(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try present(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try present(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try present(type, key) }
    func decodeIfPresent(_ type: Int128.Type, forKey key: Key) throws -> Int128? { try present(type, key) }
    func decodeIfPresent(_ type: UInt128.Type, forKey key: Key) throws -> UInt128? { try present(type, key) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try present(type, key) }

    private func present<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        guard let index = document.member(key.stringValue, in: object), !document.isNull(index) else { return nil }
        return try document.decode(type, at: index, parent: decoder, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let index = try value(key)
        guard document.kind(index) == .object else { throw document.mismatch([String: Any].self, at: index, path(key)) }
        let nested = TreeDecoder(document: document, token: index, parent: decoder, key: key)
        return KeyedDecodingContainer(KeyedTreeReader<NestedKey>(decoder: nested))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let index = try value(key)
        guard document.kind(index) == .array else { throw document.mismatch([Any].self, at: index, path(key)) }
        return UnkeyedTreeReader(decoder: TreeDecoder(document: document, token: index, parent: decoder, key: key))
    }

    func superDecoder() throws -> any Decoder { throw document.leftToFoundation(codingPath) }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw document.leftToFoundation(codingPath) }
}

private struct UnkeyedTreeReader: UnkeyedDecodingContainer {
    let decoder: TreeDecoder
    let count: Int?
    private(set) var currentIndex = 0
    /// The token of the current element.
    private var cursor: Int

    init(decoder: TreeDecoder) {
        self.decoder = decoder
        count = decoder.document.tokens[decoder.token].count
        cursor = decoder.token + 1
    }

    private var document: JSONDocument { decoder.document }
    var codingPath: [any CodingKey] { decoder.codingPath }
    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    private var currentKey: IndexCodingKey { IndexCodingKey(index: currentIndex) }

    private func current(_ type: Any.Type) throws -> Int {
        guard !isAtEnd else {
            let context = DecodingError.Context(
                codingPath: codingPath, debugDescription: "Unkeyed container is at end.")
            throw document.failure(.valueNotFound(type, context))
        }
        return cursor
    }

    private mutating func advance() {
        cursor = document.tokens[cursor].next
        currentIndex += 1
    }

    mutating func decodeNil() throws -> Bool {
        guard document.isNull(try current(Any?.self)) else { return false }
        advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try next(type) }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try next(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) }

    private mutating func next<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try document.decode(
            type, at: try current(type), parent: decoder, key: currentKey)
        advance()
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<
        NestedKey
    > {
        let index = try current([String: Any].self)
        let nested = TreeDecoder(document: document, token: index, parent: decoder, key: currentKey)
        guard document.kind(index) == .object else {
            throw document.mismatch([String: Any].self, at: index, nested.codingPath)
        }
        advance()
        return KeyedDecodingContainer(KeyedTreeReader<NestedKey>(decoder: nested))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let index = try current([Any].self)
        let nested = TreeDecoder(document: document, token: index, parent: decoder, key: currentKey)
        guard document.kind(index) == .array else { throw document.mismatch([Any].self, at: index, nested.codingPath) }
        advance()
        return UnkeyedTreeReader(decoder: nested)
    }

    mutating func superDecoder() throws -> any Decoder { throw document.leftToFoundation(codingPath) }
}

private struct SingleValueTreeReader: SingleValueDecodingContainer {
    let decoder: TreeDecoder

    private var document: JSONDocument { decoder.document }
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { document.isNull(decoder.token) }

    func decode(_ type: Bool.Type) throws -> Bool { try value(type) }
    func decode(_ type: String.Type) throws -> String { try value(type) }
    func decode(_ type: Double.Type) throws -> Double { try value(type) }
    func decode(_ type: Float.Type) throws -> Float { try value(type) }
    func decode(_ type: Int.Type) throws -> Int { try value(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try value(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try value(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try value(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try value(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try value(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try value(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try value(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try value(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try value(type) }
    func decode(_ type: Int128.Type) throws -> Int128 { try value(type) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try value(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try value(type) }

    private func value<T: Decodable>(_ type: T.Type) throws -> T {
        // Foundation decodes the wrapped value with this same decoder: same path, no key.
        try document.decode(type, at: decoder.token, parent: decoder, key: nil)
    }
}
