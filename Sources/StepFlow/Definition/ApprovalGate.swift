/// A step's requirement for a human decision before it runs.
public struct ApprovalGate: Sendable, Hashable {
    /// What the approver is asked; `nil` for no message (an empty message is invalid).
    public var message: String?
    /// Extra facts for the approver, copied into each request.
    public var metadata: [String: JSONValue]

    /// Creates an approval gate.
    public init(message: String? = nil, metadata: [String: JSONValue] = [:]) {
        self.message = message
        self.metadata = metadata
    }

    /// Approval is required, with no message and no metadata.
    public static var required: ApprovalGate { ApprovalGate() }

    /// Approval is required, with a message and metadata for the approver.
    public static func required(message: String? = nil, metadata: [String: JSONValue] = [:]) -> ApprovalGate {
        ApprovalGate(message: message, metadata: metadata)
    }
}
