/// An error read back from JSON: the type name and message it was recorded with.
///
/// Errors cross process boundaries inside checkpoints and results; the original
/// Swift value cannot be rebuilt there, so its name and text stand in for it.
public struct RecordedError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name of the original error's type.
    public let typeName: String
    /// The original error's message.
    public let message: String

    /// Records an error's type name and message.
    public init(typeName: String, message: String) {
        self.typeName = typeName
        self.message = message
    }

    /// Records any error.
    public init(_ error: any Error) {
        self.init(typeName: errorTypeName(error), message: errorMessage(error))
    }

    /// The message.
    public var description: String { message }

    private enum CodingKeys: String, CodingKey {
        case typeName = "type"
        case message
    }
}

extension RecordedError: SelfNamedError {}
