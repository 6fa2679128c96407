/// A workflow: a name, retry defaults, and ordered steps over a shared state.
///
/// ```swift
/// struct RefundWorkflow: Workflow {
///     var steps: [Step<RefundState>] {
///         Step("check_order") { state in
///             state.orderFound = true
///             return "Order \(state.orderID) located."
///         }
///         // ...
///     }
/// }
///
/// let result = await RefundWorkflow().run(RefundState(orderID: "ord_123", amount: 42.50))
/// ```
public protocol Workflow: Sendable {
    /// The state the steps share and mutate.
    associatedtype State: Codable & Sendable

    /// The workflow's name (default: the type's name).
    var name: String { get }
    /// Retry defaults that steps inherit field by field (default: no retries).
    var retry: RetryPolicy { get }
    /// The steps, in the order they run.
    @StepsBuilder<State> var steps: [Step<State>] { get }
}

extension Workflow {
    /// The type's name.
    public var name: String { String(describing: Self.self) }
    /// No retries.
    public var retry: RetryPolicy { RetryPolicy() }

    /// Validates the workflow and prepares it to run (indexes, fingerprint, retry settings).
    ///
    /// Prepare once and keep the definition to run a workflow many times
    /// without validating it again.
    public func definition() throws(WorkflowDefinitionError) -> WorkflowDefinition<State> {
        try WorkflowDefinition(name: name, defaults: retry, steps: steps)
    }

    /// Runs the workflow on `state` and returns its result (failures are returned, not thrown).
    public func run(_ state: State, options: RunOptions = RunOptions()) async -> WorkflowResult<State> {
        do {
            return try await definition().run(state, options: options)
        } catch {
            return .invalidDefinition(name: name, state: state, error: error)
        }
    }

    /// Runs the workflow with an approval handler, hooks and pause mode.
    public func run(
        _ state: State,
        approvalHandler: ApprovalHandler? = nil,
        hooks: [WorkflowHook] = [],
        pauseOnApproval: Bool = false
    ) async -> WorkflowResult<State> {
        await run(
            state,
            options: RunOptions(
                approvalHandler: approvalHandler, hooks: hooks, pauseOnApproval: pauseOnApproval))
    }

    /// Resumes a paused run with a decision for the paused step.
    ///
    /// Pause mode stays on by default, so a later approval step can pause again.
    public func resume(
        _ paused: WorkflowResult<State>,
        decision: ApprovalDecision,
        options: RunOptions = RunOptions(pauseOnApproval: true)
    ) async -> WorkflowResult<State> {
        do {
            return try await definition().resume(paused, decision: decision, options: options)
        } catch {
            return .invalidDefinition(name: name, state: paused.state, error: error)
        }
    }

    /// Resumes a paused run from its checkpoint (for example one read from a file).
    public func resume(
        from checkpoint: ApprovalPause<State>,
        decision: ApprovalDecision,
        options: RunOptions = RunOptions(pauseOnApproval: true)
    ) async -> WorkflowResult<State> {
        do {
            return try await definition().resume(from: checkpoint, decision: decision, options: options)
        } catch {
            return .invalidDefinition(name: name, state: checkpoint.state, error: error)
        }
    }

    /// Starts the workflow in a task and returns a handle with its event stream.
    public func start(_ state: State, options: RunOptions = RunOptions()) throws(WorkflowDefinitionError)
        -> WorkflowRun<State>
    {
        try definition().start(state, options: options)
    }

    /// The workflow's graph, read from the definition alone (no step runs).
    public func graph() throws(WorkflowDefinitionError) -> WorkflowGraph {
        try definition().graph()
    }
}

/// The workflow's graph, read from the definition alone: the reference's `export_workflow_graph`, kept for ports.
@available(*, deprecated, message: "Call graph() on the workflow.")
public func exportWorkflowGraph<W: Workflow>(_ workflow: W) throws(WorkflowDefinitionError) -> WorkflowGraph {
    try workflow.graph()
}
