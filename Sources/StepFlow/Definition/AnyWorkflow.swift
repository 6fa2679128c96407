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
    private let continueErased: @Sendable (ClaimedRun, RunOptions) async -> WorkflowResult<AnyState>
    private let resumeThroughStoreErased:
        @Sendable (ApprovalPause<AnyState>, ApprovalDecision, any RunStore, RunOptions) async
            -> StoreResumeOutcome<AnyState>
    private let previewErased: @Sendable (Int) -> RoutePreview

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
        continueErased = { claimed, options in
            let continuation: Continuation<W.State>
            do {
                continuation = try definition.continuation(of: claimed)
            } catch {
                // Nothing of this build can ever continue it: end it, saying why, rather than claim it forever.
                _ = try? await options.store?.finishRun(
                    RunCompletion(status: .failed, state: claimed.run.state, error: errorMessage(error)),
                    lease: claimed.lease)
                let now = Date()
                return WorkflowResult(
                    workflowName: definition.name, runID: claimed.run.id, state: AnyState(claimed.run.state.value),
                    status: .failed, steps: [], error: error, startedAt: claimed.run.createdAt, finishedAt: now,
                    routeTrace: claimed.run.routeTrace)
            }
            return await definition.run(continuation, options: options).erased()
        }
        resumeThroughStoreErased = { checkpoint, decision, store, options in
            switch await definition.resumeThroughStore(
                typed(checkpoint, as: W.State.self), decision: decision, store: store, options: options)
            {
            case .continued(let result): .continued(result.erased())
            case .continuedElsewhere(let run): .continuedElsewhere(run)
            case .refused(let message, let winner): .refused(message, winner)
            }
        }
        previewErased = { definition.routePreview(forGateAt: $0) }
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

extension AnyWorkflow {
    /// Continues a run claimed from a store (see ``Worker``); `options` carry the store.
    func continueRun(_ claimed: ClaimedRun, options: RunOptions) async -> WorkflowResult<AnyState> {
        await continueErased(claimed, options)
    }

    /// Resumes a checkpoint through a store, exactly once (see ``Worker/resume(_:decision:)``).
    func resumeThroughStore(
        _ checkpoint: ApprovalPause<AnyState>, decision: ApprovalDecision, store: any RunStore, options: RunOptions
    ) async -> StoreResumeOutcome<AnyState> {
        await resumeThroughStoreErased(checkpoint, decision, store, options)
    }

    /// What happens after the gate at step `index` either way (see ``WorkflowDefinition/routePreview(forGateAt:)``).
    public func routePreview(forGateAt index: Int) -> RoutePreview {
        previewErased(index)
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
