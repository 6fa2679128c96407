import Synchronization

/// What a step body knows about its run, and how it starts child workflows.
public struct RunContext: Sendable {
    /// The workflow's name.
    public let workflowName: String
    /// The run's id (the same for every step, kept across pause and resume).
    public let runID: String
    /// The running step's name.
    public let stepName: String
    /// The attempt number, from 1.
    public let attempt: Int

    let scope: RunScope?
    let stepSerial: Int

    /// A context with no active run (for calling step code outside a run, as in tests);
    /// running a child from it fails with ``ChildWorkflowExecutionError``.
    public init(workflowName: String, runID: String, stepName: String, attempt: Int) {
        self.init(
            workflowName: workflowName, runID: runID, stepName: stepName, attempt: attempt, scope: nil, stepSerial: 0)
    }

    init(workflowName: String, runID: String, stepName: String, attempt: Int, scope: RunScope?, stepSerial: Int) {
        self.workflowName = workflowName
        self.runID = runID
        self.stepName = stepName
        self.attempt = attempt
        self.scope = scope
        self.stepSerial = stepSerial
    }

    /// Runs another workflow to completion on its own state, as part of this step.
    ///
    /// The child's result is added to this step's ``StepResult/childWorkflows``.
    /// It inherits this run's approval handler and hooks unless others are given.
    /// If the child fails and `failParentOnFailure` is true, this throws a
    /// ``ChildWorkflowExecutionError`` (so the step fails); otherwise the failed
    /// result is returned for the step to inspect.
    @discardableResult
    public func runChild<Child: Workflow>(
        _ workflow: Child,
        state: Child.State,
        approvalHandler: ApprovalHandler? = nil,
        hooks: [WorkflowHook]? = nil,
        failParentOnFailure: Bool = true
    ) async throws -> WorkflowResult<Child.State> {
        guard let scope, scope.isActive(stepSerial) else {
            throw ChildWorkflowExecutionError(
                "Cannot run child workflow '\(workflow.name)' from step '\(stepName)': the run context has no active run."
            )
        }
        let parent = scope.options
        let emitter = parent.emitter
        var options = RunOptions(
            approvalHandler: approvalHandler ?? parent.approvalHandler,
            hooks: hooks ?? parent.hooks,
            pauseOnApproval: false)
        options.canPause = false
        options.eventStream = parent.eventStream
        options.randomUnit = parent.randomUnit
        options.sleep = parent.sleep
        let childRunID = RunID.make()
        options.runID = childRunID

        if emitter.isActive,
            let hookError = await emitter.emit(
                .childWorkflowStarted(
                    ChildWorkflowStartedEvent(
                        workflowName: workflowName, runID: runID, stepName: stepName,
                        childWorkflowName: workflow.name, childRunID: childRunID)))
        {
            throw hookError
        }
        let result = await workflow.run(state, options: options)
        let erased = result.erased()
        scope.record(child: erased, serial: stepSerial)
        if emitter.isActive,
            let hookError = await emitter.emit(
                .childWorkflowFinished(
                    ChildWorkflowFinishedEvent(
                        workflowName: workflowName, runID: runID, stepName: stepName, result: erased)))
        {
            throw hookError
        }
        if result.status == .failed && failParentOnFailure {
            throw ChildWorkflowExecutionError(
                "Child workflow '\(result.workflowName)' failed while running parent step '\(stepName)'.",
                cause: result.error)
        }
        return result
    }
}

/// The part of a run that step contexts share: its options and the running step's child results.
///
/// One per run; a serial number tells which step is live. The live serial is
/// an atomic, so a step without children costs two atomic stores and no lock;
/// the lock guards child results only.
final class RunScope: Sendable {
    let options: RunOptions
    private let liveSerial = Atomic<Int>(0)
    private let hasChildren = Atomic<Bool>(false)
    private let children = Mutex<[WorkflowResult<AnyState>]>([])
    private let lastSerial = Atomic<Int>(0)

    init(options: RunOptions) {
        self.options = options
    }

    /// Opens the next step; contexts made before now stop being active.
    func beginStep() -> Int {
        let serial = lastSerial.add(1, ordering: .relaxed).newValue
        liveSerial.store(serial, ordering: .sequentiallyConsistent)
        return serial
    }

    /// Closes the running step and hands over its child results.
    func endStep() -> [WorkflowResult<AnyState>] {
        liveSerial.store(0, ordering: .sequentiallyConsistent)
        guard hasChildren.load(ordering: .sequentiallyConsistent) else { return [] }
        return children.withLock { children in
            hasChildren.store(false, ordering: .sequentiallyConsistent)
            defer { children = [] }
            return children
        }
    }

    func isActive(_ serial: Int) -> Bool {
        serial != 0 && liveSerial.load(ordering: .sequentiallyConsistent) == serial
    }

    func record(child: WorkflowResult<AnyState>, serial: Int) {
        children.withLock { children in
            guard isActive(serial) else { return }
            children.append(child)
            hasChildren.store(true, ordering: .sequentiallyConsistent)
        }
    }
}
