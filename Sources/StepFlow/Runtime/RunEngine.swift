import Foundation

/// One run of a workflow: the per-step pipeline of SPEC §2 over a shared state.
///
/// Each step goes through five stages, each a function of its own: `start`
/// (`stepStarted`), `gate` (the approval gate), `attempts`, `StepPlan.route(for:)`
/// and `record` (`stepFinished`). The stages fill one `StepResult` and say, as a
/// `StepOutcome`, where the run goes next.
///
/// The stages run inlined into the loop: every `async` call that is not inlined
/// costs a frame allocation per step.
struct RunEngine<State: Codable & Sendable> {
    let definition: WorkflowDefinition<State>
    let emitter: EventEmitter
    let scope: RunScope
    let runID: String
    let startedAt: Date
    /// The recorded run's link to its store; `nil` when the run is not recorded.
    let recorder: RunRecorder?

    /// Results of the steps recorded so far, in run order, and their step indexes (two
    /// concrete arrays: a tuple element type costs a metadata lookup per append).
    private(set) var executedResults: [StepResult] = []
    private(set) var executedIndices: [Int] = []
    private(set) var routeTrace: [RouteDecision] = []
    /// Whether the last step's record waits for the run's finish (see `recordsWithTheFinish`).
    private(set) var lastStepUnrecorded = false
    /// The run's options, kept once in the scope that step contexts share.
    private var options: RunOptions { scope.options }

    /// A fresh run, or with `executed` (results and their step indexes) and a
    /// route trace, the rest of a paused one; with `lease`, the rest of a
    /// recorded run this process has claimed.
    init(
        definition: WorkflowDefinition<State>, options: RunOptions, runID: String, startedAt: Date,
        executed: (results: [StepResult], indices: [Int]) = ([], []), routeTrace: [RouteDecision] = [],
        lease: RunLease? = nil
    ) {
        var options = options
        if let store = options.store {
            let recorder = RunRecorder(store: store, options: options, lease: lease)
            options.recorder = recorder
            self.recorder = recorder
        } else {
            self.recorder = nil
        }
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
        if emitter.isActive {
            let started = WorkflowStartedEvent(
                workflowName: definition.name, runID: runID, state: AnyState(state), startedAt: startedAt)
            let hookError: HookExecutionError?
            if let recorder, recorder.lease == nil {
                // A fresh recorded run: its row, with this first event, before anyone hears of it.
                if let error = await createRecord(state: state, started: started, recorder) {
                    return refusedByStore(state: state, error: error)
                }
                hookError = await emitter.deliver(.workflowStarted(started))
            } else {
                hookError = await emitter.emit(.workflowStarted(started))
            }
            if let hookError {
                return await finish(state: state, status: .failed, error: hookError, fillSkipped: false)
            }
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
            if let recorder {
                if scope.options.stopSignal?.isStopped == true { return await handBack(state: state, recorder) }
                if let lost = recorder.failure {
                    // The heartbeat found the run taken over: start nothing more here.
                    status = .failed
                    failure = lost
                    break steps
                }
            }
            let traceCount = routeTrace.count
            let step = await runStep(at: index, startedAt: handoff ?? Date(), state: &state, resumeDecision: decision)
            decision = nil
            handoff = emitter.isActive ? nil : step.finishedAt
            if let recorder {
                if recordsWithTheFinish(step.outcome) {
                    lastStepUnrecorded = true
                } else if let error = await recordFinished(
                    step.outcome, at: index, state: state, traceChanged: routeTrace.count != traceCount, recorder)
                {
                    status = .failed
                    failure = error
                    break steps
                }
            }
            switch step.outcome {
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

    // MARK: - The step pipeline

    /// Runs step `index` through the five stages and keeps its result.
    ///
    /// Returns where the run goes next and when the step finished.
    @inline(__always)
    mutating func runStep(
        at index: Int, startedAt: Date, state: inout State, resumeDecision: ApprovalDecision?
    ) async -> RecordedStep {
        let plan = definition.plans[index]
        var result = StepResult(
            stepName: plan.name, status: .running, startedAt: startedAt, requiresApproval: plan.approval != nil)
        let serial = scope.beginStep()
        let outcome = await execute(
            plan, at: index, startedAt: startedAt, result: &result, state: &state, serial: serial,
            resumeDecision: resumeDecision)
        let recorded = await record(&result, at: index, state: state, outcome: outcome)
        // Moved, not copied, into the run's results: a `StepResult` is large.
        executedResults.append(consume result)
        executedIndices.append(index)
        return recorded
    }

    /// The stages before the record: start, gate, attempts, route.
    ///
    /// Each one that ends the step early fills `result` and returns the outcome.
    @inline(__always)
    private mutating func execute(
        _ plan: StepPlan, at index: Int, startedAt: Date, result: inout StepResult, state: inout State,
        serial: Int, resumeDecision: ApprovalDecision?
    ) async -> StepOutcome {
        if let hookError = await start(plan, at: index, state: state, startedAt: startedAt) {
            result.fail(hookError)
            return .failed(hookError)
        }

        if let gate = plan.approval {
            switch await self.gate(plan, gate, state: state, resumeDecision: resumeDecision) {
            case .proceed(let decision):
                result.approvalDecision = decision
            case .refused(let decision, let error):
                result.approvalDecision = decision
                result.fail(error)
                return .failed(error)
            case .pause(let request):
                result.status = .paused
                return .paused(request)
            }
        }

        let attempts = await attempts(of: plan, state: &state, serial: serial)
        result.attempts = attempts.count
        switch attempts.outcome {
        case .failure(let error):
            result.fail(error)
            return .failed(error)
        case .success(let output):
            result.output = output
            result.status = .succeeded
        }

        switch plan.route(for: result.output) {
        case .unrouted:
            return .next(index + 1)
        case .refused(let error):
            result.fail(error, keepOutput: true)
            return .failed(error)
        case .taken(let decision, let destination):
            result.routeKey = decision.routeKey
            result.nextStep = decision.nextStep
            routeTrace.append(decision)
            switch destination {
            case .end: return .ended
            case .step(let next, _): return .next(next)
            }
        }
    }

    // MARK: Start

    /// Stage 1: emits `stepStarted`; returns the error of a hook that failed it.
    @inline(__always)
    func start(_ step: StepPlan, at index: Int, state: State, startedAt: Date) async -> HookExecutionError? {
        guard emitter.isActive else { return nil }
        if !emitter.hasListeners, let recorder {
            recorder.log(.stepStarted(step.name, index: index, at: startedAt))
            return nil
        }
        return await emitter.emit(
            .stepStarted(
                StepStartedEvent(
                    workflowName: definition.name, runID: runID, stepName: step.name, stepIndex: index,
                    state: AnyState(state), startedAt: startedAt)))
    }

    // MARK: Approval gate

    /// Stage 2: decides whether a gated step may run, from the resume decision
    /// or by asking the handler, and emits the approval events.
    func gate(
        _ step: StepPlan, _ gate: ApprovalGate, state: State, resumeDecision: ApprovalDecision?
    ) async -> GateOutcome {
        let decision: ApprovalDecision
        if let resumeDecision {
            decision = resumeDecision.stamped(at: Date())
            // A store checked its decisions already; a decision given to resume is checked here.
            if recorder == nil, let refused = policyRefusal(step, gate, decision) { return refused }
        } else if let recorder {
            return await recordedGate(step, gate, state: state, recorder)
        } else {
            let request = ApprovalRequest(
                workflowName: definition.name, stepName: step.name, runID: runID, state: AnyState(state),
                message: gate.message(for: state), metadata: gate.metadata,
                approvers: gate.approvers.isEmpty ? nil : gate.approvers)
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
                    if let refused = policyRefusal(step, gate, decision) { return refused }
                case .postponed where options.canPause:
                    return .pause(request)
                case .postponed:
                    return .refused(
                        nil,
                        ApprovalRequiredError(
                            "Approval for step '\(step.name)' was postponed, but a child workflow cannot pause."))
                }
            } else if options.pauseOnApproval && options.canPause {
                return .pause(request)
            } else {
                return .refused(
                    nil,
                    ApprovalRequiredError(
                        "Step '\(step.name)' requires approval but no approval handler was provided."))
            }
        }
        return await apply(decision, to: step)
    }

    /// Emits `approvalDecided` and lets the step run, or fails it when denied.
    private func apply(_ decision: ApprovalDecision, to step: StepPlan) async -> GateOutcome {
        if emitter.isActive,
            let hookError = await emitter.emit(
                .approvalDecided(
                    ApprovalDecidedEvent(
                        workflowName: definition.name, runID: runID, stepName: step.name, decision: decision)))
        {
            return .refused(decision, hookError)
        }
        guard decision.approved else {
            return .refused(decision, ApprovalRequiredError("Approval denied for step '\(step.name)'."))
        }
        return .proceed(decision)
    }

    /// The gate's approvers and self-approval rule applied to a decision made
    /// without a store (a handler's, or one given to resume): the refusal that
    /// fails the step, if the decider may not decide.
    private func policyRefusal(_ step: StepPlan, _ gate: ApprovalGate, _ decision: ApprovalDecision)
        -> GateOutcome?
    {
        guard !gate.approvers.isEmpty || gate.refusesSelfApproval else { return nil }
        let approver = decision.decidedBy ?? ProcessIdentity.userName
        let startedBy = options.startedBy ?? ProcessIdentity.userName
        guard let reason = gate.refusal(of: approver, approving: decision.approved, startedBy: startedBy) else {
            return nil
        }
        return .refused(nil, ApprovalRequiredError("Approval for step '\(step.name)' was refused: \(reason)."))
    }

    /// Stage 2 of a recorded run: the request is written to the store before
    /// any hook or handler hears of it; then the store's decision (an
    /// in-process handler's, if it wins) is applied, or the run pauses.
    private func recordedGate(_ step: StepPlan, _ gate: ApprovalGate, state: State, _ recorder: RunRecorder) async
        -> GateOutcome
    {
        guard let index = definition.index(ofStep: step.name) else {
            preconditionFailure("the engine gates only its own definition's steps")
        }
        let shown: StoredJSON
        do {
            shown = try StoredJSON(encoding: state)
        } catch {
            return .refused(nil, recorder.abandon(error))
        }
        let message = gate.message(for: state)
        let preview = definition.routePreview(forGateAt: index)
        let approvers = gate.approvers.isEmpty ? nil : gate.approvers
        let draft = ApprovalRequestDraft(
            id: RunID.make(), stepName: step.name, stepIndex: index, message: message, metadata: gate.metadata,
            state: shown, routePreview: preview, deadline: gate.deadline, allowedApprovers: gate.approvers,
            refusesSelfApproval: gate.refusesSelfApproval)
        func request(_ record: ApprovalRequestRecord?) -> ApprovalRequest {
            ApprovalRequest(
                workflowName: definition.name, stepName: step.name, runID: runID, state: AnyState(state),
                message: message, metadata: gate.metadata, requestID: draft.id, routePreview: preview,
                deadline: record?.deadline, defaultOutcome: record?.defaultOutcome, approvers: approvers)
        }
        recorder.reach("engine.beforeRequest")
        let written: ApprovalRequestRecord
        switch await recorder.requestApproval(draft, event: EventDraft(.approvalRequested(request(nil)))) {
        case .failure(let error): return .refused(nil, error)
        case .success(let record): written = record
        }
        recorder.reach("engine.afterRequest")
        let asked = request(written)
        if let hookError = await emitter.deliver(.approvalRequested(asked)) { return .refused(nil, hookError) }
        let decision: ApprovalDecision
        switch await StoreGate.decision(
            for: asked, stateHash: written.stateHash, store: recorder.store, options: options)
        {
        case .decided(let record, let metadata):
            decision = ApprovalDecision(record, metadata: metadata)
        case .pause:
            return .pause(asked)
        case .failed(let error):
            return .refused(nil, error)
        }
        recorder.reach("engine.afterDecision")
        if let error = await recorder.reclaim() { return .refused(nil, error) }
        return await apply(decision, to: step)
    }

    // MARK: Attempts

    /// Stage 3: runs the body until an attempt succeeds or the retry policy gives
    /// up, waiting the policy's delay (through the options' `sleep`) between attempts.
    @inline(__always)
    func attempts(of step: StepPlan, state: inout State, serial: Int) async -> AttemptsOutcome {
        let retry = step.retry
        let body = step.body(as: State.self)
        var attempt = 0
        while true {
            attempt += 1
            if Task.isCancelled { return AttemptsOutcome(count: attempt - 1, outcome: .failure(CancellationError())) }
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
                return AttemptsOutcome(count: attempt, outcome: .success(output))
            } catch {
                guard retry.shouldRetry(after: attempt, error: error) else {
                    return AttemptsOutcome(count: attempt, outcome: .failure(error))
                }
                if let stop = await waitBeforeRetry(step, after: attempt, error: error) {
                    return AttemptsOutcome(count: attempt, outcome: .failure(stop))
                }
            }
        }
    }

    /// Emits `retryScheduled` and waits the retry delay; returns the error of a
    /// hook that failed, or of a wait that was cancelled.
    @inline(__always)
    private func waitBeforeRetry(_ step: StepPlan, after attempt: Int, error: any Error) async -> (any Error)? {
        let retry = step.retry
        let delay = retry.delay(after: attempt, unit: retry.hasJitter ? options.randomUnit() : 0)
        if emitter.isActive,
            let hookError = await emitter.emit(
                .retryScheduled(
                    RetryScheduledEvent(
                        workflowName: definition.name, runID: runID, stepName: step.name,
                        failedAttempt: attempt, delay: delay, error: error)))
        {
            return hookError
        }
        guard delay > .zero else { return nil }
        do {
            try await options.sleep(delay)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Record

    /// Stage 5: stamps the step's finish, collects its child results and emits `stepFinished`.
    ///
    /// A hook that fails `stepFinished` fails the step. Returns the outcome (the
    /// hook's failure, if it failed) and the finish instant.
    @inline(__always)
    func record(_ result: inout StepResult, at index: Int, state: State, outcome: StepOutcome)
        async -> RecordedStep
    {
        let finishedAt = Date()
        result.finishedAt = finishedAt
        result.durationMs = wholeMilliseconds(from: result.startedAt, to: finishedAt)
        result.childWorkflows = scope.endStep()
        var hookError: HookExecutionError?
        if !emitter.hasListeners, let recorder {
            recorder.log(.stepFinished(result.stepName, index: index, result: result))
        } else if emitter.isActive {
            hookError = await emitter.emit(
                .stepFinished(
                    StepFinishedEvent(
                        workflowName: definition.name, runID: runID, stepName: result.stepName, stepIndex: index,
                        state: AnyState(state), result: result)))
            if let hookError { result.fail(hookError) }
        }
        return RecordedStep(outcome: hookError.map { .failed($0) } ?? outcome, finishedAt: finishedAt)
    }

    // MARK: - Recording

    /// Writes a recorded run's row with its first event.
    private func createRecord(state: State, started: WorkflowStartedEvent, _ recorder: RunRecorder) async
        -> (any Error)?
    {
        let initial: StoredJSON
        do {
            initial = try StoredJSON(encoding: state)
        } catch {
            return error
        }
        return await recorder.create(
            NewRun(
                id: runID, workflowName: definition.name, definitionFingerprint: definition.fingerprint,
                state: initial, owner: recorder.owner, leaseDuration: recorder.leaseDuration,
                startedBy: recorder.startedBy, events: [EventDraft(.workflowStarted(started))]))
    }

    /// Whether the step that just finished is recorded with the run's finish, in the same transaction.
    ///
    /// A failed step always is (the run may be waiting on its request then,
    /// which only the finish closes). The last step of a run that succeeds is
    /// when no hook runs in between: nothing can then happen between the step
    /// and the finish. With hooks, it is recorded on its own first, so a crash
    /// in a `workflowFinished` hook never runs it again.
    private func recordsWithTheFinish(_ outcome: StepOutcome) -> Bool {
        switch outcome {
        case .failed: true
        case .ended: !emitter.hasListeners
        case .next(let target): target >= definition.plans.count && !emitter.hasListeners
        case .paused: false
        }
    }

    /// Records the step that just finished, before the next one starts; returns
    /// the store's refusal, which ends the run here.
    private func recordFinished(
        _ outcome: StepOutcome, at index: Int, state: State, traceChanged: Bool, _ recorder: RunRecorder
    ) async -> (any Error)? {
        let next: Int
        switch outcome {
        case .next(let target): next = target
        case .ended: next = definition.plans.count
        // Recorded by the finish; the request, if the gate wrote one, stays pending for a worker.
        case .failed, .paused: return nil
        }
        guard let result = executedResults.last else { return nil }
        recorder.reach("engine.beforeRecord")
        let encoded: (state: StoredJSON, result: StoredJSON)
        do {
            encoded = (try StoredJSON(encoding: state), try StoredJSON(encoding: result))
        } catch {
            return recorder.abandon(error)
        }
        let error = await recorder.recordStep(
            nextStepIndex: next, state: encoded.state, result: encoded.result,
            routeTrace: traceChanged ? routeTrace : nil)
        if error == nil { recorder.reach("engine.afterRecord") }
        return error
    }

    /// Writes how the run ended; returns the store's refusal.
    ///
    /// A finished run is finished in the store; a paused one has its events
    /// written and is let go, its request pending.
    private func conclude(_ status: WorkflowStatus, state: State, error: (any Error)?, _ recorder: RunRecorder)
        async -> (any Error)?
    {
        if let failure = recorder.failure { return failure }
        switch status {
        case .paused:
            return await recorder.letGo()
        default:
            let final: (state: StoredJSON, lastStep: StoredJSON?)
            do {
                let lastStep = lastStepUnrecorded ? executedResults.last : nil
                final = (try StoredJSON(encoding: state), try lastStep.map { try StoredJSON(encoding: $0) })
            } catch {
                return recorder.abandon(error)
            }
            return await recorder.finish(
                status == .succeeded ? .succeeded : .failed, state: final.state, lastStep: final.lastStep,
                routeTrace: routeTrace, error: error)
        }
    }

    /// A worker's run asked to stop: hands it back to the store between steps.
    ///
    /// The result is `running`: the run goes on, elsewhere.
    private func handBack(state: State, _ recorder: RunRecorder) async -> WorkflowResult<State> {
        let error = await recorder.letGo()
        let now = Date()
        return WorkflowResult(
            workflowName: definition.name, runID: runID, state: state, status: error == nil ? .running : .failed,
            steps: executedResults, error: error, startedAt: startedAt, finishedAt: now, routeTrace: routeTrace)
    }

    /// The result of a recorded run whose row could not be written: nothing ran, nothing was emitted.
    private func refusedByStore(state: State, error: any Error) -> WorkflowResult<State> {
        let now = Date()
        return WorkflowResult(
            workflowName: definition.name, runID: runID, state: state, status: .failed, steps: [], error: error,
            startedAt: startedAt, finishedAt: now)
    }

    // MARK: - Finishing

    private func makeCheckpoint(state: State, stepIndex: Int, request: ApprovalRequest, at createdAt: Date)
        -> ApprovalPause<State>
    {
        ApprovalPause(
            workflowName: definition.name, definitionFingerprint: definition.fingerprint, runID: runID,
            stepName: definition.plans[stepIndex].name, stepIndex: stepIndex, state: state, request: request,
            steps: reportedSteps(for: .paused), routeTrace: routeTrace, workflowStartedAt: startedAt,
            createdAt: createdAt)
    }

    /// The step list SPEC §2 asks for: the steps that ran, or for routed
    /// workflows every declared step, the others skipped with the reason.
    private func reportedSteps(for status: WorkflowStatus) -> [StepResult] {
        guard definition.hasRoutes else { return executedResults }
        let reason =
            switch status {
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

    /// Builds the result and emits `workflowFinished`.
    ///
    /// Inlined into the run's two exits: each async call costs a frame allocation.
    @inline(__always)
    private func finish(
        state: State, status: WorkflowStatus, error: (any Error)? = nil,
        checkpoint: ApprovalPause<State>? = nil, fillSkipped: Bool = true, at finishedAt: Date = Date()
    ) async -> WorkflowResult<State> {
        var result = WorkflowResult(
            workflowName: definition.name, runID: runID, state: state, status: status,
            steps: fillSkipped ? reportedSteps(for: status) : executedResults, error: error,
            startedAt: startedAt, finishedAt: finishedAt, routeTrace: routeTrace, checkpoint: checkpoint)
        if emitter.isActive,
            let hookError = await emitter.emit(
                .workflowFinished(
                    WorkflowFinishedEvent(
                        workflowName: definition.name, runID: runID, state: AnyState(state), result: result.erased())))
        {
            result.status = .failed
            result.error = hookError
            result.checkpoint = nil
            if fillSkipped { result.steps = reportedSteps(for: .failed) }
        }
        if let recorder,
            let storeError = await conclude(result.status, state: state, error: result.error, recorder)
        {
            // The store has the last word: this process no longer owns the run.
            if result.status != .failed || RecordedError(storeError) != result.error.map({ RecordedError($0) }) {
                result.status = .failed
                result.error = storeError
                result.checkpoint = nil
                if fillSkipped { result.steps = reportedSteps(for: .failed) }
            }
        }
        return result
    }
}

// The stage types live outside `RunEngine` so they are not generic: a type
// nested in a generic type costs a metadata lookup wherever unspecialised code uses it.

/// How a step's pipeline ends, and where the run goes next.
enum StepOutcome {
    /// Run the step at this index next.
    case next(Int)
    /// A route led to END: the run succeeds.
    case ended
    /// The step failed with this error: the run fails.
    case failed(any Error)
    /// The step waits for this approval request: the run pauses. (Boxed, so the
    /// outcome of every other step stays a few words to copy.)
    indirect case paused(ApprovalRequest)
}

/// A recorded step's outcome and the instant it finished.
struct RecordedStep {
    let outcome: StepOutcome
    let finishedAt: Date
}

/// What a step's approval gate decided.
enum GateOutcome {
    /// Approved: the step runs, with the decision recorded.
    case proceed(ApprovalDecision)
    /// Denied, unanswerable, or a hook or handler failed: the step fails with the error.
    case refused(ApprovalDecision?, any Error)
    /// Nobody decides now: the run pauses on the request.
    case pause(ApprovalRequest)
}

/// How a step's attempts ended: how many ran, and the last one's output or error.
struct AttemptsOutcome {
    let count: Int
    let outcome: Result<JSONValue?, any Error>
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
