import Foundation

/// Reads StepFlow's JSON into `Decodable` values, giving what `JSONDecoder` with
/// ``StepFlowJSON``'s options gives, at a fraction of the cost.
///
/// It parses strict JSON (RFC 8259, UTF-8) into a small tree and decodes from
/// that with Foundation's rules where they are plain: integers from integer
/// literals, floating-point numbers through the same correctly rounded
/// conversion, `"Infinity"`, `"-Infinity"` and `"NaN"` as non-finite numbers,
/// the first of repeated keys, dates through ``StepFlowJSON/parseDate(_:)``, and
/// ``JSONValue`` as its `init(from:)` would build it under Foundation.
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
        if let value = decodedValue(type, from: data) { return value.value }
        return try StepFlowJSON.foundationDecoder.decode(type, from: data)
    }

    /// The value, or `nil` when Foundation's decoder must read the document.
    /// (Boxed, so a decoded `Optional.none` is not mistaken for a failure.)
    package func decodedValue<T: Decodable>(_ type: T.Type, from data: Data) -> (value: T, ())? {
        let parsed = data.withUnsafeBytes { raw -> ParsedValue? in
            var parser = JSONTextParser(raw.bindMemory(to: UInt8.self))
            return parser.parseDocument()
        }
        guard let parsed else { return nil }
        let context = DecodingContext()
        let decoder = TreeDecoder(context: context, value: parsed, parent: nil, nestedPath: [], key: nil)
        do {
            let value = try decoder.unbox(parsed, as: type, nestedPath: [], key: nil)
            return context.failed ? nil : (value, ())
        } catch {
            return nil
        }
    }
}

/// A parsed JSON value.
enum ParsedValue {
    case null
    case bool(Bool)
    /// The number's literal text, validated against JSON's grammar.
    case number(String)
    case string(String)
    case array([ParsedValue])
    case object(ParsedObject)
}

/// An object's members in document order (repeated keys kept; lookups take the first).
struct ParsedObject {
    var keys: [String] = []
    var values: [ParsedValue] = []
}

/// A strict, recursive-descent JSON parser; `nil` for anything it does not accept.
private struct JSONTextParser {
    /// Deeper documents are left to Foundation, which has its own limit.
    private static let maximumDepth = 500

    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0
    /// Scratch space for strings with escapes.
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func parseDocument() -> ParsedValue? {
        skipWhitespace()
        guard let value = parseValue(depth: 0) else { return nil }
        skipWhitespace()
        return offset == bytes.count ? value : nil
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): offset += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) -> ParsedValue? {
        guard offset < bytes.count else { return nil }
        switch bytes[offset] {
        case UInt8(ascii: "{"):
            guard depth < Self.maximumDepth else { return nil }
            return parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { return nil }
            return parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            return parseString().map(ParsedValue.string)
        case UInt8(ascii: "t"):
            return expect("true") ? .bool(true) : nil
        case UInt8(ascii: "f"):
            return expect("false") ? .bool(false) : nil
        case UInt8(ascii: "n"):
            return expect("null") ? .null : nil
        default:
            return parseNumber()
        }
    }

    private mutating func expect(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - offset >= count else { return false }
        for index in 0..<count where bytes[offset + index] != literal.utf8Start[index] { return false }
        offset += count
        return true
    }

    private mutating func parseObject(depth: Int) -> ParsedValue? {
        offset += 1
        var object = ParsedObject()
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .object(object)
        }
        while true {
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\""), let key = parseString() else { return nil }
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { return nil }
            offset += 1
            skipWhitespace()
            guard let value = parseValue(depth: depth) else { return nil }
            object.keys.append(key)
            object.values.append(value)
            skipWhitespace()
            guard offset < bytes.count else { return nil }
            switch bytes[offset] {
            case UInt8(ascii: ","):
                offset += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                offset += 1
                return .object(object)
            default:
                return nil
            }
        }
    }

    private mutating func parseArray(depth: Int) -> ParsedValue? {
        offset += 1
        var elements: [ParsedValue] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            guard let value = parseValue(depth: depth) else { return nil }
            elements.append(value)
            skipWhitespace()
            guard offset < bytes.count else { return nil }
            switch bytes[offset] {
            case UInt8(ascii: ","):
                offset += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                offset += 1
                return .array(elements)
            default:
                return nil
            }
        }
    }

    /// A string starting at the opening quote.
    private mutating func parseString() -> String? {
        offset += 1
        let start = offset
        var ascii = true
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(rebasing: bytes[start..<offset])
                offset += 1
                return ascii ? String(decoding: run, as: UTF8.self) : String(validating: run, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return parseEscapedString(from: start) }
            if byte < 0x20 { return nil }
            if byte >= 0x80 { ascii = false }
            offset += 1
        }
        return nil
    }

    private mutating func parseEscapedString(from start: Int) -> String? {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<offset]))
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: scratch, as: UTF8.self) else { return nil }
                // Foundation reads these three as numbers only when written without
                // escapes; rather than track that, leave the rare escaped spelling to it.
                if text == "Infinity" || text == "-Infinity" || text == "NaN" { return nil }
                return text
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { return nil }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = parseUnicodeEscape() else { return nil }
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
    private mutating func parseUnicodeEscape() -> Unicode.Scalar? {
        guard let first = parseHex4() else { return nil }
        if (0xD800..<0xDC00).contains(first) {
            guard bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"),
                bytes[offset + 1] == UInt8(ascii: "u")
            else { return nil }
            offset += 2
            guard let second = parseHex4(), (0xDC00..<0xE000).contains(second) else { return nil }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        }
        return Unicode.Scalar(first)
    }

    private mutating func parseHex4() -> UInt32? {
        guard bytes.count - offset >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as text.
    private mutating func parseNumber() -> ParsedValue? {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        guard offset < bytes.count else { return nil }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
        } else {
            guard skipDigits() else { return nil }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard skipDigits() else { return nil }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            guard skipDigits() else { return nil }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self))
    }

    /// Skips one or more digits; `false` if there is none.
    private mutating func skipDigits() -> Bool {
        let start = offset
        while offset < bytes.count, bytes[offset] &- UInt8(ascii: "0") < 10 { offset += 1 }
        return offset > start
    }
}

/// What one decoding shares: whether anything failed, even an error the value caught.
private final class DecodingContext {
    var failed = false
}

/// The `Decoder` handed to each value that is not a JSON primitive.
private final class TreeDecoder: Decoder {
    let context: DecodingContext
    let value: ParsedValue
    let parent: TreeDecoder?
    let nestedPath: [any CodingKey]
    let key: (any CodingKey)?

    init(
        context: DecodingContext, value: ParsedValue, parent: TreeDecoder?, nestedPath: [any CodingKey],
        key: (any CodingKey)?
    ) {
        self.context = context
        self.value = value
        self.parent = parent
        self.nestedPath = nestedPath
        self.key = key
    }

    var codingPath: [any CodingKey] {
        var path = parent?.codingPath ?? []
        path += nestedPath
        if let key { path.append(key) }
        return path
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw failure(.typeMismatch([String: Any].self, context(codingPath, "Expected an object.")))
        }
        return KeyedDecodingContainer(KeyedTreeReader<Key>(decoder: self, object: object, nestedPath: []))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw failure(.typeMismatch([Any].self, context(codingPath, "Expected an array.")))
        }
        return UnkeyedTreeReader(decoder: self, elements: elements, nestedPath: [])
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueTreeReader(decoder: self)
    }

    /// Records a failure, so the document goes to Foundation even if the value catches it.
    func failure(_ error: DecodingError) -> DecodingError {
        context.failed = true
        return error
    }

    func context(_ path: [any CodingKey], _ description: String) -> DecodingError.Context {
        DecodingError.Context(codingPath: path, debugDescription: description)
    }

    func path(_ nestedPath: [any CodingKey], _ key: (any CodingKey)?) -> [any CodingKey] {
        var path = codingPath + nestedPath
        if let key { path.append(key) }
        return path
    }

    /// Decodes a value: JSON primitives directly, anything else through its `init(from:)`.
    func unbox<T: Decodable>(
        _ value: ParsedValue, as type: T.Type, nestedPath: [any CodingKey], key: (any CodingKey)?
    ) throws -> T {
        if T.self == String.self { return unsafeBitCast(try string(value, nestedPath, key), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(value, Int.self, nestedPath, key), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(value, nestedPath, key), to: T.self) }
        if T.self == Double.self {
            return unsafeBitCast(try floatingPoint(value, Double.self, nestedPath, key), to: T.self)
        }
        if T.self == Date.self { return unsafeBitCast(try date(value, nestedPath, key), to: T.self) }
        if T.self == JSONValue.self { return unsafeBitCast(try json(value, nestedPath, key), to: T.self) }
        if let primitive = try otherPrimitive(value, as: type, nestedPath, key) { return primitive }
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self {
            throw failure(.dataCorrupted(context(path(nestedPath, key), "Left to Foundation's decoder.")))
        }
        let decoder = TreeDecoder(context: context, value: value, parent: self, nestedPath: nestedPath, key: key)
        return try T(from: decoder)
    }

    private func otherPrimitive<T>(
        _ value: ParsedValue, as type: T.Type, _ nestedPath: [any CodingKey], _ key: (any CodingKey)?
    ) throws -> T? {
        if T.self == Float.self {
            return unsafeBitCast(try floatingPoint(value, Float.self, nestedPath, key), to: T.self)
        }
        if T.self == Int64.self { return unsafeBitCast(try integer(value, Int64.self, nestedPath, key), to: T.self) }
        if T.self == Int32.self { return unsafeBitCast(try integer(value, Int32.self, nestedPath, key), to: T.self) }
        if T.self == Int16.self { return unsafeBitCast(try integer(value, Int16.self, nestedPath, key), to: T.self) }
        if T.self == Int8.self { return unsafeBitCast(try integer(value, Int8.self, nestedPath, key), to: T.self) }
        if T.self == UInt.self { return unsafeBitCast(try integer(value, UInt.self, nestedPath, key), to: T.self) }
        if T.self == UInt64.self { return unsafeBitCast(try integer(value, UInt64.self, nestedPath, key), to: T.self) }
        if T.self == UInt32.self { return unsafeBitCast(try integer(value, UInt32.self, nestedPath, key), to: T.self) }
        if T.self == UInt16.self { return unsafeBitCast(try integer(value, UInt16.self, nestedPath, key), to: T.self) }
        if T.self == UInt8.self { return unsafeBitCast(try integer(value, UInt8.self, nestedPath, key), to: T.self) }
        return nil
    }

    func mismatch<T>(_ type: T.Type, _ value: ParsedValue, _ nestedPath: [any CodingKey], _ key: (any CodingKey)?)
        -> DecodingError
    {
        if case .null = value {
            return failure(.valueNotFound(type, context(path(nestedPath, key), "Found null.")))
        }
        return failure(.typeMismatch(type, context(path(nestedPath, key), "Found another JSON type.")))
    }

    func string(_ value: ParsedValue, _ nestedPath: [any CodingKey], _ key: (any CodingKey)?) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, value, nestedPath, key) }
        return text
    }

    func bool(_ value: ParsedValue, _ nestedPath: [any CodingKey], _ key: (any CodingKey)?) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value, nestedPath, key) }
        return flag
    }

    /// An integer from an integer literal that fits; Foundation's conversions of
    /// `42.0` or `1e2` are left to it.
    func integer<I: FixedWidthInteger>(
        _ value: ParsedValue, _ type: I.Type, _ nestedPath: [any CodingKey], _ key: (any CodingKey)?
    ) throws -> I {
        guard case .number(let text) = value else { throw mismatch(type, value, nestedPath, key) }
        guard let number = I(text) else {
            throw failure(.dataCorrupted(context(path(nestedPath, key), "Left to Foundation's decoder.")))
        }
        return number
    }

    /// A finite number that did not round to zero from a non-zero literal, or one of the
    /// non-finite spellings; what Foundation's `T(prevalidatedBuffer:)` path accepts.
    func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ value: ParsedValue, _ type: F.Type, _ nestedPath: [any CodingKey], _ key: (any CodingKey)?
    ) throws -> F {
        switch value {
        case .number(let text):
            if let number = F(text), number.isFinite, number != 0 || isTrueZero(text) { return number }
            throw failure(.dataCorrupted(context(path(nestedPath, key), "Left to Foundation's decoder.")))
        case .string("Infinity"): return F.infinity
        case .string("-Infinity"): return -F.infinity
        case .string("NaN"): return F.nan
        default: throw mismatch(type, value, nestedPath, key)
        }
    }

    func date(_ value: ParsedValue, _ nestedPath: [any CodingKey], _ key: (any CodingKey)?) throws -> Date {
        guard case .string(let text) = value, let date = StepFlowJSON.parseDate(text) else {
            throw failure(.dataCorrupted(context(path(nestedPath, key), "Not an ISO 8601 date.")))
        }
        return date
    }

    /// The ``JSONValue`` its `init(from:)` builds under Foundation: null, a boolean, an
    /// integer if Foundation reads one (`42.0` included), a number (non-finite
    /// spellings included), a string, an array, an object keeping the first of
    /// repeated keys.
    func json(_ value: ParsedValue, _ nestedPath: [any CodingKey], _ key: (any CodingKey)?) throws -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .string("Infinity"): return .number(.infinity)
        case .string("-Infinity"): return .number(-.infinity)
        case .string("NaN"): return .number(.nan)
        case .string(let text): return .string(text)
        case .number(let text):
            if let integer = Int(text) { return .integer(integer) }
            guard let number = Double(text), number.isFinite, number != 0 || isTrueZero(text) else {
                throw failure(.dataCorrupted(context(path(nestedPath, key), "Left to Foundation's decoder.")))
            }
            // Foundation's Int path takes integral numbers that fit, below 2^53 exactly;
            // past that it goes through Decimal, which is left to it.
            guard let integer = Int(exactly: number) else { return .number(number) }
            guard number.magnitude < 9_007_199_254_740_992 else {
                throw failure(.dataCorrupted(context(path(nestedPath, key), "Left to Foundation's decoder.")))
            }
            return .integer(integer)
        case .array(let elements):
            var array: [JSONValue] = []
            array.reserveCapacity(elements.count)
            for element in elements { array.append(try json(element, nestedPath, key)) }
            return .array(array)
        case .object(let object):
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(object.keys.count)
            for (name, member) in zip(object.keys, object.values) where members[name] == nil {
                members[name] = try json(member, nestedPath, key)
            }
            return .object(members)
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

extension JSONValue {
    /// The value of a ``StepFlowJSONDecoder`` tree, or `nil` for another decoder.
    init?(fastFrom decoder: any Decoder) throws {
        guard let tree = decoder as? TreeDecoder else { return nil }
        self = try tree.json(tree.value, [], nil)
    }
}

private struct KeyedTreeReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TreeDecoder
    let object: ParsedObject
    let nestedPath: [any CodingKey]
    /// For large objects (dictionaries), the first index of each key.
    private let index: [String: Int]?

    init(decoder: TreeDecoder, object: ParsedObject, nestedPath: [any CodingKey]) {
        self.decoder = decoder
        self.object = object
        self.nestedPath = nestedPath
        if object.keys.count > 16 {
            var index: [String: Int] = [:]
            index.reserveCapacity(object.keys.count)
            for (position, name) in object.keys.enumerated() where index[name] == nil { index[name] = position }
            self.index = index
        } else {
            index = nil
        }
    }

    var codingPath: [any CodingKey] { decoder.codingPath + nestedPath }

    var allKeys: [Key] {
        var seen: Set<String> = []
        return object.keys.compactMap { name in seen.insert(name).inserted ? Key(stringValue: name) : nil }
    }

    private func position(of key: Key) -> Int? {
        let name = key.stringValue
        if let index { return index[name] }
        return object.keys.firstIndex(of: name)
    }

    private func value(for key: Key) throws -> ParsedValue {
        guard let position = position(of: key) else {
            throw decoder.failure(
                .keyNotFound(key, decoder.context(codingPath, "No value for key '\(key.stringValue)'.")))
        }
        return object.values[position]
    }

    func contains(_ key: Key) -> Bool { position(of: key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(for: key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try decoder.bool(try value(for: key), nestedPath, key)
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try decoder.string(try value(for: key), nestedPath, key)
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try decoder.floatingPoint(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try decoder.floatingPoint(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 {
        try decoder.integer(try value(for: key), type, nestedPath, key)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.unbox(try value(for: key), as: type, nestedPath: nestedPath, key: key)
    }

    // One lookup instead of the default's three (contains, decodeNil, decode); same answers.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let position = position(of: key) else { return nil }
        let value = object.values[position]
        if case .null = value { return nil }
        return try decoder.unbox(value, as: type, nestedPath: nestedPath, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        guard case .object(let nested) = try value(for: key) else {
            throw decoder.failure(.typeMismatch([String: Any].self, decoder.context(codingPath, "Expected an object.")))
        }
        return KeyedDecodingContainer(
            KeyedTreeReader<NestedKey>(decoder: decoder, object: nested, nestedPath: nestedPath + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = try value(for: key) else {
            throw decoder.failure(.typeMismatch([Any].self, decoder.context(codingPath, "Expected an array.")))
        }
        return UnkeyedTreeReader(decoder: decoder, elements: elements, nestedPath: nestedPath + [key])
    }

    func superDecoder() throws -> any Decoder { throw leftToFoundation() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw leftToFoundation() }

    private func leftToFoundation() -> DecodingError {
        decoder.failure(.dataCorrupted(decoder.context(codingPath, "Left to Foundation's decoder.")))
    }
}

private struct UnkeyedTreeReader: UnkeyedDecodingContainer {
    let decoder: TreeDecoder
    let elements: [ParsedValue]
    let nestedPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(decoder: TreeDecoder, elements: [ParsedValue], nestedPath: [any CodingKey]) {
        self.decoder = decoder
        self.elements = elements
        self.nestedPath = nestedPath
    }

    var codingPath: [any CodingKey] { decoder.codingPath + nestedPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private var currentKey: IndexCodingKey { IndexCodingKey(index: currentIndex) }

    private func current<T>(_ type: T.Type) throws -> ParsedValue {
        guard !isAtEnd else {
            throw decoder.failure(.valueNotFound(type, decoder.context(codingPath, "Unkeyed container is at end.")))
        }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard case .null = try current(Optional<Any>.self) else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let value = try decoder.bool(try current(type), nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: String.Type) throws -> String {
        let value = try decoder.string(try current(type), nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: Double.Type) throws -> Double {
        let value = try decoder.floatingPoint(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: Float.Type) throws -> Float {
        let value = try decoder.floatingPoint(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: Int.Type) throws -> Int {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: Int8.Type) throws -> Int8 {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: Int16.Type) throws -> Int16 {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: Int32.Type) throws -> Int32 {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: UInt.Type) throws -> UInt {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: Int128.Type) throws -> Int128 {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 {
        let value = try decoder.integer(try current(type), type, nestedPath, currentKey)
        currentIndex += 1
        return value
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try decoder.unbox(try current(type), as: type, nestedPath: nestedPath, key: currentKey)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<
        NestedKey
    > {
        let path = nestedPath + [currentKey]
        guard case .object(let nested) = try current([String: Any].self) else {
            throw decoder.failure(.typeMismatch([String: Any].self, decoder.context(path, "Expected an object.")))
        }
        currentIndex += 1
        return KeyedDecodingContainer(KeyedTreeReader<NestedKey>(decoder: decoder, object: nested, nestedPath: path))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = nestedPath + [currentKey]
        guard case .array(let nested) = try current([Any].self) else {
            throw decoder.failure(.typeMismatch([Any].self, decoder.context(path, "Expected an array.")))
        }
        currentIndex += 1
        return UnkeyedTreeReader(decoder: decoder, elements: nested, nestedPath: path)
    }

    mutating func superDecoder() throws -> any Decoder {
        throw decoder.failure(.dataCorrupted(decoder.context(codingPath, "Left to Foundation's decoder.")))
    }
}

private struct SingleValueTreeReader: SingleValueDecodingContainer {
    let decoder: TreeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        if case .null = decoder.value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool(decoder.value, [], nil) }
    func decode(_ type: String.Type) throws -> String { try decoder.string(decoder.value, [], nil) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.floatingPoint(decoder.value, type, [], nil) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.floatingPoint(decoder.value, type, [], nil) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.integer(decoder.value, type, [], nil) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(decoder.value, type, [], nil) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(decoder.value, type, [], nil) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(decoder.value, type, [], nil) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(decoder.value, type, [], nil) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(decoder.value, type, [], nil) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(decoder.value, type, [], nil) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(decoder.value, type, [], nil) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(decoder.value, type, [], nil) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(decoder.value, type, [], nil) }
    func decode(_ type: Int128.Type) throws -> Int128 { try decoder.integer(decoder.value, type, [], nil) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try decoder.integer(decoder.value, type, [], nil) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // Foundation decodes the wrapped value with this same decoder: same path, no key.
        try decoder.unbox(decoder.value, as: type, nestedPath: [], key: nil)
    }
}
