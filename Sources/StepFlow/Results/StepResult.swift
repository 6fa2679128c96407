import Foundation

/// What happened to one step of a run.
public struct StepResult: Sendable {
    /// The step's name.
    public var stepName: String
    /// Its final status.
    public var status: StepStatus
    /// How many attempts ran (0 when the step never ran its body).
    public var attempts: Int
    /// The output, when the step succeeded (or failed route resolution).
    public var output: JSONValue?
    /// The error, when the step failed.
    public var error: (any Error)?
    /// When the step started (`nil` for a skipped step).
    public var startedAt: Date?
    /// When the step finished (`nil` for a skipped step).
    public var finishedAt: Date?
    /// Whole milliseconds from start to finish, never negative.
    public var durationMs: Int
    /// The route key the step returned (routed steps only).
    public var routeKey: String?
    /// The step the route led to (`nil` for END or for unrouted steps).
    public var nextStep: String?
    /// Why a skipped step did not run.
    public var skippedReason: String?
    /// Whether the step has an approval gate.
    public var requiresApproval: Bool
    /// The approval decision applied to the step.
    public var approvalDecision: ApprovalDecision?
    /// Results of the child workflows the step ran, in order.
    public var childWorkflows: [WorkflowResult<AnyState>]

    /// Creates a step result.
    public init(
        stepName: String, status: StepStatus, attempts: Int = 0, output: JSONValue? = nil,
        error: (any Error)? = nil, startedAt: Date? = nil, finishedAt: Date? = nil,
        routeKey: String? = nil, nextStep: String? = nil, skippedReason: String? = nil,
        requiresApproval: Bool = false, approvalDecision: ApprovalDecision? = nil,
        childWorkflows: [WorkflowResult<AnyState>] = []
    ) {
        self.stepName = stepName
        self.status = status
        self.attempts = attempts
        self.output = output
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMs = wholeMilliseconds(from: startedAt, to: finishedAt)
        self.routeKey = routeKey
        self.nextStep = nextStep
        self.skippedReason = skippedReason
        self.requiresApproval = requiresApproval
        self.approvalDecision = approvalDecision
        self.childWorkflows = childWorkflows
    }

    /// A step that did not run, with the reason.
    static func skipped(_ name: String, requiresApproval: Bool, reason: String) -> StepResult {
        StepResult(stepName: name, status: .skipped, skippedReason: reason, requiresApproval: requiresApproval)
    }
}

/// Whole milliseconds between two instants, never negative (0 when either is missing).
func wholeMilliseconds(from start: Date?, to end: Date?) -> Int {
    guard let start, let end else { return 0 }
    return max(0, Int((end.timeIntervalSince(start) * 1000).rounded(.down)))
}

// StepFlow's own JSON coders write and read results directly, not through this
// code (JSONStream.appendStepResult, JSONDocument.stepResult): a field added here
// must be added there. StepFlowJSONTests compares them with Foundation's coders,
// which run this code, on results with every field set and unset.
extension StepResult: Codable {
    private enum CodingKeys: String, CodingKey {
        case stepName = "step_name"
        case status, attempts, output, error
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationMs = "duration_ms"
        case routeKey = "route_key"
        case nextStep = "next_step"
        case skippedReason = "skipped_reason"
        case requiresApproval = "requires_approval"
        case approvalDecision = "approval_decision"
        case childWorkflows = "child_workflows"
    }

    /// Reads a step result; its error comes back as a ``RecordedError``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stepName = try c.decode(String.self, forKey: .stepName)
        status = try c.decodeRawValue(StepStatus.self, forKey: .status)
        attempts = try c.decode(Int.self, forKey: .attempts)
        output = try c.decodeIfPresent(JSONValue.self, forKey: .output).flatMap { $0 == .null ? nil : $0 }
        error = try c.decodeIfPresent(RecordedError.self, forKey: .error)
        startedAt = try c.decodeIfPresent(Date.self, forKey: .startedAt)
        finishedAt = try c.decodeIfPresent(Date.self, forKey: .finishedAt)
        durationMs = try c.decode(Int.self, forKey: .durationMs)
        routeKey = try c.decodeIfPresent(String.self, forKey: .routeKey)
        nextStep = try c.decodeIfPresent(String.self, forKey: .nextStep)
        skippedReason = try c.decodeIfPresent(String.self, forKey: .skippedReason)
        requiresApproval = try c.decode(Bool.self, forKey: .requiresApproval)
        approvalDecision = try c.decodeIfPresent(ApprovalDecision.self, forKey: .approvalDecision)
        childWorkflows = try c.decodeIfPresent([WorkflowResult<AnyState>].self, forKey: .childWorkflows) ?? []
    }

    // Written by hand rather than with `ExplicitNull` fields because the error
    // must be recorded anyway, and wrapped fields made every step's result
    // about 80 instructions dearer to handle in the engine (callgrind, N = 1000).

    /// Writes every field, `null` where absent; the error as its type name and message.
    public func encode(to encoder: any Encoder) throws {
        // Optionals, the status and empty arrays take CodingShortcuts' ways: same JSON, less work.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stepName, forKey: .stepName)
        try c.encodeRawValue(status, forKey: .status)
        try c.encode(attempts, forKey: .attempts)
        try c.encodeOrNull(output, forKey: .output)
        try c.encodeOrNull(error.map { RecordedError($0) }, forKey: .error)
        try c.encodeOrNull(startedAt, forKey: .startedAt)
        try c.encodeOrNull(finishedAt, forKey: .finishedAt)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encodeOrNull(routeKey, forKey: .routeKey)
        try c.encodeOrNull(nextStep, forKey: .nextStep)
        try c.encodeOrNull(skippedReason, forKey: .skippedReason)
        try c.encode(requiresApproval, forKey: .requiresApproval)
        try c.encodeOrNull(approvalDecision, forKey: .approvalDecision)
        try c.encodeArray(childWorkflows, forKey: .childWorkflows)
    }
}

extension StepResult: Equatable {
    /// Field by field; errors compare by type name and message, as they are recorded.
    public static func == (lhs: StepResult, rhs: StepResult) -> Bool {
        lhs.stepName == rhs.stepName && lhs.status == rhs.status && lhs.attempts == rhs.attempts
            && lhs.output == rhs.output && lhs.error.map(RecordedError.init) == rhs.error.map(RecordedError.init)
            && lhs.startedAt == rhs.startedAt && lhs.finishedAt == rhs.finishedAt && lhs.durationMs == rhs.durationMs
            && lhs.routeKey == rhs.routeKey && lhs.nextStep == rhs.nextStep && lhs.skippedReason == rhs.skippedReason
            && lhs.requiresApproval == rhs.requiresApproval && lhs.approvalDecision == rhs.approvalDecision
            && lhs.childWorkflows == rhs.childWorkflows
    }
}
