// Ways for StepFlow's own Codable code to write and read some fields with less
// machinery than the general path, giving exactly the same JSON and errors:
// every field of a result or checkpoint goes through them on each recorded step.

extension KeyedEncodingContainer {
    /// Writes the value, or `null` for `nil`: the JSON encoding the optional gives,
    /// without a nested encoder and single-value container for it.
    mutating func encodeOrNull<Value: Encodable>(_ value: Value?, forKey key: Key) throws {
        if let value {
            try encode(value, forKey: key)
        } else {
            try encodeNil(forKey: key)
        }
    }

    /// Writes a `String`-backed enum as its raw value, which is what its synthesised
    /// `encode(to:)` writes, without a nested encoder for it.
    mutating func encodeRawValue<Value: RawRepresentable<String>>(_ value: Value, forKey key: Key) throws {
        try encode(value.rawValue, forKey: key)
    }

    /// Writes an array; an empty one as the `[]` of any element type, without setting
    /// up the encoding of its element type.
    mutating func encodeArray<Element: Encodable>(_ array: [Element], forKey key: Key) throws {
        if array.isEmpty {
            try encode([JSONValue](), forKey: key)
        } else {
            try encode(array, forKey: key)
        }
    }
}

extension KeyedDecodingContainer {
    /// Reads a `String`-backed enum from its raw value, with the error its synthesised
    /// `init(from:)` throws for an unknown one, without a nested decoder for it.
    func decodeRawValue<Value: RawRepresentable<String>>(_ type: Value.Type, forKey key: Key) throws -> Value {
        let raw = try decode(String.self, forKey: key)
        guard let value = Value(rawValue: raw) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: codingPath + [key],
                    debugDescription: "Cannot initialize \(Value.self) from invalid \(String.self) value \(raw)"))
        }
        return value
    }
}
