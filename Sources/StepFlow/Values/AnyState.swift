import Foundation

/// A workflow state whose Swift type is not known statically.
///
/// Events, approval requests and child results carry states of many workflows,
/// so they hold them erased. Boxing costs no encoding; a state read back from
/// JSON (a checkpoint) holds a ``JSONValue`` until it is asked for as a type.
public struct AnyState: Sendable {
    /// The state value: the workflow's own state type, or a ``JSONValue`` after decoding.
    public let base: any Encodable & Sendable

    /// Wraps a state value.
    public init(_ base: any Encodable & Sendable) {
        self.base = base
    }

    /// The state as the given type: a direct cast, or a decode of its JSON form.
    public func `as`<State: Decodable>(_ type: State.Type) throws -> State {
        if let state = base as? State { return state }
        return try json.decode(as: State.self)
    }

    /// The state as JSON (`null` if it cannot be encoded).
    public var json: JSONValue {
        if let json = base as? JSONValue { return json }
        return (try? JSONValue(encoding: AnyEncodable(base))) ?? .null
    }
}

extension AnyState: Codable {
    /// Reads a state as JSON.
    public init(from decoder: any Decoder) throws {
        self.base = try JSONValue(from: decoder)
    }

    /// Writes the state as the JSON its own type encodes to.
    public func encode(to encoder: any Encoder) throws {
        try base.encode(to: encoder)
    }
}

/// Lets an existential `Encodable` pass through generic encoding APIs.
struct AnyEncodable: Encodable {
    let base: any Encodable
    init(_ base: any Encodable) { self.base = base }
    func encode(to encoder: any Encoder) throws { try base.encode(to: encoder) }
}

extension AnyState: Equatable {
    /// Two states are equal when they encode to the same JSON value, whatever their Swift types.
    public static func == (lhs: AnyState, rhs: AnyState) -> Bool {
        lhs.json == rhs.json
    }
}
