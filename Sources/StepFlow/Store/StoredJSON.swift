import Foundation

/// A JSON document as a store keeps it: the compact, sorted-keys text.
///
/// States, step results and event payloads are written once per step, so they
/// stay text from the encoder to the database column: no intermediate
/// ``JSONValue`` tree on the hot path. Equal values encode to equal text, which
/// is what a state hash is taken over.
public struct StoredJSON: Sendable, Hashable {
    /// The document's text.
    public let text: String

    /// A document holding `text`, which the caller vouches is JSON (a store reading its own column).
    public init(trustedText text: String) {
        self.text = text
    }

    /// The JSON form of `value`, with sorted keys.
    public init(encoding value: some Encodable) throws {
        text = String(decoding: try StepFlowJSON.encoder.encode(value), as: UTF8.self)
    }

    /// The document holding `value`.
    public init(_ value: JSONValue) {
        text = value.jsonText
    }

    /// JSON `null`.
    public static let null = StoredJSON(trustedText: "null")
    /// An empty JSON object.
    public static let emptyObject = StoredJSON(trustedText: "{}")
    /// An empty JSON array.
    public static let emptyArray = StoredJSON(trustedText: "[]")

    /// Decodes the document as `type`.
    public func decode<Value: Decodable>(as type: Value.Type = Value.self) throws -> Value {
        try StepFlowJSON.decoder.decode(Value.self, from: Data(text.utf8))
    }

    /// The document as a ``JSONValue`` (`null` if the text is not JSON).
    public var value: JSONValue {
        (try? decode(as: JSONValue.self)) ?? .null
    }

    /// The SHA-256 of the text, as `sha256:` and 64 hexadecimal digits: what an
    /// approval request's state hash is.
    public var sha256: String {
        "sha256:" + SHA256.hex(text)
    }
}

extension StoredJSON: Codable {
    /// Reads the document embedded as JSON (not as a string).
    public init(from decoder: any Decoder) throws {
        self.init(try JSONValue(from: decoder))
    }

    /// Writes the document embedded as JSON (not as a string).
    public func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}

extension StoredJSON: CustomStringConvertible {
    /// The document's text.
    public var description: String { text }
}
