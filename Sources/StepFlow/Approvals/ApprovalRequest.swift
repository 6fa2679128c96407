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

    /// Creates a request.
    public init(
        workflowName: String, stepName: String, runID: String, state: AnyState,
        message: String?, metadata: [String: JSONValue]
    ) {
        self.workflowName = workflowName
        self.stepName = stepName
        self.runID = runID
        self.state = state
        self.message = message
        self.metadata = metadata
    }

    private enum CodingKeys: String, CodingKey {
        case workflowName = "workflow_name"
        case stepName = "step_name"
        case runID = "run_id"
        case state, message, metadata
    }
}

extension ApprovalRequest: Equatable {}
