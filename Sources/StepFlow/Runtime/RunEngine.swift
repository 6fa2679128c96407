import Foundation

/// One run of a workflow: the per-step pipeline of SPEC §2 over a shared state.
///
/// Each step goes through five stages: start (`stepStarted`), approval gate,
/// attempts, route, record (`stepFinished`). The record stage sits in the run
/// loop itself; every `async` call costs a frame allocation per step.
struct RunEngine<State: Codable & Sendable> {
    let definition: WorkflowDefinition<State>
    let emitter: EventEmitter
    let scope: RunScope
    let runID: String
    let startedAt: Date

    /// Results of the steps that ran, in run order, and their step indexes (two
    /// concrete arrays: a tuple element type costs a metadata lookup per append).
    private var executedResults: [StepResult] = []
    private var executedIndices: [Int] = []
    private var routeTrace: [RouteDecision] = []
    /// The run's options, kept once in the scope that step contexts share.
    private var options: RunOptions { scope.options }
    /// The request of the step that just paused, until the loop turns it into a checkpoint.
    private var pendingPause: ApprovalRequest?

    /// A fresh run, or with `executed` (results and their step indexes) and a
    /// route trace, the rest of a paused one.
    init(definition: WorkflowDefinition<State>, options: RunOptions, runID: String, startedAt: Date,
         executed: (results: [StepResult], indices: [Int]) = ([], []), routeTrace: [RouteDecision] = [])
    {
        self.definition = definition
        self.emitter = options.emitter
        self.scope = RunScope(options: options)
        self.runID = runID
        self.startedAt = startedAt
        self.executedResults = executed.results
        self.executedIndices = executed.indices
        self.routeTrace = routeTrace
        self.executedResults.reserveCapacity(definition.plans.count)
        self.executedIndices.reserveCapacity(definition.plans.count)
    }

    /// Runs from step `startIndex`; `resumeDecision` answers that step's gate.
    mutating func run(_ initialState: State, from startIndex: Int = 0, resumeDecision: ApprovalDecision? = nil)
        async -> WorkflowResult<State>
    {
        var state = initialState
        if emitter.isActive, let hookError = await emitter.emit(.workflowStarted(WorkflowStartedEvent(
            workflowName: definition.name, runID: runID, state: AnyState(state), startedAt: startedAt)))
        {
            return await finish(state: state, status: .failed, error: hookError, fillSkipped: false)
        }
        var index = startIndex
        var decision = resumeDecision
        // When the previous step finished (or a fresh run started), if no hook
        // has run since: the next instant the run needs is then that same one.
        // Two clock reads that close are below `Date`'s resolution (~0.1 µs
        // today) anyway, and reading the clock was a tenth of the per-step cost.
        var handoff: Date? = startIndex == 0 && resumeDecision == nil && !emitter.isActive ? startedAt : nil
        var status = WorkflowStatus.succeeded
        var failure: (any Error)?
        var pausedOn: ApprovalRequest?
        steps: while index < definition.plans.count {
            let route = await runStep(at: index, startedAt: handoff ?? Date(), state: &state, resumeDecision: decision)
            decision = nil
            handoff = nil
            // Record (in the loop rather than a function of its own: one async call fewer per step).
            let finishedAt = Date()
            current.finishedAt = finishedAt
            current.durationMs = wholeMilliseconds(from: current.startedAt, to: finishedAt)
            current.childWorkflows = scope.endStep()
            if emitter.isActive {
                if let hookError = await emitter.emit(.stepFinished(StepFinishedEvent(
                    workflowName: definition.name, runID: runID, stepName: current.stepName, stepIndex: index,
                    state: AnyState(state), result: current)))
                {
                    current.fail(hookError)
                }
            } else {
                handoff = finishedAt
            }
            switch outcome(ofStepAt: index, route: route) {
            case .next(let next):
                index = next
            case .ended:
                break steps
            case .failed(let error):
                status = .failed
                failure = error
                break steps
            case .paused(let request):
                status = .paused
                pausedOn = request
                break steps
            }
        }
        // One instant for the result's finish and the checkpoint's creation.
        let finishedAt = handoff ?? Date()
        let checkpoint = pausedOn.map { makeCheckpoint(state: state, stepIndex: index, request: $0, at: finishedAt) }
        return await finish(state: state, status: status, error: failure, checkpoint: checkpoint, at: finishedAt)
    }

    /// The result of the step being run: the last executed one, edited in place
    /// (a `StepResult` is large; copying it in and out of functions showed in profiles).
    private var current: StepResult {
        @inline(__always) _read { yield executedResults[executedResults.count - 1] }
        @inline(__always) _modify { yield &executedResults[executedResults.count - 1] }
    }

    // MARK: - The step pipeline

    /// Starts, gates, attempts and routes step `index` into a new ``current``
    /// result; the loop records it. Returns where the step's route leads, if it
    /// took one. A step that pauses leaves its request in ``pendingPause``.
    @inline(__always)
    private mutating func runStep(
        at index: Int, startedAt: Date, state: inout State, resumeDecision: ApprovalDecision?
    ) async -> RouteDestination? {
        let plan = definition.plans[index]
        executedResults.append(StepResult(
            stepName: plan.name, status: .running, startedAt: startedAt, requiresApproval: plan.approval != nil))
        executedIndices.append(index)
        let serial = scope.beginStep()

        if emitter.isActive, let hookError = await emitter.emit(.stepStarted(StepStartedEvent(
            workflowName: definition.name, runID: runID, stepName: plan.name, stepIndex: index,
            state: AnyState(state), startedAt: startedAt)))
        {
            current.fail(hookError)
            return nil
        }

        if let gate = plan.approval {
            switch await approvalGate(plan, gate, state: state, resumeDecision: resumeDecision) {
            case .proceed(let decision):
                current.approvalDecision = decision
            case .refused(let decision, let error):
                current.approvalDecision = decision
                current.fail(error)
                return nil
            case .pause(let request):
                current.status = .paused
                pendingPause = request
                return nil
            }
        }

        let attempt = await attempts(of: plan, state: &state, serial: serial)
        current.attempts = attempt.count
        if let error = attempt.error {
            current.fail(error)
            return nil
        }
        current.output = attempt.output
        current.status = .succeeded
        return resolveRoute(of: plan)
    }

    // MARK: Approval gate

    private func approvalGate(
        _ step: StepPlan, _ gate: ApprovalGate, state: State, resumeDecision: ApprovalDecision?
    ) async -> GateOutcome {
        let decision: ApprovalDecision
        if let resumeDecision {
            decision = resumeDecision.stamped(at: Date())
        } else {
            let request = ApprovalRequest(
                workflowName: definition.name, stepName: step.name, runID: runID, state: AnyState(state),
                message: gate.message, metadata: gate.metadata)
            if emitter.isActive, let hookError = await emitter.emit(.approvalRequested(request)) {
                return .refused(nil, hookError)
            }
            if let handler = options.approvalHandler {
                let answer: ApprovalAnswer
                do {
                    answer = try await handler.answer(request)
                } catch {
                    return .refused(nil, error)
                }
                switch answer {
                case .decided(let given):
                    decision = given.stamped(at: Date())
                case .postponed where options.canPause:
                    return .pause(request)
                case .postponed:
                    return .refused(nil, ApprovalRequiredError(
                        "Approval for step '\(step.name)' was postponed, but a child workflow cannot pause."))
                }
            } else if options.pauseOnApproval && options.canPause {
                return .pause(request)
            } else {
                return .refused(nil, ApprovalRequiredError(
                    "Step '\(step.name)' requires approval but no approval handler was provided."))
            }
        }
        if emitter.isActive, let hookError = await emitter.emit(.approvalDecided(ApprovalDecidedEvent(
            workflowName: definition.name, runID: runID, stepName: step.name, decision: decision)))
        {
            return .refused(decision, hookError)
        }
        guard decision.approved else {
            return .refused(decision, ApprovalRequiredError("Approval denied for step '\(step.name)'."))
        }
        return .proceed(decision)
    }

    // MARK: Attempts

    @inline(__always)
    private func attempts(of step: StepPlan, state: inout State, serial: Int) async
        -> (count: Int, output: JSONValue?, error: (any Error)?)
    {
        let retry = step.retry
        let body = step.body(as: State.self)
        var attempt = 0
        while true {
            attempt += 1
            if Task.isCancelled { return (attempt - 1, nil, CancellationError()) }
            func context() -> RunContext {
                RunContext(
                    workflowName: definition.name, runID: runID, stepName: step.name, attempt: attempt,
                    scope: scope, stepSerial: serial)
            }
            do {
                let output: JSONValue?
                if let timeout = retry.timeout {
                    output = try await TimedAttempt.run(body, state: &state, context: context(), timeout: timeout)
                } else {
                    output = try await body.run(&state, context: context)
                }
                return (attempt, output, nil)
            } catch {
                guard retry.shouldRetry(after: attempt, error: error) else { return (attempt, nil, error) }
                let delay = retry.delay(after: attempt, unit: retry.hasJitter ? options.randomUnit() : 0)
                if emitter.isActive, let hookError = await emitter.emit(.retryScheduled(RetryScheduledEvent(
                    workflowName: definition.name, runID: runID, stepName: step.name,
                    failedAttempt: attempt, delay: delay, error: error)))
                {
                    return (attempt, nil, hookError)
                }
                if delay > .zero {
                    do {
                        try await Task.sleep(for: delay)
                    } catch {
                        return (attempt, nil, error)
                    }
                }
            }
        }
    }

    // MARK: Route

    /// Resolves the ``current`` step's output to a route (routed steps only) and
    /// returns its destination.
    private mutating func resolveRoute(of step: StepPlan) -> RouteDestination? {
        guard let table = step.routeTable else { return nil }
        guard case .string(let key)? = current.output else {
            current.fail(RouteResolutionError("Step '\(step.name)' returned a non-string route key."), keepOutput: true)
            return nil
        }
        guard let destination = table[key] else {
            current.fail(RouteResolutionError("Step '\(step.name)' returned unknown route key '\(key)'."), keepOutput: true)
            return nil
        }
        current.routeKey = key
        switch destination {
        case .end:
            routeTrace.append(RouteDecision(stepName: step.name, routeKey: key, nextStep: nil, ended: true))
        case .step(_, let name):
            current.nextStep = name
            routeTrace.append(RouteDecision(stepName: step.name, routeKey: key, nextStep: name, ended: false))
        }
        return destination
    }

    // MARK: Outcome

    /// Where the run goes after the recorded step `index`, whose route (if any) led to `route`.
    private mutating func outcome(ofStepAt index: Int, route: RouteDestination?) -> StepOutcome {
        switch current.status {
        case .failed:
            return .failed(current.error ?? StepExecutionError("Step '\(current.stepName)' failed."))
        case .paused:
            defer { pendingPause = nil }
            if let request = pendingPause { return .paused(request) }
            return .failed(StepExecutionError("Step '\(current.stepName)' paused without a request."))
        default:
            switch route {
            case nil: return .next(index + 1)
            case .end: return .ended
            case .step(let next, _): return .next(next)
            }
        }
    }

    // MARK: - Finishing

    private func makeCheckpoint(state: State, stepIndex: Int, request: ApprovalRequest, at createdAt: Date)
        -> ApprovalPause<State>
    {
        return ApprovalPause(
            workflowName: definition.name, definitionFingerprint: definition.fingerprint, runID: runID,
            stepName: definition.plans[stepIndex].name, stepIndex: stepIndex, state: state, request: request,
            steps: reportedSteps(for: .paused), routeTrace: routeTrace, workflowStartedAt: startedAt,
            createdAt: createdAt)
    }

    /// The step list SPEC §2 asks for: the steps that ran, or for routed
    /// workflows every declared step, the others skipped with the reason.
    private func reportedSteps(for status: WorkflowStatus) -> [StepResult] {
        guard definition.hasRoutes else { return executedResults }
        let reason = switch status {
        case .failed: "not reached because workflow failed"
        case .paused: "not reached because workflow paused"
        default: "not reached because workflow ended"
        }
        var byIndex = [StepResult?](repeating: nil, count: definition.plans.count)
        for (position, index) in executedIndices.enumerated() { byIndex[index] = executedResults[position] }
        return definition.plans.indices.map { index in
            let plan = definition.plans[index]
            return byIndex[index] ?? .skipped(plan.name, requiresApproval: plan.approval != nil, reason: reason)
        }
    }

    /// Builds the result and emits `workflowFinished`. Inlined into the run's
    /// two exits: each async call costs a frame allocation.
    @inline(__always)
    private func finish(
        state: State, status: WorkflowStatus, error: (any Error)? = nil,
        checkpoint: ApprovalPause<State>? = nil, fillSkipped: Bool = true, at finishedAt: Date = Date()
    ) async -> WorkflowResult<State> {
        var result = WorkflowResult(
            workflowName: definition.name, runID: runID, state: state, status: status,
            steps: fillSkipped ? reportedSteps(for: status) : executedResults, error: error,
            startedAt: startedAt, finishedAt: finishedAt, routeTrace: routeTrace, checkpoint: checkpoint)
        if emitter.isActive, let hookError = await emitter.emit(.workflowFinished(WorkflowFinishedEvent(
            workflowName: definition.name, runID: runID, state: AnyState(state), result: result.erased())))
        {
            result.status = .failed
            result.error = hookError
            result.checkpoint = nil
            if fillSkipped { result.steps = reportedSteps(for: .failed) }
        }
        return result
    }
}

/// How a step's pipeline ends, and where the run goes next.
///
/// Outside `RunEngine` so it is not generic: a type nested in a generic type
/// costs a metadata lookup wherever unspecialised code uses it.
private enum StepOutcome {
    case next(Int)
    case ended
    case failed(any Error)
    case paused(ApprovalRequest)
}

/// What a step's approval gate decided.
private enum GateOutcome {
    case proceed(ApprovalDecision)
    case refused(ApprovalDecision?, any Error)
    case pause(ApprovalRequest)
}

extension StepResult {
    /// Marks the step failed with `error`; its output is dropped unless kept
    /// (route resolution failures keep theirs).
    mutating func fail(_ error: any Error, keepOutput: Bool = false) {
        status = .failed
        self.error = error
        if !keepOutput { output = nil }
    }
}
