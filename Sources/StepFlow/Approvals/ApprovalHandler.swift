/// Decides approval requests: answers with an ``ApprovalDecision`` or a plain `Bool`.
///
/// ```swift
/// let handler = ApprovalHandler { request in
///     request.metadata["amount"]?.doubleValue ?? 0 < 500
/// }
/// ```
public struct ApprovalHandler: Sendable {
    private let answer: @Sendable (ApprovalRequest) async throws -> ApprovalDecision

    /// A handler answering with a full decision.
    public init(_ decide: @escaping @Sendable (ApprovalRequest) async throws -> ApprovalDecision) {
        self.answer = decide
    }

    /// A handler answering yes or no (a decision with no reason and empty metadata).
    public init(_ decide: @escaping @Sendable (ApprovalRequest) async throws -> Bool) {
        self.answer = { request in ApprovalDecision(approved: try await decide(request)) }
    }

    /// Asks the handler for a decision (handlers can wrap other handlers).
    public func decide(_ request: ApprovalRequest) async throws -> ApprovalDecision {
        try await answer(request)
    }

    /// A handler giving the same answer to every request.
    public static func always(_ approved: Bool) -> ApprovalHandler {
        ApprovalHandler { (_: ApprovalRequest) -> Bool in approved }
    }
}
