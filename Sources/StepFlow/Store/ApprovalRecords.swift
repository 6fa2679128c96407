import Foundation

/// What an approval decision says.
public enum ApprovalOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// The gated step may run.
    case approve
    /// The gated step may not run.
    case deny

    /// The past tense, for messages ("approved", "denied").
    public var pastTense: String {
        switch self {
        case .approve: "approved"
        case .deny: "denied"
        }
    }
}

/// Where an approval request stands.
public enum ApprovalStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Nobody has decided yet.
    case pending
    /// Decided: approve (by a person or by the deadline's default).
    case approved
    /// Decided: deny (by a person or by the deadline's default).
    case denied
    /// Closed without a decision: the run was cancelled, or ended without it.
    case cancelled

    /// The status a decision with `outcome` leaves.
    public init(_ outcome: ApprovalOutcome) {
        self = outcome == .approve ? .approved : .denied
    }
}

/// When a request decides itself: after `duration`, with `outcome`.
public struct ApprovalDeadline: Sendable, Hashable {
    /// How long after the request is written the deadline falls.
    public var duration: Duration
    /// The outcome recorded (as timed out) when nobody decided in time.
    public var outcome: ApprovalOutcome

    /// A deadline `duration` after the request, deciding `outcome`.
    public init(after duration: Duration, then outcome: ApprovalOutcome) {
        self.duration = duration
        self.outcome = outcome
    }
}

/// What happens next either way, as shown to the approver.
public struct RoutePreview: Sendable, Hashable, Codable {
    /// What runs if approved ("step 'refund', then 'notify'").
    public var ifApproved: String
    /// What happens if denied ("the run fails").
    public var ifDenied: String

    /// Describes both branches.
    public init(ifApproved: String, ifDenied: String) {
        self.ifApproved = ifApproved
        self.ifDenied = ifDenied
    }

    /// Both branches on one line: "approve → issue_refund → notify → END; deny → the run fails at issue_refund".
    public var summary: String {
        "approve → \(ifApproved); deny → \(ifDenied)"
    }

    private enum CodingKeys: String, CodingKey {
        case ifApproved = "if_approved"
        case ifDenied = "if_denied"
    }
}

/// An approval request to write when a recorded run reaches a gated step.
public struct ApprovalRequestDraft: Sendable {
    /// The request's id.
    public var id: String
    /// The gated step's name.
    public var stepName: String
    /// The gated step's index.
    public var stepIndex: Int
    /// The message shown to approvers.
    public var message: String?
    /// The step's approval metadata.
    public var metadata: [String: JSONValue]
    /// The state exactly as the approver will see it.
    public var state: StoredJSON
    /// What runs next either way.
    public var routePreview: RoutePreview?
    /// When the request decides itself, if ever.
    public var deadline: ApprovalDeadline?
    /// Who may decide (empty: anyone).
    public var allowedApprovers: [String]
    /// Whether the run's starter is refused as approver.
    public var refusesSelfApproval: Bool

    /// Describes a request.
    public init(
        id: String = UUID().uuidString.lowercased(), stepName: String, stepIndex: Int, message: String? = nil,
        metadata: [String: JSONValue] = [:], state: StoredJSON, routePreview: RoutePreview? = nil,
        deadline: ApprovalDeadline? = nil, allowedApprovers: [String] = [], refusesSelfApproval: Bool = false
    ) {
        self.id = id
        self.stepName = stepName
        self.stepIndex = stepIndex
        self.message = message
        self.metadata = metadata
        self.state = state
        self.routePreview = routePreview
        self.deadline = deadline
        self.allowedApprovers = allowedApprovers
        self.refusesSelfApproval = refusesSelfApproval
    }
}

/// An approval request as the store holds it: what the approver sees and who may decide.
public struct ApprovalRequestRecord: Sendable, Hashable, Codable {
    /// The request's id.
    public var id: String
    /// The run waiting on it.
    public var runID: String
    /// The run's workflow.
    public var workflowName: String
    /// The gated step's name.
    public var stepName: String
    /// The gated step's index.
    public var stepIndex: Int
    /// The message shown to approvers.
    public var message: String?
    /// The step's approval metadata.
    public var metadata: [String: JSONValue]
    /// The state as shown.
    public var state: StoredJSON
    /// The hash of ``state`` a decision must have seen (``StoredJSON/sha256``).
    public var stateHash: String
    /// What runs next either way.
    public var routePreview: RoutePreview?
    /// When the request was written.
    public var requestedAt: Date
    /// When it decides itself, if ever.
    public var deadline: Date?
    /// What it decides then.
    public var defaultOutcome: ApprovalOutcome?
    /// Who may decide (empty: anyone).
    public var allowedApprovers: [String]
    /// Whether the run's starter is refused as approver.
    public var refusesSelfApproval: Bool
    /// Who started the run.
    public var startedBy: String?
    /// Where it stands.
    public var status: ApprovalStatus

    /// Creates a record (stores build these from their rows).
    public init(
        id: String, runID: String, workflowName: String, stepName: String, stepIndex: Int, message: String?,
        metadata: [String: JSONValue], state: StoredJSON, stateHash: String, routePreview: RoutePreview?,
        requestedAt: Date, deadline: Date?, defaultOutcome: ApprovalOutcome?, allowedApprovers: [String],
        refusesSelfApproval: Bool, startedBy: String?, status: ApprovalStatus
    ) {
        self.id = id
        self.runID = runID
        self.workflowName = workflowName
        self.stepName = stepName
        self.stepIndex = stepIndex
        self.message = message
        self.metadata = metadata
        self.state = state
        self.stateHash = stateHash
        self.routePreview = routePreview
        self.requestedAt = requestedAt
        self.deadline = deadline
        self.defaultOutcome = defaultOutcome
        self.allowedApprovers = allowedApprovers
        self.refusesSelfApproval = refusesSelfApproval
        self.startedBy = startedBy
        self.status = status
    }

    /// Whether `approver` may decide `outcome` on this request; the refusal if not.
    ///
    /// Self-approval only refuses approving: a starter may still deny their own run.
    public func refusal(of approver: String, deciding outcome: ApprovalOutcome) -> DecisionResult? {
        if !allowedApprovers.isEmpty && !allowedApprovers.contains(approver) {
            return .approverNotAllowed(approver: approver, allowed: allowedApprovers)
        }
        if refusesSelfApproval && outcome == .approve && startedBy == approver {
            return .selfApprovalRefused(approver: approver)
        }
        return nil
    }

    private enum CodingKeys: String, CodingKey {
        case id = "request_id"
        case runID = "run_id"
        case workflowName = "workflow_name"
        case stepName = "step_name"
        case stepIndex = "step_index"
        case message, metadata, state
        case stateHash = "state_hash"
        case routePreview = "route_preview"
        case requestedAt = "requested_at"
        case deadline
        case defaultOutcome = "default_outcome"
        case allowedApprovers = "allowed_approvers"
        case refusesSelfApproval = "refuses_self_approval"
        case startedBy = "started_by"
        case status
    }
}
