import Foundation

extension WorkflowDefinition {
    /// Runs the workflow on `state` and returns its result (failures are returned, not thrown).
    public func run(_ state: State, options: RunOptions = RunOptions()) async -> WorkflowResult<State> {
        var engine = RunEngine(
            definition: self, options: options, runID: options.runID ?? RunID.make(), startedAt: Date())
        return await engine.run(state)
    }

    /// Resumes a paused result with a decision for its paused step.
    ///
    /// Only a `paused` result that carries a checkpoint can be resumed; anything
    /// else gives a `failed` result whose error is an ``ApprovalResumeError``.
    public func resume(
        _ paused: WorkflowResult<State>,
        decision: ApprovalDecision,
        options: RunOptions = RunOptions(pauseOnApproval: true)
    ) async -> WorkflowResult<State> {
        guard paused.status == .paused, let checkpoint = paused.checkpoint else {
            return resumeRefused(
                ApprovalResumeError(
                    "Only a paused workflow result with a checkpoint can be resumed; this one is '\(paused.status.rawValue)'."
                ),
                state: paused.state, runID: paused.runID, steps: paused.steps)
        }
        return await resume(from: checkpoint, decision: decision, options: options)
    }

    /// Resumes a paused run from its checkpoint: same run id, start time, earlier
    /// results and route trace; the decision is applied without asking any handler.
    ///
    /// Without a store, a checkpoint can be resumed any number of times, each
    /// resume running the rest of the run again. With a store in `options`,
    /// resuming is exactly once across processes: the paused run is imported
    /// into the store (nothing is written if it is there already), the decision
    /// is submitted through the store's guarded transaction, and only the
    /// winning resume continues the run, recorded. Any other resume of the
    /// same checkpoint gets a `failed` result whose ``ApprovalResumeError``
    /// says "Already decided by X at T" (or that the run was already resumed),
    /// and nothing runs. If a ``Worker`` claims the decided run first, the
    /// result is `running`: the run continues there.
    public func resume(
        from checkpoint: ApprovalPause<State>,
        decision: ApprovalDecision,
        options: RunOptions = RunOptions(pauseOnApproval: true)
    ) async -> WorkflowResult<State> {
        if let store = options.store {
            switch await resumeThroughStore(checkpoint, decision: decision, store: store, options: options) {
            case .continued(let result):
                return result
            case .continuedElsewhere:
                let now = Date()
                return WorkflowResult(
                    workflowName: name, runID: checkpoint.runID, state: checkpoint.state, status: .running,
                    steps: checkpoint.steps, startedAt: checkpoint.workflowStartedAt, finishedAt: now,
                    routeTrace: checkpoint.routeTrace)
            case .refused(let message, _):
                return resumeRefused(
                    ApprovalResumeError(message), state: checkpoint.state, runID: checkpoint.runID,
                    steps: checkpoint.steps)
            }
        }
        if let problem = resumeProblem(checkpoint) {
            return resumeRefused(problem, state: checkpoint.state, runID: checkpoint.runID, steps: checkpoint.steps)
        }
        // Placeholders for unvisited steps and the paused step itself are rebuilt by the run.
        var executed: (results: [StepResult], indices: [Int]) = ([], [])
        for result in checkpoint.steps where result.status != .skipped && result.status != .paused {
            guard let index = index(ofStep: result.stepName) else { continue }
            executed.results.append(result)
            executed.indices.append(index)
        }
        var engine = RunEngine(
            definition: self, options: options, runID: checkpoint.runID, startedAt: checkpoint.workflowStartedAt,
            executed: executed, routeTrace: checkpoint.routeTrace)
        return await engine.run(checkpoint.state, from: checkpoint.stepIndex, resumeDecision: decision)
    }

    /// Starts a run in its own task; the handle streams its events and can cancel it.
    public func start(_ state: State, options: RunOptions = RunOptions()) -> WorkflowRun<State> {
        WorkflowRun(workflowName: name, runID: options.runID ?? RunID.make(), options: options) { options in
            await self.run(state, options: options)
        }
    }

    /// Starts resuming a checkpoint in its own task, like ``start(_:options:)``.
    public func startResume(
        from checkpoint: ApprovalPause<State>,
        decision: ApprovalDecision,
        options: RunOptions = RunOptions(pauseOnApproval: true)
    ) -> WorkflowRun<State> {
        WorkflowRun(workflowName: name, runID: checkpoint.runID, options: options) { options in
            await self.resume(from: checkpoint, decision: decision, options: options)
        }
    }

    /// Why this checkpoint cannot be resumed by this definition, if it cannot.
    public func resumeProblem(_ checkpoint: ApprovalPause<State>) -> ApprovalResumeError? {
        if checkpoint.workflowName != name {
            return ApprovalResumeError(
                "The checkpoint belongs to workflow '\(checkpoint.workflowName)', not '\(name)'.")
        }
        if checkpoint.schemaVersion != ApprovalPause<State>.currentSchemaVersion {
            return ApprovalResumeError(
                "The checkpoint uses schema version \(checkpoint.schemaVersion); this build reads version \(ApprovalPause<State>.currentSchemaVersion)."
            )
        }
        if checkpoint.definitionFingerprint != fingerprint {
            return ApprovalResumeError(
                "Workflow '\(name)' has changed since the checkpoint was made (fingerprint \(checkpoint.definitionFingerprint), now \(fingerprint)); resume it with the definition that paused it."
            )
        }
        guard steps.indices.contains(checkpoint.stepIndex), steps[checkpoint.stepIndex].name == checkpoint.stepName,
            steps[checkpoint.stepIndex].approval != nil
        else {
            return ApprovalResumeError(
                "The checkpoint's paused step '\(checkpoint.stepName)' is not an approval step of workflow '\(name)'.")
        }
        return nil
    }

    private func resumeRefused(_ error: ApprovalResumeError, state: State, runID: String, steps: [StepResult])
        -> WorkflowResult<State>
    {
        let now = Date()
        return WorkflowResult(
            workflowName: name, runID: runID, state: state, status: .failed, steps: steps, error: error,
            startedAt: now, finishedAt: now)
    }
}
