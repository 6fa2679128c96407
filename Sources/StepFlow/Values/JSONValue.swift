import Foundation

/// A JSON value: what step outputs, approval metadata and erased states are made of.
///
/// Outputs and metadata cross process boundaries (checkpoints, `--json` output,
/// the console), so they are kept in this plain, `Codable` form rather than as
/// arbitrary Swift values.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without a fractional part that fits in `Int`.
    case integer(Int)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object; keys are unordered, and encoded sorted.
    case object([String: JSONValue])
}

extension JSONValue {
    /// The string, when this value is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The boolean, when this value is a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number as a `Double`, when this value is a number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    /// The number as an `Int`, when this value is an integer.
    public var intValue: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The member named `key`, when this value is an object that has it.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// Encodes any `Encodable` value into its JSON form.
    public init<Value: Encodable>(encoding value: Value) throws {
        switch value {
        case let json as JSONValue: self = json
        case let string as String: self = .string(string)
        case let int as Int: self = .integer(int)
        case let double as Double: self = .number(double)
        case let bool as Bool: self = .bool(bool)
        default:
            let data = try StepFlowJSON.encoder.encode(value)
            self = try StepFlowJSON.decoder.decode(JSONValue.self, from: data)
        }
    }

    /// Decodes this JSON value into a `Decodable` type.
    public func decode<Value: Decodable>(as type: Value.Type = Value.self) throws -> Value {
        if let same = self as? Value { return same }
        return try StepFlowJSON.decoder.decode(Value.self, from: jsonData())
    }

    /// The value as compact JSON text with sorted keys.
    public func jsonData() throws -> Data {
        try StepFlowJSON.encoder.encode(self)
    }

    /// The value as compact JSON text with sorted keys.
    public var jsonText: String {
        // Encoding a JSONValue cannot fail: every case maps to valid JSON, and
        // non-finite numbers are written as strings by the shared encoder.
        (try? jsonData()).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}

extension JSONValue: Codable {
    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        // StepFlow's own decoder builds the value from its tree; Foundation's is
        // probed type by type, each miss a thrown error.
        if let fast = try JSONValue(fastFrom: decoder) {
            self = fast
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int.self) {
            self = .integer(int)
        } else if let double = try? container.decode(Double.self) {
            self = .number(double)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as the JSON it stands for.
    public func encode(to encoder: any Encoder) throws {
        if try encode(fastTo: encoder) { return }
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue: CustomStringConvertible {
    /// A string prints as itself; every other value as compact JSON.
    public var description: String {
        if case .string(let value) = self { return value }
        return jsonText
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `nil` is JSON `null`.
    public init(nilLiteral: ()) { self = .null }
    /// A boolean literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer literal.
    public init(integerLiteral value: Int) { self = .integer(value) }
    /// A floating-point literal.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A dictionary literal; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
