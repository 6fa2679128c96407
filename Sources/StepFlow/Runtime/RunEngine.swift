import Foundation

/// One run of a workflow: the per-step pipeline of SPEC §2 over a shared state.
///
/// Each step goes through five stages, each its own function: start
/// (`stepStarted`), approval gate, attempts, route, record (`stepFinished`).
struct RunEngine<State: Codable & Sendable> {
    let definition: WorkflowDefinition<State>
    let options: RunOptions
    let emitter: EventEmitter
    let scope: RunScope
    let runId: String
    let startedAt: Date

    /// Results of the steps that ran, in run order, and their step indexes (two
    /// concrete arrays: a tuple element type costs a metadata lookup per append).
    private var executedResults: [StepResult] = []
    private var executedIndices: [Int] = []
    private var routeTrace: [RouteDecision] = []

    init(definition: WorkflowDefinition<State>, options: RunOptions, runId: String, startedAt: Date,
         executed: [(index: Int, result: StepResult)] = [], routeTrace: [RouteDecision] = [])
    {
        self.definition = definition
        self.options = options
        self.emitter = options.emitter
        self.scope = RunScope(options: options)
        self.runId = runId
        self.startedAt = startedAt
        self.executedResults = executed.map(\.result)
        self.executedIndices = executed.map(\.index)
        self.routeTrace = routeTrace
        self.executedResults.reserveCapacity(definition.steps.count)
        self.executedIndices.reserveCapacity(definition.steps.count)
    }

    /// How a step's pipeline ends, and where the run goes next.
    private enum StepOutcome {
        case next(Int)
        case ended
        case failed(any Error)
        case paused(ApprovalRequest)
    }

    /// Runs from step `startIndex`; `resumeDecision` answers that step's gate.
    mutating func run(_ initialState: State, from startIndex: Int = 0, resumeDecision: ApprovalDecision? = nil)
        async -> WorkflowResult<State>
    {
        var state = initialState
        if emitter.isActive, let hookError = await emitter.emit(.workflowStarted(WorkflowStartedEvent(
            workflowName: definition.name, runId: runId, state: AnyState(state), startedAt: startedAt)))
        {
            return await finish(state: state, status: .failed, error: hookError, fillSkipped: false)
        }
        var index = startIndex
        var decision = resumeDecision
        while index < definition.steps.count {
            let outcome = await runStep(at: index, state: &state, resumeDecision: decision)
            decision = nil
            switch outcome {
            case .next(let next):
                index = next
            case .ended:
                return await finish(state: state, status: .succeeded)
            case .failed(let error):
                return await finish(state: state, status: .failed, error: error)
            case .paused(let request):
                let checkpoint = makeCheckpoint(state: state, stepIndex: index, request: request)
                return await finish(state: state, status: .paused, checkpoint: checkpoint)
            }
        }
        return await finish(state: state, status: .succeeded)
    }

    // MARK: - The step pipeline

    private mutating func runStep(at index: Int, state: inout State, resumeDecision: ApprovalDecision?) async
        -> StepOutcome
    {
        let step = definition.steps[index]
        var result = StepResult(
            stepName: step.name, status: .running, startedAt: Date(), requiresApproval: step.approval != nil)
        let serial = scope.beginStep()

        if emitter.isActive, let hookError = await emitter.emit(.stepStarted(StepStartedEvent(
            workflowName: definition.name, runId: runId, stepName: step.name, stepIndex: index,
            state: AnyState(state), startedAt: result.startedAt!)))
        {
            result.fail(hookError)
            return await record(&result, at: index, state: state)
        }

        if let gate = step.approval {
            switch await approvalGate(step, gate, state: state, resumeDecision: resumeDecision) {
            case .proceed(let decision):
                result.approvalDecision = decision
            case .refused(let decision, let error):
                result.approvalDecision = decision
                result.fail(error)
                return await record(&result, at: index, state: state)
            case .pause(let request):
                result.status = .paused
                return await record(&result, at: index, state: state, pausedOn: request)
            }
        }

        let attempt = await attempts(of: step, at: index, state: &state, serial: serial)
        result.attempts = attempt.count
        if let error = attempt.error {
            result.fail(error)
            return await record(&result, at: index, state: state)
        }
        result.output = attempt.output
        result.status = .succeeded
        resolveRoute(of: step, at: index, into: &result)
        return await record(&result, at: index, state: state)
    }

    // MARK: Approval gate

    private enum GateOutcome {
        case proceed(ApprovalDecision)
        case refused(ApprovalDecision?, any Error)
        case pause(ApprovalRequest)
    }

    private func approvalGate(
        _ step: Step<State>, _ gate: ApprovalGate, state: State, resumeDecision: ApprovalDecision?
    ) async -> GateOutcome {
        let decision: ApprovalDecision
        if let resumeDecision {
            decision = resumeDecision.stamped(at: Date())
        } else {
            let request = ApprovalRequest(
                workflowName: definition.name, stepName: step.name, runId: runId, state: AnyState(state),
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
            workflowName: definition.name, runId: runId, stepName: step.name, decision: decision)))
        {
            return .refused(decision, hookError)
        }
        guard decision.approved else {
            return .refused(decision, ApprovalRequiredError("Approval denied for step '\(step.name)'."))
        }
        return .proceed(decision)
    }

    // MARK: Attempts

    private func attempts(of step: Step<State>, at index: Int, state: inout State, serial: Int) async
        -> (count: Int, output: JSONValue?, error: (any Error)?)
    {
        let retry = definition.retries[index]
        var attempt = 0
        while true {
            attempt += 1
            if Task.isCancelled { return (attempt - 1, nil, CancellationError()) }
            let context = RunContext(
                workflowName: definition.name, runId: runId, stepName: step.name, attempt: attempt,
                scope: scope, stepSerial: serial)
            do {
                let output: JSONValue?
                if let timeout = retry.timeout {
                    output = try await TimedAttempt.run(step.body, state: &state, context: context, timeout: timeout)
                } else {
                    output = try await step.body(&state, context)
                }
                return (attempt, output, nil)
            } catch {
                guard retry.shouldRetry(after: attempt, error: error) else { return (attempt, nil, error) }
                let delay = retry.delay(after: attempt, unit: retry.hasJitter ? options.randomUnit() : 0)
                if emitter.isActive, let hookError = await emitter.emit(.retryScheduled(RetryScheduledEvent(
                    workflowName: definition.name, runId: runId, stepName: step.name,
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

    private mutating func resolveRoute(of step: Step<State>, at index: Int, into result: inout StepResult) {
        guard let table = definition.routeTables[index] else { return }
        guard case .string(let key)? = result.output else {
            result.fail(RouteResolutionError("Step '\(step.name)' returned a non-string route key."), keepOutput: true)
            return
        }
        guard let destination = table[key] else {
            result.fail(RouteResolutionError("Step '\(step.name)' returned unknown route key '\(key)'."), keepOutput: true)
            return
        }
        result.routeKey = key
        switch destination {
        case .end:
            routeTrace.append(RouteDecision(stepName: step.name, routeKey: key, nextStep: nil, ended: true))
        case .step(_, let name):
            result.nextStep = name
            routeTrace.append(RouteDecision(stepName: step.name, routeKey: key, nextStep: name, ended: false))
        }
    }

    // MARK: Record

    private mutating func record(
        _ result: inout StepResult, at index: Int, state: State, pausedOn request: ApprovalRequest? = nil
    ) async -> StepOutcome {
        result.finishedAt = Date()
        result.durationMs = wholeMilliseconds(from: result.startedAt, to: result.finishedAt)
        result.childWorkflows = scope.endStep()
        if emitter.isActive, let hookError = await emitter.emit(.stepFinished(StepFinishedEvent(
            workflowName: definition.name, runId: runId, stepName: result.stepName, stepIndex: index,
            state: AnyState(state), result: result)))
        {
            result.fail(hookError)
        }
        executedResults.append(result)
        executedIndices.append(index)
        return outcome(of: result, at: index, pausedOn: request)
    }

    /// Where the run goes after a recorded step.
    private func outcome(of result: StepResult, at index: Int, pausedOn request: ApprovalRequest?) -> StepOutcome {
        switch result.status {
        case .failed:
            return .failed(result.error ?? StepExecutionError("Step '\(result.stepName)' failed."))
        case .paused:
            if let request { return .paused(request) }
            return .failed(StepExecutionError("Step '\(result.stepName)' paused without a request."))
        default:
            if result.routeKey != nil && result.nextStep == nil { return .ended }
            if let next = result.nextStep, let nextIndex = definition.index(ofStep: next) { return .next(nextIndex) }
            return .next(index + 1)
        }
    }

    // MARK: - Finishing

    private func makeCheckpoint(state: State, stepIndex: Int, request: ApprovalRequest) -> ApprovalPause<State> {
        let step = definition.steps[stepIndex]
        return ApprovalPause(
            workflowName: definition.name, definitionFingerprint: definition.fingerprint, runId: runId,
            stepName: step.name, stepIndex: stepIndex, state: state, request: request,
            steps: reportedSteps(for: .paused), routeTrace: routeTrace, workflowStartedAt: startedAt,
            createdAt: Date())
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
        var byIndex = [StepResult?](repeating: nil, count: definition.steps.count)
        for (position, index) in executedIndices.enumerated() { byIndex[index] = executedResults[position] }
        return definition.steps.indices.map { index in
            byIndex[index] ?? .skipped(
                definition.steps[index].name, requiresApproval: definition.steps[index].approval != nil,
                reason: reason)
        }
    }

    private func finish(
        state: State, status: WorkflowStatus, error: (any Error)? = nil,
        checkpoint: ApprovalPause<State>? = nil, fillSkipped: Bool = true
    ) async -> WorkflowResult<State> {
        var result = WorkflowResult(
            workflowName: definition.name, runId: runId, state: state, status: status,
            steps: fillSkipped ? reportedSteps(for: status) : executedResults, error: error,
            startedAt: startedAt, finishedAt: Date(), routeTrace: routeTrace, checkpoint: checkpoint)
        if emitter.isActive, let hookError = await emitter.emit(.workflowFinished(WorkflowFinishedEvent(
            workflowName: definition.name, runId: runId, state: AnyState(state), result: result.erased())))
        {
            result.status = .failed
            result.error = hookError
            result.checkpoint = nil
            if fillSkipped { result.steps = reportedSteps(for: .failed) }
        }
        return result
    }
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
