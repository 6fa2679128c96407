/// An optional that the synthesised `Codable` writes as `null` when it is `nil`.
///
/// Synthesised encoding leaves a `nil` optional's key out; StepFlow's JSON (SPEC)
/// writes every field, `null` where absent, so readers in any language see the
/// full shape. Reading accepts `null` or a missing key.
@propertyWrapper
public struct ExplicitNull<Value> {
    /// The optional value.
    public var wrappedValue: Value?

    /// Wraps an optional value.
    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }
}

extension ExplicitNull: Sendable where Value: Sendable {}
extension ExplicitNull: Equatable where Value: Equatable {}
extension ExplicitNull: Hashable where Value: Hashable {}

extension ExplicitNull: Encodable where Value: Encodable {
    /// Writes the value, or `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue {
            try container.encode(wrappedValue)
        } else {
            try container.encodeNil()
        }
    }
}

extension ExplicitNull: Decodable where Value: Decodable {
    /// Reads the value, or `nil` for `null`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }
}

extension KeyedDecodingContainer {
    /// Reads an ``ExplicitNull``; a missing key is `nil`, as for any optional.
    /// (Synthesised decoding calls this overload, the more specific one.)
    public func decode<Value: Decodable>(_ type: ExplicitNull<Value>.Type, forKey key: Key) throws -> ExplicitNull<
        Value
    > {
        ExplicitNull(wrappedValue: try decodeIfPresent(Value.self, forKey: key))
    }
}

extension KeyedEncodingContainer {
    /// Writes an ``ExplicitNull``: its value, or `null`. (Synthesised encoding calls
    /// this overload; it writes what the wrapper's own `encode(to:)` writes, without a
    /// nested encoder per field.)
    public mutating func encode<Value: Encodable>(_ value: ExplicitNull<Value>, forKey key: Key) throws {
        try encodeOrNull(value.wrappedValue, forKey: key)
    }
}
