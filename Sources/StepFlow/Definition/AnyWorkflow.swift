import Foundation

/// A workflow whose state type is erased: it reads its state from JSON, so a
/// catalog, a command-line runner or a console can run any workflow by name.
public struct AnyWorkflow: Sendable {
    /// The workflow's name.
    public let name: String
    /// The number of declared steps.
    public let stepCount: Int
    /// The definition fingerprint checkpoints are checked against.
    public let fingerprint: String
    /// The workflow's graph.
    public let graph: WorkflowGraph
    /// The state type's name, for messages.
    public let stateTypeName: String

    private let decode: @Sendable (Data) throws(StateValidationError) -> AnyState
    private let runErased: @Sendable (AnyState, RunOptions) async -> WorkflowResult<AnyState>
    private let startErased: @Sendable (AnyState, RunOptions) -> WorkflowRun<AnyState>
    private let readCheckpoint: @Sendable (Data) throws(ApprovalResumeError) -> ApprovalPause<AnyState>
    private let startResumeErased:
        @Sendable (ApprovalPause<AnyState>, ApprovalDecision, RunOptions) -> WorkflowRun<AnyState>

    /// Erases a workflow; its definition is validated once, here.
    public init<W: Workflow>(_ workflow: W) throws(WorkflowDefinitionError) {
        let definition = try workflow.definition()
        name = definition.name
        stepCount = definition.steps.count
        fingerprint = definition.fingerprint
        graph = definition.graph()
        stateTypeName = String(describing: W.State.self)
        decode = { data throws(StateValidationError) in AnyState(try StepFlow.decodeState(W.State.self, from: data)) }
        runErased = { state, options in
            await definition.run(typed(state, as: W.State.self), options: options).erased()
        }
        startErased = { state, options in
            WorkflowRun(workflowName: definition.name, runID: options.runID ?? RunID.make(), options: options) {
                options in
                await definition.run(typed(state, as: W.State.self), options: options).erased()
            }
        }
        readCheckpoint = { data throws(ApprovalResumeError) in
            let checkpoint = try ApprovalPause<W.State>(jsonData: data)
            if let problem = definition.resumeProblem(checkpoint) { throw problem }
            return checkpoint.erased()
        }
        startResumeErased = { checkpoint, decision, options in
            WorkflowRun(workflowName: definition.name, runID: checkpoint.runID, options: options) { options in
                await definition.resume(
                    from: typed(checkpoint, as: W.State.self), decision: decision, options: options
                ).erased()
            }
        }
    }

    /// Reads a state for this workflow from JSON; the error names the missing or
    /// mistyped key.
    public func decodeState(json data: Data) throws(StateValidationError) -> AnyState {
        try decode(data)
    }

    /// Runs the workflow on a state read by ``decodeState(json:)``.
    public func run(_ state: AnyState, options: RunOptions = RunOptions()) async -> WorkflowResult<AnyState> {
        await runErased(state, options)
    }

    /// Starts the workflow in its own task, with an event stream.
    public func start(_ state: AnyState, options: RunOptions = RunOptions()) -> WorkflowRun<AnyState> {
        startErased(state, options)
    }

    /// Reads a checkpoint file's bytes and checks that this workflow can resume it.
    public func checkpoint(json data: Data) throws(ApprovalResumeError) -> ApprovalPause<AnyState> {
        try readCheckpoint(data)
    }

    /// Resumes a checkpoint read by ``checkpoint(json:)`` in its own task.
    public func startResume(
        from checkpoint: ApprovalPause<AnyState>, decision: ApprovalDecision,
        options: RunOptions = RunOptions(pauseOnApproval: true)
    ) -> WorkflowRun<AnyState> {
        startResumeErased(checkpoint, decision, options)
    }

    /// Resumes a checkpoint read by ``checkpoint(json:)`` and waits for the result.
    public func resume(
        from checkpoint: ApprovalPause<AnyState>, decision: ApprovalDecision,
        options: RunOptions = RunOptions(pauseOnApproval: true)
    ) async -> WorkflowResult<AnyState> {
        await startResume(from: checkpoint, decision: decision, options: options).result
    }
}

/// Decodes a workflow state from JSON with a message that says what to fix.
func decodeState<State: Decodable>(_ type: State.Type, from data: Data) throws(StateValidationError) -> State {
    do {
        return try StepFlowJSON.decoder.decode(State.self, from: data)
    } catch {
        throw StateValidationError(
            "The state for \(String(describing: State.self)) is not valid: \(describeDecodingError(error))",
            cause: error)
    }
}

/// The typed state inside an erased one.
///
/// States given to an ``AnyWorkflow`` come from its own decoder, so the decode
/// fallback only runs for hand-made values.
private func typed<State: Codable & Sendable>(_ state: AnyState, as type: State.Type) -> State {
    if let state = state.base as? State { return state }
    // An AnyState made by hand around another type: decode it through JSON.
    guard let decoded = try? state.as(State.self) else {
        preconditionFailure("AnyWorkflow was given a state that is not a \(State.self)")
    }
    return decoded
}

private func typed<State: Codable & Sendable>(_ checkpoint: ApprovalPause<AnyState>, as type: State.Type)
    -> ApprovalPause<State>
{
    var typedCheckpoint = ApprovalPause<State>(
        workflowName: checkpoint.workflowName, definitionFingerprint: checkpoint.definitionFingerprint,
        runID: checkpoint.runID, stepName: checkpoint.stepName, stepIndex: checkpoint.stepIndex,
        state: typed(checkpoint.state, as: State.self), request: checkpoint.request, steps: checkpoint.steps,
        routeTrace: checkpoint.routeTrace, workflowStartedAt: checkpoint.workflowStartedAt,
        createdAt: checkpoint.createdAt)
    typedCheckpoint.schemaVersion = checkpoint.schemaVersion
    return typedCheckpoint
}
