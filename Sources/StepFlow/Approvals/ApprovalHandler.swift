/// Decides approval requests: answers with an ``ApprovalDecision`` or a plain `Bool`.
///
/// ```swift
/// let handler = ApprovalHandler { request in
///     request.metadata["amount"]?.doubleValue ?? 0 < 500
/// }
/// ```
public struct ApprovalHandler: Sendable {
    let decide: @Sendable (ApprovalRequest) async throws -> ApprovalDecision

    /// A handler answering with a full decision.
    public init(_ decide: @escaping @Sendable (ApprovalRequest) async throws -> ApprovalDecision) {
        self.decide = decide
    }

    /// A handler answering yes or no (a decision with no reason and empty metadata).
    public init(_ decide: @escaping @Sendable (ApprovalRequest) async throws -> Bool) {
        self.decide = { request in ApprovalDecision(approved: try await decide(request)) }
    }

    /// A handler giving the same answer to every request.
    public static func always(_ approved: Bool) -> ApprovalHandler {
        ApprovalHandler { (_: ApprovalRequest) -> Bool in approved }
    }
}
