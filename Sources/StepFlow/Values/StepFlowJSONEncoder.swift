import Foundation

/// Writes `Encodable` values as StepFlow's JSON, byte for byte what
/// `JSONEncoder` with ``StepFlowJSON``'s options writes, at a fraction of the cost.
///
/// Checkpoints, results and states are encoded on every recorded step, and
/// Foundation's encoder spends most of its time on bookkeeping this shape does
/// not need. This one builds a small tree and writes it with the same rules:
/// keys sorted by their UTF-8 bytes, `JSONWriter`'s indentation and escapes,
/// integers in decimal, floating-point numbers as their `description` without a
/// trailing `.0`, non-finite ones as `"Infinity"`, `"-Infinity"`, `"NaN"`.
///
/// Whatever it does not handle the same way (`Data`, `URL`, `Decimal`, a
/// `superEncoder`, a key encoded twice, a value requesting two kinds of
/// container, nesting 512 deep, a value that encodes nothing), and any error,
/// sends the whole value to Foundation's encoder instead, so the output and the
/// errors are Foundation's by construction. `StepFlowJSONTests` compares the two.
package struct StepFlowJSONEncoder: Sendable {
    /// Whether the output is indented (`JSONEncoder`'s `.prettyPrinted`).
    package let pretty: Bool

    /// Creates an encoder.
    package init(pretty: Bool) {
        self.pretty = pretty
    }

    /// The value as JSON text.
    package func encode<T: Encodable>(_ value: T) throws -> Data {
        if let bytes = encodedBytes(value) { return Data(bytes) }
        return try StepFlowJSON.foundationEncoder(pretty: pretty).encode(value)
    }

    /// The value's bytes, or `nil` when Foundation's encoder must write it.
    package func encodedBytes<T: Encodable>(_ value: T) -> [UInt8]? {
        let context = EncodingContext()
        let root = TreeEncoder(context: context, parent: nil, nestedPath: [], key: nil)
        // A top-level value that encodes nothing is an error in Foundation's encoder.
        guard let tree = try? root.box(value, nestedPath: [], key: nil, orNothing: true), !context.handOver
        else { return nil }
        var writer = JSONTextWriter(pretty: pretty)
        guard writer.write(tree, depth: 0) else { return nil }
        return writer.bytes
    }
}

/// What one encoding shares: whether it met something only Foundation's encoder writes.
private final class EncodingContext {
    /// Set when the value must be encoded by Foundation's encoder instead.
    var handOver = false
}

/// The reason a container call stopped; the encoding is then redone by Foundation.
private struct HandedOver: Error {}

/// A value on its way to JSON text.
private enum EncodedValue {
    case null
    case bool(Bool)
    case int(Int64)
    case unsigned(UInt64)
    case double(Double)
    case float(Float)
    case string(String)
    case date(Date)
    case object(EncodedObject)
    case array(EncodedArray)
}

/// An object's members in the order they were encoded; sorted when written.
private final class EncodedObject {
    var keys: [String] = []
    var values: [EncodedValue] = []

    func append(_ key: String, _ value: EncodedValue) {
        keys.append(key)
        values.append(value)
    }
}

/// An array's elements.
private final class EncodedArray {
    var values: [EncodedValue] = []
}

/// The key of an array element in a coding path, spelled as Foundation spells it.
struct IndexCodingKey: CodingKey {
    let intValue: Int?
    let stringValue: String

    init(index: Int) {
        intValue = index
        stringValue = "Index \(index)"
    }

    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.init(index: intValue) }
}

/// The `Encoder` handed to each value that is not a JSON primitive.
private final class TreeEncoder: Encoder {
    let context: EncodingContext
    /// The encoder of the container holding this value (`nil` at the top).
    let parent: TreeEncoder?
    /// Keys of nested containers between the parent's value and this one.
    let nestedPath: [any CodingKey]
    /// This value's key in its container.
    let key: (any CodingKey)?
    /// What the value encoded, once it has.
    var value: EncodedValue?

    init(context: EncodingContext, parent: TreeEncoder?, nestedPath: [any CodingKey], key: (any CodingKey)?) {
        self.context = context
        self.parent = parent
        self.nestedPath = nestedPath
        self.key = key
    }

    // The path is only built when asked for: most values never look at it.
    var codingPath: [any CodingKey] {
        var path = parent?.codingPath ?? []
        path += nestedPath
        if let key { path.append(key) }
        return path
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let object: EncodedObject
        switch value {
        case .object(let existing)?:
            object = existing
        case nil:
            object = EncodedObject()
            value = .object(object)
        default:
            context.handOver = true
            object = EncodedObject()
        }
        return KeyedEncodingContainer(KeyedTreeContainer<Key>(encoder: self, object: object, nestedPath: []))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let array: EncodedArray
        switch value {
        case .array(let existing)?:
            array = existing
        case nil:
            array = EncodedArray()
            value = .array(array)
        default:
            context.handOver = true
            array = EncodedArray()
        }
        return UnkeyedTreeContainer(encoder: self, array: array, nestedPath: [])
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueTreeContainer(encoder: self)
    }

    /// Sets the value of a single-value container; a second value is Foundation's business.
    func setSingleValue(_ newValue: EncodedValue) throws {
        guard value == nil else { throw handOver() }
        value = newValue
    }

    func handOver() -> HandedOver {
        context.handOver = true
        return HandedOver()
    }

    /// The tree for one value: JSON primitives directly, anything else through its `encode(to:)`.
    ///
    /// The checks compare metatypes, which is cheap, where Foundation casts (`as? Date`);
    /// a cast also matches an `Optional` holding the type, whose `encode(to:)` here
    /// reaches the same check through a single-value container.
    func box<T: Encodable>(
        _ value: T, nestedPath: [any CodingKey], key: (any CodingKey)?, orNothing: Bool = false
    ) throws -> EncodedValue {
        if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return .int(Int64(unsafeBitCast(value, to: Int.self))) }
        if T.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
        if T.self == Double.self { return .double(unsafeBitCast(value, to: Double.self)) }
        if T.self == Date.self { return .date(unsafeBitCast(value, to: Date.self)) }
        if T.self == JSONValue.self { return Self.tree(of: unsafeBitCast(value, to: JSONValue.self)) }
        if let primitive = Self.otherPrimitive(value) { return primitive }
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self { throw handOver() }
        let encoder = TreeEncoder(context: context, parent: self, nestedPath: nestedPath, key: key)
        try value.encode(to: encoder)
        if let encoded = encoder.value { return encoded }
        // A value that encoded nothing is `{}` in Foundation's output too, except at the top.
        if orNothing { throw handOver() }
        return .object(EncodedObject())
    }

    private static func otherPrimitive<T>(_ value: T) -> EncodedValue? {
        if T.self == Float.self { return .float(unsafeBitCast(value, to: Float.self)) }
        if T.self == Int64.self { return .int(unsafeBitCast(value, to: Int64.self)) }
        if T.self == Int32.self { return .int(Int64(unsafeBitCast(value, to: Int32.self))) }
        if T.self == Int16.self { return .int(Int64(unsafeBitCast(value, to: Int16.self))) }
        if T.self == Int8.self { return .int(Int64(unsafeBitCast(value, to: Int8.self))) }
        if T.self == UInt.self { return .unsigned(UInt64(unsafeBitCast(value, to: UInt.self))) }
        if T.self == UInt64.self { return .unsigned(unsafeBitCast(value, to: UInt64.self)) }
        if T.self == UInt32.self { return .unsigned(UInt64(unsafeBitCast(value, to: UInt32.self))) }
        if T.self == UInt16.self { return .unsigned(UInt64(unsafeBitCast(value, to: UInt16.self))) }
        if T.self == UInt8.self { return .unsigned(UInt64(unsafeBitCast(value, to: UInt8.self))) }
        return nil
    }

    /// A ``JSONValue``'s tree: what its `encode(to:)` produces, without the containers.
    static func tree(of json: JSONValue) -> EncodedValue {
        switch json {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .integer(let value): return .int(Int64(value))
        case .number(let value): return .double(value)
        case .string(let value): return .string(value)
        case .array(let elements):
            let array = EncodedArray()
            array.values.reserveCapacity(elements.count)
            for element in elements { array.values.append(tree(of: element)) }
            return .array(array)
        case .object(let members):
            let object = EncodedObject()
            object.keys.reserveCapacity(members.count)
            object.values.reserveCapacity(members.count)
            for (key, member) in members { object.append(key, tree(of: member)) }
            return .object(object)
        }
    }
}

extension JSONValue {
    /// Encodes into a ``StepFlowJSONEncoder`` tree directly, or through a single-value container.
    func encode(fastTo encoder: any Encoder) throws -> Bool {
        guard let tree = encoder as? TreeEncoder else { return false }
        try tree.setSingleValue(TreeEncoder.tree(of: self))
        return true
    }
}

private struct KeyedTreeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: TreeEncoder
    let object: EncodedObject
    let nestedPath: [any CodingKey]

    var codingPath: [any CodingKey] { encoder.codingPath + nestedPath }

    mutating func encodeNil(forKey key: Key) throws { object.append(key.stringValue, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { object.append(key.stringValue, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { object.append(key.stringValue, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { object.append(key.stringValue, .double(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { object.append(key.stringValue, .float(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { object.append(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { object.append(key.stringValue, .int(Int64(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws {
        object.append(key.stringValue, .int(Int64(value)))
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        object.append(key.stringValue, .int(Int64(value)))
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws { object.append(key.stringValue, .int(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        object.append(key.stringValue, .unsigned(UInt64(value)))
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws {
        object.append(key.stringValue, .unsigned(UInt64(value)))
    }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        object.append(key.stringValue, .unsigned(UInt64(value)))
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        object.append(key.stringValue, .unsigned(UInt64(value)))
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        object.append(key.stringValue, .unsigned(value))
    }
    mutating func encode(_ value: Int128, forKey key: Key) throws { throw encoder.handOver() }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { throw encoder.handOver() }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let boxed = try encoder.box(value, nestedPath: nestedPath, key: key)
        object.append(key.stringValue, boxed)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedObject()
        appendNested(.object(nested), forKey: key)
        return KeyedEncodingContainer(
            KeyedTreeContainer<NestedKey>(encoder: encoder, object: nested, nestedPath: nestedPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = EncodedArray()
        appendNested(.array(nested), forKey: key)
        return UnkeyedTreeContainer(encoder: encoder, array: nested, nestedPath: nestedPath + [key])
    }

    /// Foundation reuses a nested container asked for twice under one key; that is left to it.
    private func appendNested(_ value: EncodedValue, forKey key: Key) {
        let name = key.stringValue
        if object.keys.contains(name) { encoder.context.handOver = true }
        object.append(name, value)
    }

    mutating func superEncoder() -> any Encoder { handedOverEncoder() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { handedOverEncoder() }

    private func handedOverEncoder() -> any Encoder {
        encoder.context.handOver = true
        return TreeEncoder(context: encoder.context, parent: encoder, nestedPath: nestedPath, key: nil)
    }
}

private struct UnkeyedTreeContainer: UnkeyedEncodingContainer {
    let encoder: TreeEncoder
    let array: EncodedArray
    let nestedPath: [any CodingKey]

    var codingPath: [any CodingKey] { encoder.codingPath + nestedPath }
    var count: Int { array.values.count }

    mutating func encodeNil() throws { array.values.append(.null) }
    mutating func encode(_ value: Bool) throws { array.values.append(.bool(value)) }
    mutating func encode(_ value: String) throws { array.values.append(.string(value)) }
    mutating func encode(_ value: Double) throws { array.values.append(.double(value)) }
    mutating func encode(_ value: Float) throws { array.values.append(.float(value)) }
    mutating func encode(_ value: Int) throws { array.values.append(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { array.values.append(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { array.values.append(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { array.values.append(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { array.values.append(.int(value)) }
    mutating func encode(_ value: UInt) throws { array.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { array.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { array.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { array.values.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { array.values.append(.unsigned(value)) }
    mutating func encode(_ value: Int128) throws { throw encoder.handOver() }
    mutating func encode(_ value: UInt128) throws { throw encoder.handOver() }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let boxed = try encoder.box(value, nestedPath: nestedPath, key: IndexCodingKey(index: count))
        array.values.append(boxed)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<
        NestedKey
    > {
        let nested = EncodedObject()
        let path = nestedPath + [IndexCodingKey(index: count)]
        array.values.append(.object(nested))
        return KeyedEncodingContainer(KeyedTreeContainer<NestedKey>(encoder: encoder, object: nested, nestedPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = EncodedArray()
        let path = nestedPath + [IndexCodingKey(index: count)]
        array.values.append(.array(nested))
        return UnkeyedTreeContainer(encoder: encoder, array: nested, nestedPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        encoder.context.handOver = true
        return TreeEncoder(context: encoder.context, parent: encoder, nestedPath: nestedPath, key: nil)
    }
}

private struct SingleValueTreeContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { try encoder.setSingleValue(.null) }
    mutating func encode(_ value: Bool) throws { try encoder.setSingleValue(.bool(value)) }
    mutating func encode(_ value: String) throws { try encoder.setSingleValue(.string(value)) }
    mutating func encode(_ value: Double) throws { try encoder.setSingleValue(.double(value)) }
    mutating func encode(_ value: Float) throws { try encoder.setSingleValue(.float(value)) }
    mutating func encode(_ value: Int) throws { try encoder.setSingleValue(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { try encoder.setSingleValue(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { try encoder.setSingleValue(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { try encoder.setSingleValue(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { try encoder.setSingleValue(.int(value)) }
    mutating func encode(_ value: UInt) throws { try encoder.setSingleValue(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { try encoder.setSingleValue(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { try encoder.setSingleValue(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { try encoder.setSingleValue(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { try encoder.setSingleValue(.unsigned(value)) }
    mutating func encode(_ value: Int128) throws { throw encoder.handOver() }
    mutating func encode(_ value: UInt128) throws { throw encoder.handOver() }

    mutating func encode<T: Encodable>(_ value: T) throws {
        // Foundation encodes the wrapped value with this same encoder: same path, no key.
        try encoder.setSingleValue(try encoder.box(value, nestedPath: [], key: nil))
    }
}

/// Writes a tree as `JSONWriter` does with `.sortedKeys` and `.withoutEscapingSlashes`.
private struct JSONTextWriter {
    /// Foundation refuses to write containers nested this deep.
    private static let maximumDepth = 512

    let pretty: Bool
    var bytes: [UInt8] = []
    private var indent = 0

    init(pretty: Bool) {
        self.pretty = pretty
        bytes.reserveCapacity(pretty ? 2048 : 512)
    }

    /// Appends the value; `false` when Foundation must write it instead.
    mutating func write(_ value: EncodedValue, depth: Int) -> Bool {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .int(let number): appendInteger(number)
        case .unsigned(let number): appendDecimal(number, negative: false)
        case .double(let number): appendFloatingPoint(number)
        case .float(let number): appendFloatingPoint(number)
        case .string(let text): appendString(text)
        case .date(let date):
            if !JSONTimestamp.appendQuoted(date, to: &bytes) { appendString(StepFlowJSON.formatDate(date)) }
        case .object(let object):
            guard depth + 1 < Self.maximumDepth else { return false }
            return writeObject(object, depth: depth + 1)
        case .array(let array):
            guard depth + 1 < Self.maximumDepth else { return false }
            return writeArray(array, depth: depth + 1)
        }
        return true
    }

    private mutating func writeObject(_ object: EncodedObject, depth: Int) -> Bool {
        bytes.append(UInt8(ascii: "{"))
        let count = object.keys.count
        if pretty {
            bytes.append(UInt8(ascii: "\n"))
            indent += 1
            if count > 0 { appendIndent() }
        }
        let written = withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { order -> Bool in
            for index in 0..<count { order[index] = index }
            guard sortKeys(object.keys, order) else { return false }
            for position in 0..<count {
                if position > 0 {
                    if pretty {
                        append(",\n")
                        appendIndent()
                    } else {
                        bytes.append(UInt8(ascii: ","))
                    }
                }
                let index = order[position]
                appendString(object.keys[index])
                if pretty { append(" : ") } else { bytes.append(UInt8(ascii: ":")) }
                guard write(object.values[index], depth: depth) else { return false }
            }
            return true
        }
        guard written else { return false }
        if pretty {
            bytes.append(UInt8(ascii: "\n"))
            indent -= 1
            appendIndent()
        }
        bytes.append(UInt8(ascii: "}"))
        return true
    }

    private mutating func writeArray(_ array: EncodedArray, depth: Int) -> Bool {
        bytes.append(UInt8(ascii: "["))
        if pretty {
            bytes.append(UInt8(ascii: "\n"))
            indent += 1
        }
        for (position, element) in array.values.enumerated() {
            if position > 0 {
                if pretty { append(",\n") } else { bytes.append(UInt8(ascii: ",")) }
            }
            if pretty { appendIndent() }
            guard write(element, depth: depth) else { return false }
        }
        if pretty {
            bytes.append(UInt8(ascii: "\n"))
            indent -= 1
            appendIndent()
        }
        bytes.append(UInt8(ascii: "]"))
        return true
    }

    /// Insertion sort of member indices by key bytes (objects are small); `false` on a
    /// repeated key, whose last-write-wins merge is left to Foundation.
    private func sortKeys(_ keys: [String], _ order: UnsafeMutableBufferPointer<Int>) -> Bool {
        guard order.count > 1 else { return true }
        for next in 1..<order.count {
            let moving = order[next]
            var slot = next
            while slot > 0 {
                let comparison = compareUTF8(keys[moving], keys[order[slot - 1]])
                if comparison == 0 { return false }
                if comparison > 0 { break }
                order[slot] = order[slot - 1]
                slot -= 1
            }
            order[slot] = moving
        }
        return true
    }

    private mutating func appendIndent() {
        for _ in 0..<indent { append("  ") }
    }

    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func appendInteger(_ number: Int64) {
        appendDecimal(number.magnitude, negative: number < 0)
    }

    private mutating func appendDecimal(_ magnitude: UInt64, negative: Bool) {
        if negative { bytes.append(UInt8(ascii: "-")) }
        if magnitude < 10 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = magnitude
            var start = 20
            while rest > 0 {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    private mutating func appendFloatingPoint<F: BinaryFloatingPoint & CustomStringConvertible>(_ number: F) {
        guard number.isFinite else {
            appendString(number.isNaN ? "NaN" : number < 0 ? "-Infinity" : "Infinity")
            return
        }
        var text = number.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func appendString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                appendEscape(byte)
                runStart = index + 1
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        case UInt8(ascii: "\n"): append("\\n")
        case UInt8(ascii: "\r"): append("\\r")
        case UInt8(ascii: "\t"): append("\\t")
        default:
            let hex: StaticString = "0123456789abcdef"
            append("\\u00")
            bytes.append(hex.utf8Start[Int(byte >> 4)])
            bytes.append(hex.utf8Start[Int(byte & 0xF)])
        }
    }
}

/// Compares two strings by their UTF-8 bytes, the order Foundation sorts keys in
/// (not `String`'s `<`, which compares Unicode scalars after normalisation).
func compareUTF8(_ lhs: String, _ rhs: String) -> Int {
    let fast = lhs.utf8.withContiguousStorageIfAvailable { left in
        rhs.utf8.withContiguousStorageIfAvailable { right -> Int in
            let shared = min(left.count, right.count)
            if shared > 0, let a = left.baseAddress, let b = right.baseAddress {
                let order = memcmp(a, b, shared)
                if order != 0 { return Int(order) }
            }
            return left.count - right.count
        }
    }
    if let fast, let order = fast { return order }
    if lhs.utf8.elementsEqual(rhs.utf8) { return 0 }
    return lhs.utf8.lexicographicallyPrecedes(rhs.utf8) ? -1 : 1
}
