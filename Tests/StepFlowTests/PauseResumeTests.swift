import Foundation
import Synchronization
import Testing

@testable import StepFlow

// SPEC §4 "Pause and resume" and its Beyond part (Codable checkpoints,
// definition fingerprints, who decided and when).

// MARK: - Test-local types

private struct PRState: Codable, Sendable, Equatable {
    var log: [String] = []
    var amount = 42
}

private struct PRChildState: Codable, Sendable, Equatable {
    var visits: [String] = []
}

/// prepare → approve_payout (gated, message + metadata) → notify.
private struct PRLinearFlow: Workflow {
    var name: String { "PRLinearFlow" }
    var steps: [Step<PRState>] {
        Step("prepare") { state in
            state.log.append("prepare")
            return "prepared"
        }
        Step(
            "approve_payout",
            approval: .required(message: "Pay out the refund?", metadata: ["amount": 42, "currency": "EUR"])
        ) { state in
            state.log.append("approve_payout")
            return "paid"
        }
        Step("notify") { state in
            state.log.append("notify")
        }
    }
}

/// Same state type as PRLinearFlow, another workflow.
private struct PRStrangerFlow: Workflow {
    let recorder: Recorder
    var name: String { "PRStrangerFlow" }
    var steps: [Step<PRState>] {
        Step("prepare") { [recorder] state in
            recorder.add("stranger.prepare")
            state.log.append("stranger.prepare")
        }
        Step("approve_payout", approval: .required) { [recorder] state in
            recorder.add("stranger.approve_payout")
            state.log.append("stranger.approve_payout")
        }
    }
}

/// evaluate routes to manager_review (skipping auto_approve) or to auto_approve.
private struct PRRoutedFlow: Workflow {
    var name: String { "PRRoutedFlow" }
    var steps: [Step<PRState>] {
        Step("evaluate", routes: ["review": "manager_review", "auto": "auto_approve"]) { state in
            state.log.append("evaluate")
            return state.amount > 100 ? "review" : "auto"
        }
        Step("auto_approve", routes: ["done": .end]) { state in
            state.log.append("auto_approve")
            return "done"
        }
        Step("manager_review", approval: .required(message: "Large refund")) { state in
            state.log.append("manager_review")
        }
        Step("notify") { state in
            state.log.append("notify")
        }
    }
}

/// Two approval gates with an ordinary step between them.
private struct PRTwoGatesFlow: Workflow {
    var name: String { "PRTwoGatesFlow" }
    var steps: [Step<PRState>] {
        Step("first_gate", approval: .required(message: "First?")) { state in
            state.log.append("first_gate")
        }
        Step("middle") { state in
            state.log.append("middle")
        }
        Step("second_gate", approval: .required(message: "Second?")) { state in
            state.log.append("second_gate")
        }
        Step("last") { state in
            state.log.append("last")
        }
    }
}

private struct PRChildFlow: Workflow {
    var name: String { "PRChildFlow" }
    var steps: [Step<PRChildState>] {
        Step("child_one") { state in state.visits.append("child_one") }
        Step("child_two") { state in state.visits.append("child_two") }
    }
}

/// A gate, then a step that runs a child workflow.
private struct PRParentFlow: Workflow {
    var name: String { "PRParentFlow" }
    var steps: [Step<PRState>] {
        Step("gate", approval: .required) { state in
            state.log.append("gate")
        }
        Step("delegate") { state, context in
            let child = try await context.runChild(PRChildFlow(), state: PRChildState())
            state.log.append(contentsOf: child.state.visits)
        }
    }
}

/// One workflow name, several definitions: the base and changed ones.
private enum PRVariant: String, CaseIterable, Sendable {
    case base
    case extraStep
    case renamedStep
    case reordered
    case changedRoute
    case gateRemoved
    case gateAdded
}

private struct PRVersionedFlow: Workflow {
    let variant: PRVariant
    var name: String { "PRVersionedFlow" }
    var steps: [Step<PRState>] {
        if variant == .changedRoute {
            Step("collect", routes: ["go": "approve", "halt": .end]) { state in
                state.log.append("collect")
                return "go"
            }
        } else {
            Step("collect", routes: ["go": "approve", "stop": .end]) { state in
                state.log.append("collect")
                return "go"
            }
        }
        if variant == .reordered {
            Step("audit_first") { state in state.log.append("audit_first") }
        }
        if variant == .gateRemoved {
            Step("approve") { state in state.log.append("approve") }
        } else {
            Step("approve", approval: .required(message: "Ship it?")) { state in
                state.log.append("approve")
                state.amount += 1
            }
        }
        if variant == .renamedStep {
            Step("deliver") { state in state.log.append("deliver") }
        } else if variant == .gateAdded {
            Step("ship", approval: .required) { state in state.log.append("ship") }
        } else {
            Step("ship") { state in state.log.append("ship") }
        }
        if variant == .extraStep {
            Step("audit") { state in state.log.append("audit") }
        }
    }
}

/// A handler that records who it was asked about and approves.
private func prRecordingHandler(_ recorder: Recorder) -> ApprovalHandler {
    ApprovalHandler { (request: ApprovalRequest) -> Bool in
        recorder.add(request.stepName)
        return true
    }
}

// MARK: - Tests

@Suite("PauseResume")
struct PauseResumeTests {
    // MARK: Pausing

    @Test("in pause mode with no handler the gated step pauses and the run carries a full checkpoint")
    func pauseCarriesCheckpoint() async throws {
        let events = Recorder()
        let finishedCheckpoints = Mutex<[Bool]>([])
        let checkpointHook = WorkflowHook { event in
            if case .workflowFinished(let finished) = event {
                finishedCheckpoints.withLock { $0.append(finished.result.checkpoint != nil) }
            }
        }
        let before = Date()
        let result = await PRLinearFlow().run(
            PRState(), hooks: [lifecycleHook(events), checkpointHook], pauseOnApproval: true)
        let after = Date()

        #expect(result.status == .paused)
        #expect(result.error == nil)
        #expect(result.state.log == ["prepare"], "the gated step's body must not run")
        #expect(result.steps.map(\.stepName) == ["prepare", "approve_payout"])
        #expect(result.step("prepare")?.status == .succeeded)

        let gated = try #require(result.step("approve_payout"))
        #expect(gated.status == .paused)
        #expect(gated.attempts == 0)
        #expect(gated.requiresApproval)
        #expect(gated.approvalDecision == nil)
        #expect(gated.output == nil)
        #expect(gated.error == nil)

        let checkpoint = try #require(result.checkpoint)
        #expect(checkpoint.workflowName == "PRLinearFlow")
        #expect(!checkpoint.runID.isEmpty)
        #expect(checkpoint.runID == result.runID)
        #expect(checkpoint.stepName == "approve_payout")
        #expect(checkpoint.stepIndex == 1)
        #expect(checkpoint.state == result.state)
        #expect(checkpoint.request.workflowName == "PRLinearFlow")
        #expect(checkpoint.request.stepName == "approve_payout")
        #expect(checkpoint.request.runID == result.runID)
        #expect(checkpoint.request.message == "Pay out the refund?")
        #expect(checkpoint.request.metadata == ["amount": 42, "currency": "EUR"])
        #expect(try checkpoint.request.state.as(PRState.self) == PRState(log: ["prepare"]))
        #expect(checkpoint.steps.map(\.stepName) == ["prepare", "approve_payout"])
        #expect(checkpoint.steps.map(\.status) == [.succeeded, .paused])
        #expect(checkpoint.routeTrace.isEmpty)
        #expect(checkpoint.workflowStartedAt == result.startedAt)
        #expect(checkpoint.workflowStartedAt >= before)
        #expect(checkpoint.createdAt >= checkpoint.workflowStartedAt)
        #expect(checkpoint.createdAt <= after)
        #expect(checkpoint.schemaVersion == ApprovalPause<PRState>.currentSchemaVersion)
        #expect(checkpoint.definitionFingerprint == (try PRLinearFlow().definition().fingerprint))

        #expect(
            events.all == [
                "workflowStarted PRLinearFlow",
                "stepStarted PRLinearFlow.prepare",
                "stepFinished PRLinearFlow.prepare succeeded",
                "stepStarted PRLinearFlow.approve_payout",
                "stepFinished PRLinearFlow.approve_payout paused",
                "workflowFinished PRLinearFlow paused",
            ])
        #expect(finishedCheckpoints.withLock { $0 } == [true], "workflowFinished carries the paused result")
    }

    @Test("with or without hooks, the checkpoint is made after the paused step and no later than the run's finish")
    func checkpointTimeOrder() async throws {
        for hooks in [[], [WorkflowHook { _ in }]] {
            let result = await PRLinearFlow().run(PRState(), hooks: hooks, pauseOnApproval: true)
            let checkpoint = try #require(result.checkpoint)
            let pausedStepFinish = try #require(result.step("approve_payout")?.finishedAt)
            #expect(pausedStepFinish <= checkpoint.createdAt)
            #expect(checkpoint.createdAt <= result.finishedAt)
        }
    }

    @Test("without pause mode and without a handler the gated step fails instead of pausing")
    func noPauseModeFails() async throws {
        let result = await PRLinearFlow().run(PRState())
        #expect(result.status == .failed)
        #expect(result.checkpoint == nil)
        let gated = try #require(result.step("approve_payout"))
        #expect(gated.status == .failed)
        #expect(gated.attempts == 0)
        let error = try #require(gated.error as? ApprovalRequiredError)
        #expect(error.message == "Step 'approve_payout' requires approval but no approval handler was provided.")
    }

    @Test("in pause mode a handler still decides; nothing pauses")
    func pauseModeWithHandlerAsksHandler() async throws {
        let calls = Recorder()
        let result = await PRLinearFlow().run(
            PRState(), approvalHandler: prRecordingHandler(calls), pauseOnApproval: true)
        #expect(result.status == .succeeded)
        #expect(result.checkpoint == nil)
        #expect(calls.all == ["approve_payout"])
        #expect(result.state.log == ["prepare", "approve_payout", "notify"])
    }

    @Test("a routed workflow's pause lists every step, the unvisited ones skipped because it paused")
    func routedPauseListsEveryStep() async throws {
        let result = await PRRoutedFlow().run(PRState(amount: 500), pauseOnApproval: true)
        #expect(result.status == .paused)
        #expect(result.steps.map(\.stepName) == ["evaluate", "auto_approve", "manager_review", "notify"])
        #expect(result.steps.map(\.status) == [.succeeded, .skipped, .paused, .skipped])
        for name in ["auto_approve", "notify"] {
            let skipped = try #require(result.step(name))
            #expect(skipped.skippedReason == "not reached because workflow paused")
            #expect(skipped.attempts == 0)
        }
        #expect(result.step("manager_review")?.attempts == 0)
        #expect(result.step("manager_review")?.skippedReason == nil)
        let expectedTrace = [
            RouteDecision(stepName: "evaluate", routeKey: "review", nextStep: "manager_review", ended: false)
        ]
        #expect(result.routeTrace == expectedTrace)

        let checkpoint = try #require(result.checkpoint)
        #expect(checkpoint.stepName == "manager_review")
        #expect(checkpoint.stepIndex == 2)
        #expect(checkpoint.steps.map(\.stepName) == ["evaluate", "auto_approve", "manager_review", "notify"])
        #expect(checkpoint.steps.map(\.status) == [.succeeded, .skipped, .paused, .skipped])
        #expect(checkpoint.steps[1].skippedReason == "not reached because workflow paused")
        #expect(checkpoint.steps[3].skippedReason == "not reached because workflow paused")
        #expect(checkpoint.routeTrace == expectedTrace)
        #expect(checkpoint.request.message == "Large refund")
    }

    // MARK: Resuming

    @Test("approving a resume continues the same run without calling any handler for the paused step")
    func resumeApproved() async throws {
        let workflow = PRTwoGatesFlow()
        let paused = await workflow.run(PRState(), pauseOnApproval: true)
        try #require(paused.status == .paused)
        #expect(paused.checkpoint?.stepName == "first_gate")

        let calls = Recorder()
        let resumed = await workflow.resume(
            paused, decision: .approve(reason: "looks right", by: "alice"),
            options: RunOptions(approvalHandler: prRecordingHandler(calls), pauseOnApproval: true))

        #expect(resumed.status == .succeeded)
        #expect(resumed.error == nil)
        #expect(resumed.checkpoint == nil)
        #expect(resumed.runID == paused.runID)
        #expect(resumed.startedAt == paused.startedAt)
        #expect(resumed.finishedAt >= paused.finishedAt)
        #expect(resumed.state.log == ["first_gate", "middle", "second_gate", "last"])
        #expect(resumed.steps.map(\.stepName) == ["first_gate", "middle", "second_gate", "last"])
        #expect(resumed.steps.map(\.status) == [.succeeded, .succeeded, .succeeded, .succeeded])

        // The resumed step's decision came from resume(), not from the handler;
        // the later gate was decided by the handler.
        #expect(calls.all == ["second_gate"])
        let first = try #require(resumed.step("first_gate"))
        #expect(first.attempts == 1)
        #expect(first.approvalDecision?.approved == true)
        #expect(first.approvalDecision?.reason == "looks right")
        #expect(first.approvalDecision?.decidedBy == "alice")
        #expect(resumed.step("second_gate")?.approvalDecision?.approved == true)
        #expect(resumed.step("second_gate")?.approvalDecision?.decidedBy == nil)
    }

    @Test("a resume keeps earlier step results and runs the paused step")
    func resumeKeepsEarlierResults() async throws {
        let workflow = PRLinearFlow()
        let paused = await workflow.run(PRState(), pauseOnApproval: true)
        let earlier = try #require(paused.step("prepare"))

        let calls = Recorder()
        let resumed = await workflow.resume(
            paused, decision: .approve(),
            options: RunOptions(approvalHandler: prRecordingHandler(calls), pauseOnApproval: true))

        #expect(resumed.status == .succeeded)
        #expect(calls.all.isEmpty, "no handler may be asked about the resumed step")
        #expect(resumed.steps.map(\.stepName) == ["prepare", "approve_payout", "notify"])
        let kept = try #require(resumed.step("prepare"))
        #expect(kept.status == .succeeded)
        #expect(kept.output == earlier.output)
        #expect(kept.startedAt == earlier.startedAt)
        #expect(kept.finishedAt == earlier.finishedAt)
        #expect(kept.attempts == earlier.attempts)
        // prepare must not run again.
        #expect(resumed.state.log == ["prepare", "approve_payout", "notify"])
        let gated = try #require(resumed.step("approve_payout"))
        #expect(gated.status == .succeeded)
        #expect(gated.attempts == 1)
        #expect(gated.output == "paid")
        #expect(gated.approvalDecision?.approved == true)
    }

    @Test("a routed workflow resumes with its route trace and lists every step at the end")
    func resumeRouted() async throws {
        let workflow = PRRoutedFlow()
        let paused = await workflow.run(PRState(amount: 500), pauseOnApproval: true)
        try #require(paused.status == .paused)
        let resumed = await workflow.resume(paused, decision: .approve())
        #expect(resumed.status == .succeeded)
        #expect(resumed.runID == paused.runID)
        #expect(resumed.state.log == ["evaluate", "manager_review", "notify"])
        #expect(resumed.steps.map(\.stepName) == ["evaluate", "auto_approve", "manager_review", "notify"])
        #expect(resumed.steps.map(\.status) == [.succeeded, .skipped, .succeeded, .succeeded])
        #expect(resumed.step("auto_approve")?.skippedReason == "not reached because workflow ended")
        #expect(resumed.step("evaluate")?.routeKey == "review")
        #expect(resumed.step("evaluate")?.nextStep == "manager_review")
        #expect(
            resumed.routeTrace == [
                RouteDecision(stepName: "evaluate", routeKey: "review", nextStep: "manager_review", ended: false)
            ])
    }

    @Test("denying a resume fails the paused step with attempts 0 and an approval-required error")
    func resumeDenied() async throws {
        let workflow = PRLinearFlow()
        let paused = await workflow.run(PRState(), pauseOnApproval: true)
        let calls = Recorder()
        let resumed = await workflow.resume(
            paused, decision: .deny(reason: "too much", by: "bob"),
            options: RunOptions(approvalHandler: prRecordingHandler(calls), pauseOnApproval: true))

        #expect(resumed.status == .failed)
        #expect(resumed.checkpoint == nil)
        #expect(resumed.runID == paused.runID)
        #expect(calls.all.isEmpty)
        #expect(resumed.state.log == ["prepare"], "neither the denied step nor later ones run")
        #expect(resumed.steps.map(\.stepName) == ["prepare", "approve_payout"])
        let gated = try #require(resumed.step("approve_payout"))
        #expect(gated.status == .failed)
        #expect(gated.attempts == 0)
        #expect(gated.output == nil)
        #expect(gated.approvalDecision?.approved == false)
        #expect(gated.approvalDecision?.reason == "too much")
        #expect(gated.approvalDecision?.decidedBy == "bob")
        let stepError = try #require(gated.error as? ApprovalRequiredError)
        #expect(stepError.message == "Approval denied for step 'approve_payout'.")
        let runError = try #require(resumed.error as? ApprovalRequiredError)
        #expect(runError.message == stepError.message)

        #expect {
            try resumed.throwIfFailed()
        } throws: { error in
            (error as? WorkflowExecutionError)?.message
                == "Workflow 'PRLinearFlow' failed at step 'approve_payout' after 0 attempt(s) due to ApprovalRequiredError."
        }
    }

    @Test("a checkpoint of one workflow is refused by another")
    func wrongWorkflowRefused() async throws {
        let paused = await PRLinearFlow().run(PRState(), pauseOnApproval: true)
        let checkpoint = try #require(paused.checkpoint)
        let recorder = Recorder()
        let stranger = PRStrangerFlow(recorder: recorder)

        for refused in [
            await stranger.resume(paused, decision: .approve()),
            await stranger.resume(from: checkpoint, decision: .approve()),
        ] {
            #expect(refused.status == .failed)
            #expect(refused.checkpoint == nil)
            let error = try #require(refused.error as? ApprovalResumeError)
            #expect(error.message.contains("PRLinearFlow"))
            #expect(refused.state == paused.state)
            #expect {
                try refused.throwIfFailed()
            } throws: { error in
                guard let error = error as? WorkflowExecutionError else { return false }
                return error.message
                    == "Workflow 'PRStrangerFlow' failed outside step execution due to ApprovalResumeError."
                    && error.cause is ApprovalResumeError
            }
        }
        #expect(recorder.all.isEmpty, "no step of the other workflow runs")
    }

    @Test("a succeeded result cannot be resumed")
    func succeededResultRefused() async throws {
        let workflow = PRLinearFlow()
        let done = await workflow.run(PRState(), approvalHandler: .always(true))
        try #require(done.status == .succeeded)
        let refused = await workflow.resume(done, decision: .approve())
        #expect(refused.status == .failed)
        #expect(refused.error is ApprovalResumeError)
        #expect(refused.state.log == ["prepare", "approve_payout", "notify"], "nothing ran again")
        #expect {
            try refused.throwIfFailed()
        } throws: { error in
            (error as? WorkflowExecutionError)?.message
                == "Workflow 'PRLinearFlow' failed outside step execution due to ApprovalResumeError."
        }
    }

    @Test("a paused status without a checkpoint cannot be resumed")
    func pausedWithoutCheckpointRefused() async throws {
        let workflow = PRLinearFlow()
        var paused = await workflow.run(PRState(), pauseOnApproval: true)
        paused.checkpoint = nil
        let refused = await workflow.resume(paused, decision: .approve())
        #expect(refused.status == .failed)
        #expect(refused.error is ApprovalResumeError)
        #expect(refused.state.log == ["prepare"])
        #expect {
            try refused.throwIfFailed()
        } throws: { error in
            (error as? WorkflowExecutionError)?.message
                == "Workflow 'PRLinearFlow' failed outside step execution due to ApprovalResumeError."
        }
    }

    @Test("a failed result cannot be resumed, and the refusal is not blamed on a step")
    func failedResultRefused() async throws {
        let workflow = PRLinearFlow()
        let denied = await workflow.run(PRState(), approvalHandler: .always(false))
        try #require(denied.status == .failed)
        let refused = await workflow.resume(denied, decision: .approve())
        #expect(refused.status == .failed)
        let error = try #require(refused.error as? ApprovalResumeError)
        #expect(error.message.contains("failed"))
        #expect(refused.state.log == ["prepare"])
        // SPEC §2/§4: the refusal happens outside step execution, so the thrown
        // error must not say that a step failed with ApprovalResumeError.
        #expect {
            try refused.throwIfFailed()
        } throws: { error in
            (error as? WorkflowExecutionError)?.message
                == "Workflow 'PRLinearFlow' failed outside step execution due to ApprovalResumeError."
        }
    }

    @Test("pause mode stays on after a resume, so a later gate pauses again")
    func pausesAgainAtLaterGate() async throws {
        let workflow = PRTwoGatesFlow()
        let first = await workflow.run(PRState(), pauseOnApproval: true)
        try #require(first.checkpoint?.stepName == "first_gate")

        let second = await workflow.resume(first, decision: .approve(by: "alice"))
        #expect(second.status == .paused)
        #expect(second.runID == first.runID)
        #expect(second.startedAt == first.startedAt)
        #expect(second.state.log == ["first_gate", "middle"])
        #expect(second.steps.map(\.stepName) == ["first_gate", "middle", "second_gate"])
        #expect(second.steps.map(\.status) == [.succeeded, .succeeded, .paused])
        let checkpoint = try #require(second.checkpoint)
        #expect(checkpoint.stepName == "second_gate")
        #expect(checkpoint.stepIndex == 2)
        #expect(checkpoint.runID == first.runID)
        #expect(checkpoint.workflowStartedAt == first.startedAt)
        #expect(checkpoint.request.message == "Second?")
        #expect(checkpoint.steps.first?.approvalDecision?.decidedBy == "alice")

        let third = await workflow.resume(second, decision: .approve(by: "carol"))
        #expect(third.status == .succeeded)
        #expect(third.runID == first.runID)
        #expect(third.startedAt == first.startedAt)
        #expect(third.state.log == ["first_gate", "middle", "second_gate", "last"])
        #expect(third.steps.map(\.stepName) == ["first_gate", "middle", "second_gate", "last"])
        #expect(third.step("first_gate")?.approvalDecision?.decidedBy == "alice")
        #expect(third.step("second_gate")?.approvalDecision?.decidedBy == "carol")
    }

    @Test("a resume with pause mode turned off fails a later gate that has no handler")
    func resumeWithoutPauseMode() async throws {
        let workflow = PRTwoGatesFlow()
        let first = await workflow.run(PRState(), pauseOnApproval: true)
        let resumed = await workflow.resume(first, decision: .approve(), options: RunOptions())
        #expect(resumed.status == .failed)
        #expect(resumed.checkpoint == nil)
        let gate = try #require(resumed.step("second_gate"))
        #expect(gate.status == .failed)
        #expect(
            (gate.error as? ApprovalRequiredError)?.message
                == "Step 'second_gate' requires approval but no approval handler was provided.")
    }

    @Test("hooks see the reference lifecycle on both sides of the pause")
    func hooksAcrossPause() async throws {
        let events = Recorder()
        let runIDs = Mutex<Set<String>>([])
        let startTimes = Mutex<[Date]>([])
        let identity = WorkflowHook { event in
            runIDs.withLock { _ = $0.insert(event.runID) }
            if case .workflowStarted(let started) = event {
                startTimes.withLock { $0.append(started.startedAt) }
            }
        }
        let hooks = [lifecycleHook(events), identity]
        let workflow = PRLinearFlow()
        let paused = await workflow.run(PRState(), hooks: hooks, pauseOnApproval: true)
        #expect(
            events.all == [
                "workflowStarted PRLinearFlow",
                "stepStarted PRLinearFlow.prepare",
                "stepFinished PRLinearFlow.prepare succeeded",
                "stepStarted PRLinearFlow.approve_payout",
                "stepFinished PRLinearFlow.approve_payout paused",
                "workflowFinished PRLinearFlow paused",
            ])
        events.items.withLock { $0.removeAll() }

        let resumed = await workflow.resume(
            paused, decision: .approve(), options: RunOptions(hooks: hooks, pauseOnApproval: true))
        #expect(resumed.status == .succeeded)
        #expect(
            events.all == [
                "workflowStarted PRLinearFlow",
                "stepStarted PRLinearFlow.approve_payout",
                "stepFinished PRLinearFlow.approve_payout succeeded",
                "stepStarted PRLinearFlow.notify",
                "stepFinished PRLinearFlow.notify succeeded",
                "workflowFinished PRLinearFlow succeeded",
            ])
        #expect(runIDs.withLock { $0 } == [paused.runID])
        #expect(startTimes.withLock { $0 } == [paused.startedAt, paused.startedAt])
    }

    @Test("a resume applies the decision through approvalDecided, not approvalRequested")
    func resumeEmitsDecisionNotRequest() async throws {
        let kinds = Recorder()
        let hook = WorkflowHook { event in
            switch event {
            case .approvalRequested(let request): kinds.add("requested \(request.stepName)")
            case .approvalDecided(let decided): kinds.add("decided \(decided.stepName) \(decided.decision.approved)")
            default: break
            }
        }
        let workflow = PRLinearFlow()
        let paused = await workflow.run(PRState(), hooks: [hook], pauseOnApproval: true)
        #expect(kinds.all == ["requested approve_payout"])
        kinds.items.withLock { $0.removeAll() }
        _ = await workflow.resume(
            paused, decision: .approve(), options: RunOptions(hooks: [hook], pauseOnApproval: true))
        #expect(kinds.all == ["decided approve_payout true"])
    }

    @Test("a step after the resumed one can run child workflows")
    func childrenAfterResume() async throws {
        let events = Recorder()
        let workflow = PRParentFlow()
        let paused = await workflow.run(PRState(), pauseOnApproval: true)
        try #require(paused.status == .paused)

        let resumed = await workflow.resume(
            paused, decision: .approve(), options: RunOptions(hooks: [lifecycleHook(events)], pauseOnApproval: true))
        #expect(resumed.status == .succeeded)
        #expect(resumed.state.log == ["gate", "child_one", "child_two"])
        let delegate = try #require(resumed.step("delegate"))
        #expect(delegate.status == .succeeded)
        #expect(delegate.childWorkflows.count == 1)
        let child = try #require(delegate.childWorkflows.first)
        #expect(child.workflowName == "PRChildFlow")
        #expect(child.status == .succeeded)
        #expect(child.runID != resumed.runID)
        #expect(try child.state.as(PRChildState.self) == PRChildState(visits: ["child_one", "child_two"]))
        #expect(
            events.all == [
                "workflowStarted PRParentFlow",
                "stepStarted PRParentFlow.gate",
                "stepFinished PRParentFlow.gate succeeded",
                "stepStarted PRParentFlow.delegate",
                "workflowStarted PRChildFlow",
                "stepStarted PRChildFlow.child_one",
                "stepFinished PRChildFlow.child_one succeeded",
                "stepStarted PRChildFlow.child_two",
                "stepFinished PRChildFlow.child_two succeeded",
                "workflowFinished PRChildFlow succeeded",
                "stepFinished PRParentFlow.delegate succeeded",
                "workflowFinished PRParentFlow succeeded",
            ])
    }

    // MARK: Persistence

    @Test("a checkpoint written as JSON resumes in a fresh workflow instance like the original")
    func jsonRoundTrip() async throws {
        let original = PRVersionedFlow(variant: .base)
        let paused = await original.run(PRState(amount: 7), pauseOnApproval: true)
        let checkpoint = try #require(paused.checkpoint)
        #expect(checkpoint.stepName == "approve")

        // Through a file, as a second process would read it.
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("stepflow-pause-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try checkpoint.jsonData().write(to: url)
        let decoded = try ApprovalPause<PRState>(jsonData: try Data(contentsOf: url))

        #expect(decoded.schemaVersion == checkpoint.schemaVersion)
        #expect(decoded.workflowName == checkpoint.workflowName)
        #expect(decoded.definitionFingerprint == checkpoint.definitionFingerprint)
        #expect(decoded.runID == checkpoint.runID)
        #expect(decoded.stepName == checkpoint.stepName)
        #expect(decoded.stepIndex == checkpoint.stepIndex)
        #expect(decoded.state == checkpoint.state)
        #expect(decoded.request.message == "Ship it?")
        #expect(decoded.request.stepName == "approve")
        #expect(try decoded.request.state.as(PRState.self) == checkpoint.state)
        #expect(decoded.steps.map(\.stepName) == checkpoint.steps.map(\.stepName))
        #expect(decoded.steps.map(\.status) == checkpoint.steps.map(\.status))
        #expect(decoded.steps.map(\.skippedReason) == checkpoint.steps.map(\.skippedReason))
        #expect(decoded.routeTrace == checkpoint.routeTrace)
        #expect(abs(decoded.workflowStartedAt.timeIntervalSince(checkpoint.workflowStartedAt)) < 0.001)
        #expect(abs(decoded.createdAt.timeIntervalSince(checkpoint.createdAt)) < 0.001)

        let decision = ApprovalDecision(approved: true, reason: "ok", decidedBy: "dana", decidedAt: Date())
        let fromOriginal = await original.resume(from: checkpoint, decision: decision)
        let fromFile = await PRVersionedFlow(variant: .base).resume(from: decoded, decision: decision)

        #expect(fromFile.status == .succeeded)
        #expect(fromFile.status == fromOriginal.status)
        #expect(fromFile.state == fromOriginal.state)
        #expect(fromFile.state == PRState(log: ["collect", "approve", "ship"], amount: 8))
        #expect(fromFile.runID == paused.runID)
        #expect(fromFile.steps.map(\.stepName) == fromOriginal.steps.map(\.stepName))
        #expect(fromFile.steps.map(\.status) == fromOriginal.steps.map(\.status))
        #expect(fromFile.routeTrace == fromOriginal.routeTrace)
        #expect(fromFile.step("approve")?.approvalDecision == decision)
        #expect(abs(fromFile.startedAt.timeIntervalSince(paused.startedAt)) < 0.001)
    }

    @Test("a checkpoint paused twice keeps the first decision through JSON")
    func secondCheckpointKeepsDecision() async throws {
        let workflow = PRTwoGatesFlow()
        let first = await workflow.run(PRState(), pauseOnApproval: true)
        let second = await workflow.resume(
            first,
            decision: ApprovalDecision(approved: true, reason: "fine", metadata: ["ticket": "T-1"], decidedBy: "erin"))
        let checkpoint = try #require(second.checkpoint)
        let decoded = try ApprovalPause<PRState>(jsonData: try checkpoint.jsonData())
        let kept = try #require(decoded.steps.first?.approvalDecision)
        #expect(kept.approved)
        #expect(kept.reason == "fine")
        #expect(kept.metadata == ["ticket": "T-1"])
        #expect(kept.decidedBy == "erin")
        #expect(kept.decidedAt != nil)

        let finished = await PRTwoGatesFlow().resume(from: decoded, decision: .approve())
        #expect(finished.status == .succeeded)
        #expect(finished.state.log == ["first_gate", "middle", "second_gate", "last"])
        #expect(finished.step("first_gate")?.approvalDecision?.decidedBy == "erin")
    }

    @Test(
        "a changed definition with the same name refuses the checkpoint",
        arguments: PRVariant.allCases.filter { $0 != .base })
    fileprivate func changedDefinitionRefused(variant: PRVariant) async throws {
        let paused = await PRVersionedFlow(variant: .base).run(PRState(), pauseOnApproval: true)
        let checkpoint = try #require(paused.checkpoint)
        let decoded = try ApprovalPause<PRState>(jsonData: try checkpoint.jsonData())
        let changed = PRVersionedFlow(variant: variant)
        #expect(try changed.definition().fingerprint != PRVersionedFlow(variant: .base).definition().fingerprint)

        for refused in [
            await changed.resume(from: checkpoint, decision: .approve()),
            await changed.resume(from: decoded, decision: .approve()),
            await changed.resume(paused, decision: .approve()),
        ] {
            #expect(refused.status == .failed)
            let error = try #require(refused.error as? ApprovalResumeError)
            #expect(error.message.contains("changed"), "message: \(error.message)")
            #expect(refused.state.log == ["collect"], "no step runs against a changed definition")
        }
    }

    @Test("the same definition rebuilt has the same fingerprint")
    func fingerprintIsStable() throws {
        let a = try PRVersionedFlow(variant: .base).definition().fingerprint
        let b = try PRVersionedFlow(variant: .base).definition().fingerprint
        #expect(a == b)
        #expect(!a.isEmpty)
    }

    @Test("a checkpoint with another schema version is refused on resume")
    func schemaVersionRefusedOnResume() async throws {
        let workflow = PRLinearFlow()
        let paused = await workflow.run(PRState(), pauseOnApproval: true)
        var checkpoint = try #require(paused.checkpoint)
        checkpoint.schemaVersion = 99
        let refused = await workflow.resume(from: checkpoint, decision: .approve())
        #expect(refused.status == .failed)
        #expect(refused.error is ApprovalResumeError)
        #expect(refused.state.log == ["prepare"])
    }

    @Test("corrupt, truncated or foreign JSON is refused with an approval-resume error")
    func badJSONRefused() async throws {
        let paused = await PRLinearFlow().run(PRState(), pauseOnApproval: true)
        let good = try #require(paused.checkpoint).jsonData()
        _ = try ApprovalPause<PRState>(jsonData: good)

        func edited(_ change: (inout [String: Any]) -> Void) throws -> Data {
            var object = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
            change(&object)
            return try JSONSerialization.data(withJSONObject: object)
        }

        let cases: [(String, Data, String?)] = [
            ("not JSON", Data("this is not json".utf8), nil),
            ("empty", Data(), nil),
            ("truncated", good.prefix(good.count / 2), nil),
            ("wrong schema version", try edited { $0["schema_version"] = 2 }, "2"),
            ("no schema version", try edited { $0.removeValue(forKey: "schema_version") }, "schema_version"),
            ("missing state", try edited { $0.removeValue(forKey: "state") }, "state"),
            ("state of another shape", try edited { $0["state"] = ["log": 5] }, nil),
            ("a JSON array", Data("[1, 2, 3]".utf8), nil),
        ]
        for (label, data, mention) in cases {
            do {
                _ = try ApprovalPause<PRState>(jsonData: data)
                Issue.record("\(label): the checkpoint was accepted")
            } catch {
                #expect(!error.message.isEmpty, "\(label)")
                if let mention {
                    #expect(error.message.contains(mention), "\(label): \(error.message)")
                }
            }
        }
    }

    // MARK: Decisions

    @Test("a resume decision keeps who decided and when, exactly as given")
    func decisionKeptAsGiven() async throws {
        let workflow = PRLinearFlow()
        let paused = await workflow.run(PRState(), pauseOnApproval: true)
        let when = Date(timeIntervalSince1970: 1_700_000_000)
        let decision = ApprovalDecision(
            approved: true, reason: "within budget", metadata: ["ticket": "OPS-9"], decidedBy: "frank", decidedAt: when)
        let resumed = await workflow.resume(paused, decision: decision)
        let recorded = try #require(resumed.step("approve_payout")?.approvalDecision)
        #expect(recorded == decision)
        #expect(recorded.decidedAt == when)
        #expect(recorded.decidedBy == "frank")
    }

    @Test("a resume decision without a time is stamped by the engine")
    func decisionStamped() async throws {
        let workflow = PRLinearFlow()
        let paused = await workflow.run(PRState(), pauseOnApproval: true)
        let before = Date()
        let resumed = await workflow.resume(paused, decision: .deny(reason: "no", by: "gina"))
        let after = Date()
        let recorded = try #require(resumed.step("approve_payout")?.approvalDecision)
        #expect(recorded.approved == false)
        #expect(recorded.decidedBy == "gina")
        let stamped = try #require(recorded.decidedAt)
        #expect(stamped >= before)
        #expect(stamped <= after)
    }

    @Test("a handler's plain-bool answer is recorded with a stamped time and no approver")
    func handlerDecisionStamped() async throws {
        let before = Date()
        let result = await PRLinearFlow().run(PRState(), approvalHandler: .always(true))
        let after = Date()
        let recorded = try #require(result.step("approve_payout")?.approvalDecision)
        #expect(recorded.approved)
        #expect(recorded.reason == nil)
        #expect(recorded.metadata.isEmpty)
        #expect(recorded.decidedBy == nil)
        let stamped = try #require(recorded.decidedAt)
        #expect(stamped >= before && stamped <= after)
    }
}
