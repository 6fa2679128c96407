import Foundation

/// What an approver is asked: which step of which run, why, and the current state.
public struct ApprovalRequest: Sendable, Codable {
    /// The workflow's name.
    public let workflowName: String
    /// The gated step's name.
    public let stepName: String
    /// The run's id.
    public let runID: String
    /// The state as it is before the step runs.
    public let state: AnyState
    /// The step's approval message, if it has one.
    @ExplicitNull public private(set) var message: String?
    /// A copy of the step's approval metadata.
    public let metadata: [String: JSONValue]
    /// The request's id in the run store, when the run is recorded in one.
    public let requestID: String?
    /// What happens next either way, when the run is recorded in a store.
    public let routePreview: RoutePreview?
    /// When the store decides the request by itself, if the gate has a deadline and the run is recorded.
    public let deadline: Date?
    /// What the store decides then.
    public let defaultOutcome: ApprovalOutcome?
    /// Who may decide, when the gate names approvers.
    public let approvers: [String]?

    /// Creates a request.
    public init(
        workflowName: String, stepName: String, runID: String, state: AnyState,
        message: String?, metadata: [String: JSONValue], requestID: String? = nil,
        routePreview: RoutePreview? = nil, deadline: Date? = nil, defaultOutcome: ApprovalOutcome? = nil,
        approvers: [String]? = nil
    ) {
        self.workflowName = workflowName
        self.stepName = stepName
        self.runID = runID
        self.state = state
        self.message = message
        self.metadata = metadata
        self.requestID = requestID
        self.routePreview = routePreview
        self.deadline = deadline
        self.defaultOutcome = defaultOutcome
        self.approvers = approvers
    }

    // The store's fields are written only when present, so a request of a run
    // without a store reads and writes exactly as before they existed.
    private enum CodingKeys: String, CodingKey {
        case workflowName = "workflow_name"
        case stepName = "step_name"
        case runID = "run_id"
        case state, message, metadata
        case requestID = "request_id"
        case routePreview = "route_preview"
        case deadline
        case defaultOutcome = "default_outcome"
        case approvers
    }
}

extension ApprovalRequest: Equatable {}
