import Foundation

/// The checkpoint of a paused run: everything needed to resume it, in this
/// process or another.
///
/// It is `Codable`; ``jsonData()`` and ``init(jsonData:)`` read and write the
/// versioned JSON form. Resuming checks the workflow's name and definition
/// fingerprint, so a checkpoint never resumes against a changed workflow.
public struct ApprovalPause<State: Sendable>: Sendable {
    /// The checkpoint format this build writes and reads.
    public static var currentSchemaVersion: Int { 1 }

    /// The checkpoint format version.
    public var schemaVersion: Int
    /// The workflow's name.
    public var workflowName: String
    /// The definition fingerprint at the time of the pause.
    public var definitionFingerprint: String
    /// The run's id.
    public var runID: String
    /// The paused step's name.
    public var stepName: String
    /// The paused step's index in declaration order.
    public var stepIndex: Int
    /// The state at the pause.
    public var state: State
    /// The approval request the run is waiting on.
    public var request: ApprovalRequest
    /// Step results so far (routed workflows: every step).
    public var steps: [StepResult]
    /// The route trace so far.
    public var routeTrace: [RouteDecision]
    /// When the run started.
    public var workflowStartedAt: Date
    /// When the checkpoint was made.
    public var createdAt: Date

    /// Creates a checkpoint.
    public init(
        workflowName: String, definitionFingerprint: String, runID: String, stepName: String,
        stepIndex: Int, state: State, request: ApprovalRequest, steps: [StepResult],
        routeTrace: [RouteDecision], workflowStartedAt: Date, createdAt: Date
    ) {
        self.schemaVersion = Self.currentSchemaVersion
        self.workflowName = workflowName
        self.definitionFingerprint = definitionFingerprint
        self.runID = runID
        self.stepName = stepName
        self.stepIndex = stepIndex
        self.state = state
        self.request = request
        self.steps = steps
        self.routeTrace = routeTrace
        self.workflowStartedAt = workflowStartedAt
        self.createdAt = createdAt
    }

}

extension ApprovalPause where State: Encodable {
    /// The same checkpoint with its state erased.
    public func erased() -> ApprovalPause<AnyState> {
        ApprovalPause<AnyState>(
            workflowName: workflowName, definitionFingerprint: definitionFingerprint, runID: runID,
            stepName: stepName, stepIndex: stepIndex, state: AnyState(state), request: request,
            steps: steps, routeTrace: routeTrace, workflowStartedAt: workflowStartedAt, createdAt: createdAt)
    }
}

extension ApprovalPause: Codable where State: Codable {
    private enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case workflowName = "workflow_name"
        case definitionFingerprint = "definition_fingerprint"
        case runID = "run_id"
        case stepName = "step_name"
        case stepIndex = "step_index"
        case state, request, steps
        case routeTrace = "route_trace"
        case workflowStartedAt = "workflow_started_at"
        case createdAt = "created_at"
    }

    /// The checkpoint as indented JSON with sorted keys.
    public func jsonData() throws -> Data {
        try StepFlowJSON.prettyEncoder.encode(self)
    }

    /// Reads a checkpoint written by ``jsonData()``; anything else fails with a
    /// one-sentence ``ApprovalResumeError``.
    public init(jsonData data: Data) throws(ApprovalResumeError) {
        // One parse on the happy path; the version probe only runs to explain a failure.
        let decoded: Self
        do {
            decoded = try StepFlowJSON.decoder.decode(Self.self, from: data)
        } catch {
            throw Self.explain(error, in: data)
        }
        guard decoded.schemaVersion == Self.currentSchemaVersion else {
            throw Self.unsupportedVersion(decoded.schemaVersion)
        }
        self = decoded
    }

    private static func explain(_ error: any Error, in data: Data) -> ApprovalResumeError {
        let version: Int?
        do {
            version = try StepFlowJSON.decoder.decode(SchemaProbe.self, from: data).schemaVersion
        } catch {
            return ApprovalResumeError("The checkpoint is not valid JSON (corrupt or truncated file).", cause: error)
        }
        guard let version else {
            return ApprovalResumeError("The checkpoint has no schema_version; it was not written by StepFlow.")
        }
        guard version == currentSchemaVersion else { return unsupportedVersion(version) }
        return ApprovalResumeError("The checkpoint could not be read: \(describeDecodingError(error))", cause: error)
    }

    private static func unsupportedVersion(_ version: Int) -> ApprovalResumeError {
        ApprovalResumeError(
            "The checkpoint uses schema version \(version); this build reads version \(currentSchemaVersion).")
    }

    private struct SchemaProbe: Decodable {
        let schemaVersion: Int?
        enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version" }
    }
}

/// One sentence naming where a JSON document did not match the expected shape.
package func describeDecodingError(_ error: any Error) -> String {
    guard let decoding = error as? DecodingError else { return errorMessage(error) }
    func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        return keys.isEmpty ? "the top level" : "'" + keys.joined(separator: ".") + "'"
    }
    switch decoding {
    case .keyNotFound(let key, let context):
        let parent = context.codingPath.isEmpty ? "" : " in \(path(context))"
        return "missing key '\(key.stringValue)'\(parent)."
    case .typeMismatch(let type, let context):
        return "wrong type at \(path(context)): expected \(type)."
    case .valueNotFound(let type, let context):
        return "null at \(path(context)) where \(type) is required."
    case .dataCorrupted(let context):
        return context.codingPath.isEmpty
            ? "the text is not valid JSON."
            : "invalid value at \(path(context)): \(context.debugDescription)"
    @unknown default:
        return errorMessage(error)
    }
}

extension ApprovalPause: Equatable where State: Equatable {}
