/// A step's requirement for a human decision before it runs.
///
/// ```swift
/// Step("issue_refund", approval: .required(
///     message: "Refund this order?",
///     deadline: .init(after: .seconds(3600), then: .deny),
///     approvers: ["ana", "bo"], refusesSelfApproval: true)) { state in … }
/// ```
///
/// The message may also be built from the run's state when the gate is
/// reached (``StateApprovalGate``). What applies where:
///
/// - the message, metadata, approvers and self-approval refusal apply to every
///   run: a handler's answer whose ``ApprovalDecision/decidedBy`` (the OS user
///   of the process when it names nobody) is not an allowed approver, or is
///   the run's starter approving when self-approval is refused, fails the step
///   with an ``ApprovalRequiredError`` in a run without a store; in a run
///   recorded in a store it is refused like any console's decision and the run
///   keeps waiting for an allowed one;
/// - the deadline needs a store: it is written with the request and the store
///   decides the default outcome (recorded as timed out) once it passes. A run
///   without a store ignores it: nothing would be left to apply it when the
///   process is gone, and a handler decides whenever it answers.
public struct ApprovalGate: Sendable, Hashable {
    /// What the approver is asked; `nil` for no message (an empty message is invalid).
    public var message: String?
    /// Extra facts for the approver, copied into each request.
    public var metadata: [String: JSONValue]
    /// When the request decides itself, and how (applied by a store only).
    public var deadline: ApprovalDeadline?
    /// Who may decide (empty: anyone).
    public var approvers: [String]
    /// Whether the run's starter (``RunOptions/startedBy``) is refused as approver.
    ///
    /// It refuses approving only: a starter may still deny their own run.
    public var refusesSelfApproval: Bool
    /// Builds the message from the state when the gate is reached, if set.
    let stateMessage: StateMessage?

    /// Creates an approval gate.
    public init(
        message: String? = nil, metadata: [String: JSONValue] = [:], deadline: ApprovalDeadline? = nil,
        approvers: [String] = [], refusesSelfApproval: Bool = false
    ) {
        self.init(
            message: message, metadata: metadata, deadline: deadline, approvers: approvers,
            refusesSelfApproval: refusesSelfApproval, stateMessage: nil)
    }

    init(
        message: String?, metadata: [String: JSONValue], deadline: ApprovalDeadline?, approvers: [String],
        refusesSelfApproval: Bool, stateMessage: StateMessage?
    ) {
        self.message = message
        self.metadata = metadata
        self.deadline = deadline
        self.approvers = approvers
        self.refusesSelfApproval = refusesSelfApproval
        self.stateMessage = stateMessage
    }

    /// Approval is required, with no message and no metadata.
    public static var required: ApprovalGate { ApprovalGate() }

    /// Approval is required, with a message and metadata for the approver, and
    /// optionally a deadline and who may approve.
    public static func required(
        message: String? = nil, metadata: [String: JSONValue] = [:], deadline: ApprovalDeadline? = nil,
        approvers: [String] = [], refusesSelfApproval: Bool = false
    ) -> ApprovalGate {
        ApprovalGate(
            message: message, metadata: metadata, deadline: deadline, approvers: approvers,
            refusesSelfApproval: refusesSelfApproval)
    }

    /// Whether the message is built from the state.
    public var buildsMessageFromState: Bool { stateMessage != nil }

    /// The message for a request made on `state`: the built one, else the fixed one.
    ///
    /// A built message that comes out empty counts as no message.
    func message<State>(for state: State) -> String? {
        guard let stateMessage else { return message }
        let built = stateMessage.build(state)
        return built.isEmpty ? nil : built
    }

    /// Why `approver` may not decide `approved` here, if they may not; `startedBy` is the run's starter.
    func refusal(of approver: String, approving approved: Bool, startedBy: String?) -> String? {
        if !approvers.isEmpty && !approvers.contains(approver) {
            return "'\(approver)' may not decide it (allowed: \(approvers.joined(separator: ", ")))"
        }
        if refusesSelfApproval && approved && startedBy == approver {
            return "'\(approver)' started the run and may not approve it"
        }
        return nil
    }

    /// Equal when every setting is equal and the message builder is the same one.
    public static func == (lhs: ApprovalGate, rhs: ApprovalGate) -> Bool {
        lhs.message == rhs.message && lhs.metadata == rhs.metadata && lhs.deadline == rhs.deadline
            && lhs.approvers == rhs.approvers && lhs.refusesSelfApproval == rhs.refusesSelfApproval
            && lhs.stateMessage.map(ObjectIdentifier.init) == rhs.stateMessage.map(ObjectIdentifier.init)
    }

    /// Hashes the settings and the message builder's identity.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(message)
        hasher.combine(metadata)
        hasher.combine(deadline)
        hasher.combine(approvers)
        hasher.combine(refusesSelfApproval)
        hasher.combine(stateMessage.map(ObjectIdentifier.init))
    }
}

/// A message builder with its state type erased, so the non-generic gate can hold it.
final class StateMessage: Sendable {
    let build: @Sendable (Any) -> String

    init<State>(_ message: @escaping @Sendable (State) -> String) {
        build = { value in
            // The engine builds messages for its own definition's steps, whose state type this is.
            guard let state = value as? State else {
                preconditionFailure("an approval message built for \(State.self)")
            }
            return message(state)
        }
    }
}

/// An approval gate whose message is built from the run's state when the gate
/// is reached: what a ``Step`` takes as `approval:` when the message is a closure.
///
/// ```swift
/// Step("issue_refund", approval: .required(message: { state in
///     "Refund \(state.amount) for \(state.orderID)"
/// })) { state in … }
/// ```
public struct StateApprovalGate<State: Sendable>: Sendable {
    /// The gate, with the builder erased.
    public let gate: ApprovalGate

    /// Approval is required, asked with a message built from the state, with
    /// optional metadata, deadline and approvers (see ``ApprovalGate``).
    public static func required(
        message: @escaping @Sendable (State) -> String, metadata: [String: JSONValue] = [:],
        deadline: ApprovalDeadline? = nil, approvers: [String] = [], refusesSelfApproval: Bool = false
    ) -> StateApprovalGate {
        StateApprovalGate(
            gate: ApprovalGate(
                message: nil, metadata: metadata, deadline: deadline, approvers: approvers,
                refusesSelfApproval: refusesSelfApproval, stateMessage: StateMessage(message)))
    }
}
