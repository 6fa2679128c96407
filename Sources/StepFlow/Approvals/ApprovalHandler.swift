/// Decides approval requests: answers with an ``ApprovalDecision`` or a plain
/// `Bool`, or postpones the decision (see ``answering(_:)``).
///
/// ```swift
/// let handler = ApprovalHandler { request in
///     request.metadata["amount"]?.doubleValue ?? 0 < 500
/// }
/// ```
///
/// In a run recorded in a store, the handler is asked only after the request
/// is in the store (its ``ApprovalRequest/requestID`` says which), and its
/// answer is one decider among others: it is submitted through the store's
/// guarded ``RunStore/decide(_:)`` as the decision of its
/// ``ApprovalDecision/decidedBy`` (the OS user when `nil`; claimed when it names
/// someone else). If a console or another process decided first, the run goes
/// on with that decision; if the store refuses the handler's approver (not
/// among the gate's approvers, or the starter approving their own run), the
/// run waits for an allowed decision. A decision made elsewhere while the
/// handler is still thinking cancels the handler's task: a handler should
/// return promptly when cancelled (its answer is then ignored).
public struct ApprovalHandler: Sendable {
    private let respond: @Sendable (ApprovalRequest) async throws -> ApprovalAnswer

    private init(respond: @escaping @Sendable (ApprovalRequest) async throws -> ApprovalAnswer) {
        self.respond = respond
    }

    /// A handler answering with a full decision.
    public init(_ decide: @escaping @Sendable (ApprovalRequest) async throws -> ApprovalDecision) {
        self.respond = { request in .decided(try await decide(request)) }
    }

    /// A handler answering yes or no (a decision with no reason and empty metadata).
    public init(_ decide: @escaping @Sendable (ApprovalRequest) async throws -> Bool) {
        self.respond = { request in .decided(ApprovalDecision(approved: try await decide(request))) }
    }

    /// A handler that may also postpone: the run then pauses at the step with a
    /// checkpoint, as in pause mode (a child workflow, which cannot pause, fails instead).
    public static func answering(
        _ respond: @escaping @Sendable (ApprovalRequest) async throws -> ApprovalAnswer
    ) -> ApprovalHandler {
        ApprovalHandler(respond: respond)
    }

    /// A handler giving the same answer to every request.
    public static func always(_ approved: Bool) -> ApprovalHandler {
        ApprovalHandler { (_: ApprovalRequest) -> Bool in approved }
    }

    /// Asks the handler (handlers can wrap other handlers).
    public func answer(_ request: ApprovalRequest) async throws -> ApprovalAnswer {
        try await respond(request)
    }
}

/// A handler's answer: a decision now, or later.
public enum ApprovalAnswer: Sendable {
    /// The decision is made.
    case decided(ApprovalDecision)
    /// Nobody decides now: pause the run and keep its checkpoint.
    case postponed
}
