import Foundation
import Synchronization
import Testing

@testable import StepFlow

// SPEC §7: child workflows run from a step's run context.

// MARK: - Test-local types

private struct CWParentState: Codable, Sendable, Equatable {
    var log: [String] = []
    var childCount = 0
    var childStatus = ""
}

private struct CWChildState: Codable, Sendable, Equatable {
    var count = 0
    var trail: [String] = []
}

private enum CWChildError: Error, Equatable {
    case boom
}

private struct CWParentDecidedError: Error {}

/// Holds a run context that escaped its step.
private final class CWContextBox: Sendable {
    let context = Mutex<RunContext?>(nil)
}

private func cwRecordingHandler(_ recorder: Recorder, approve: Bool = true) -> ApprovalHandler {
    ApprovalHandler { (request: ApprovalRequest) -> Bool in
        recorder.add("\(request.workflowName).\(request.stepName)")
        return approve
    }
}

/// increment → double.
private struct CWChildFlow: Workflow {
    var name: String { "CWChildFlow" }
    var steps: [Step<CWChildState>] {
        Step("increment") { state in
            state.count += 1
            state.trail.append("increment")
        }
        Step("double") { state in
            state.count *= 2
            state.trail.append("double")
            return state.count
        }
    }
}

private struct CWFailingChildFlow: Workflow {
    var name: String { "CWFailingChildFlow" }
    var steps: [Step<CWChildState>] {
        Step("warm_up") { state in state.trail.append("warm_up") }
        Step("explode") { (_: inout CWChildState) in
            throw CWChildError.boom
        }
        Step("never") { state in state.trail.append("never") }
    }
}

private struct CWGatedChildFlow: Workflow {
    var name: String { "CWGatedChildFlow" }
    var steps: [Step<CWChildState>] {
        Step("child_gate", approval: .required(message: "Child asks")) { state in
            state.trail.append("child_gate")
        }
    }
}

/// prepare → delegate (runs CWChildFlow twice) → wrap_up.
private struct CWParentFlow: Workflow {
    var name: String { "CWParentFlow" }
    var steps: [Step<CWParentState>] {
        Step("prepare") { state in state.log.append("prepare") }
        Step("delegate") { state, context in
            let first = try await context.runChild(CWChildFlow(), state: CWChildState(count: 1))
            let second = try await context.runChild(CWChildFlow(), state: CWChildState(count: 10))
            state.childCount = first.state.count + second.state.count
            state.log.append("delegate")
            return "children done"
        }
        Step("wrap_up") { state in state.log.append("wrap_up") }
    }
}

/// delegate runs a failing child with the default (fail the parent).
private struct CWParentOfFailingFlow: Workflow {
    var name: String { "CWParentOfFailingFlow" }
    var steps: [Step<CWParentState>] {
        Step("delegate") { state, context in
            try await context.runChild(CWFailingChildFlow(), state: CWChildState())
            state.log.append("delegate continued")
        }
        Step("after") { state in state.log.append("after") }
    }
}

/// delegate opts out and decides: tolerate the failure, or fail with its own error.
private struct CWTolerantParentFlow: Workflow {
    let tolerate: Bool
    var name: String { "CWTolerantParentFlow" }
    var steps: [Step<CWParentState>] {
        Step("delegate") { [tolerate] state, context in
            let child = try await context.runChild(
                CWFailingChildFlow(), state: CWChildState(), failParentOnFailure: false)
            state.childStatus = child.status.rawValue
            state.log.append("delegate saw \(child.status.rawValue)")
            if !tolerate { throw CWParentDecidedError() }
            return "child failed with \(child.error.map { errorTypeName($0) } ?? "no error")"
        }
        Step("after") { state in state.log.append("after") }
    }
}

/// delegate runs a gated child, optionally with its own handler and hooks.
private struct CWGatedParentFlow: Workflow {
    var childHandler: ApprovalHandler? = nil
    var childHooks: [WorkflowHook]? = nil
    var name: String { "CWGatedParentFlow" }
    var steps: [Step<CWParentState>] {
        Step("delegate") { [childHandler, childHooks] state, context in
            let child = try await context.runChild(
                CWGatedChildFlow(), state: CWChildState(), approvalHandler: childHandler, hooks: childHooks,
                failParentOnFailure: false)
            state.childStatus = child.status.rawValue
            state.log.append(contentsOf: child.state.trail)
        }
    }
}

/// capture keeps its context; reuse tries to run a child with it later in the run.
private struct CWEscapingFlow: Workflow {
    let box: CWContextBox
    var name: String { "CWEscapingFlow" }
    var steps: [Step<CWParentState>] {
        Step("capture") { [box] state, context in
            box.context.withLock { $0 = context }
            state.log.append("capture")
        }
        Step("reuse") { [box] state, _ in
            guard let escaped = box.context.withLock({ $0 }) else { throw CWParentDecidedError() }
            state.log.append("reuse")
            try await escaped.runChild(CWChildFlow(), state: CWChildState())
            state.log.append("unreachable")
        }
    }
}

/// Its only step keeps its context, so the escaped context is the run's last one.
private struct CWCaptureLastFlow: Workflow {
    let box: CWContextBox
    var name: String { "CWCaptureLastFlow" }
    var steps: [Step<CWParentState>] {
        Step("only") { [box] state, context in
            box.context.withLock { $0 = context }
            state.log.append("only")
        }
    }
}

// MARK: - Tests

@Suite("ChildWorkflow")
struct ChildWorkflowTests {
    @Test("a successful child is appended to the parent step's child results")
    func childSuccess() async throws {
        let result = await CWParentFlow().run(CWParentState())
        #expect(result.status == .succeeded)
        #expect(result.state.log == ["prepare", "delegate", "wrap_up"])
        #expect(result.state.childCount == 4 + 22)

        let delegate = try #require(result.step("delegate"))
        #expect(delegate.status == .succeeded)
        #expect(delegate.output == "children done")
        #expect(delegate.childWorkflows.count == 2)
        #expect(result.step("prepare")?.childWorkflows.isEmpty == true)
        #expect(result.step("wrap_up")?.childWorkflows.isEmpty == true)

        let first = delegate.childWorkflows[0]
        #expect(first.workflowName == "CWChildFlow")
        #expect(first.status == .succeeded)
        #expect(first.error == nil)
        #expect(!first.runID.isEmpty)
        #expect(first.runID != result.runID)
        #expect(first.steps.map(\.stepName) == ["increment", "double"])
        #expect(first.steps.last?.output == 4)
        #expect(try first.state.as(CWChildState.self) == CWChildState(count: 4, trail: ["increment", "double"]))
        #expect(first.state.json["count"] == 4)

        let second = delegate.childWorkflows[1]
        #expect(try second.state.as(CWChildState.self).count == 22)
        #expect(second.runID != first.runID)
    }

    @Test("a failing child fails the parent step with a child-workflow error caused by the child's error")
    func childFailure() async throws {
        let result = await CWParentOfFailingFlow().run(CWParentState())
        #expect(result.status == .failed)
        #expect(result.state.log.isEmpty, "the parent step stops at the throw and later steps do not run")
        #expect(result.steps.map(\.stepName) == ["delegate"])

        let delegate = try #require(result.step("delegate"))
        #expect(delegate.status == .failed)
        #expect(delegate.attempts == 1)
        let error = try #require(delegate.error as? ChildWorkflowExecutionError)
        #expect(error.message == "Child workflow 'CWFailingChildFlow' failed while running parent step 'delegate'.")
        #expect(error.cause as? CWChildError == .boom)
        #expect((result.error as? ChildWorkflowExecutionError)?.message == error.message)

        #expect(delegate.childWorkflows.count == 1)
        let child = try #require(delegate.childWorkflows.first)
        #expect(child.status == .failed)
        #expect(child.error as? CWChildError == .boom)
        #expect(child.steps.map(\.stepName) == ["warm_up", "explode"])
        #expect(try child.state.as(CWChildState.self).trail == ["warm_up"])

        #expect {
            try result.throwIfFailed()
        } throws: { error in
            guard let error = error as? WorkflowExecutionError else { return false }
            return error.message
                == "Workflow 'CWParentOfFailingFlow' failed at step 'delegate' after 1 attempt(s) due to ChildWorkflowExecutionError."
                && (error.cause as? ChildWorkflowExecutionError)?.cause as? CWChildError == .boom
        }
    }

    @Test("with the opt-out the parent step gets the failed child result and can carry on")
    func optOutTolerates() async throws {
        let result = await CWTolerantParentFlow(tolerate: true).run(CWParentState())
        #expect(result.status == .succeeded)
        #expect(result.state.childStatus == "failed")
        #expect(result.state.log == ["delegate saw failed", "after"])
        let delegate = try #require(result.step("delegate"))
        #expect(delegate.status == .succeeded)
        #expect(delegate.output == "child failed with CWChildError")
        #expect(delegate.childWorkflows.map(\.status) == [.failed])
        #expect(delegate.childWorkflows.first?.error as? CWChildError == .boom)
    }

    @Test("with the opt-out the parent step decides to fail with its own error")
    func optOutParentDecides() async throws {
        let result = await CWTolerantParentFlow(tolerate: false).run(CWParentState())
        #expect(result.status == .failed)
        #expect(result.state.childStatus == "failed")
        #expect(result.error is CWParentDecidedError)
        #expect(!(result.error is ChildWorkflowExecutionError))
        let delegate = try #require(result.step("delegate"))
        #expect(delegate.status == .failed)
        #expect(delegate.childWorkflows.map(\.status) == [.failed])
        #expect(result.step("after") == nil)
    }

    @Test("the child inherits the parent's approval handler")
    func inheritsHandler() async throws {
        let asked = Recorder()
        let result = await CWGatedParentFlow().run(CWParentState(), approvalHandler: cwRecordingHandler(asked))
        #expect(result.status == .succeeded)
        #expect(asked.all == ["CWGatedChildFlow.child_gate"])
        #expect(result.state.childStatus == "succeeded")
        #expect(result.state.log == ["child_gate"])
        let child = try #require(result.step("delegate")?.childWorkflows.first)
        #expect(child.steps.first?.approvalDecision?.approved == true)
    }

    @Test("a child whose gate has no handler fails; the parent's pause mode is not inherited")
    func childWithoutHandlerFails() async throws {
        let result = await CWGatedParentFlow().run(CWParentState(), pauseOnApproval: true)
        #expect(result.status == .succeeded)
        #expect(result.checkpoint == nil)
        #expect(result.state.childStatus == "failed")
        let child = try #require(result.step("delegate")?.childWorkflows.first)
        #expect(
            (child.error as? ApprovalRequiredError)?.message
                == "Step 'child_gate' requires approval but no approval handler was provided.")
    }

    @Test("an explicit handler overrides the parent's")
    func explicitHandlerOverrides() async throws {
        let parentAsked = Recorder()
        let childAsked = Recorder()
        let workflow = CWGatedParentFlow(childHandler: cwRecordingHandler(childAsked, approve: false))
        let result = await workflow.run(CWParentState(), approvalHandler: cwRecordingHandler(parentAsked))
        #expect(parentAsked.all.isEmpty)
        #expect(childAsked.all == ["CWGatedChildFlow.child_gate"])
        #expect(result.state.childStatus == "failed")
        let child = try #require(result.step("delegate")?.childWorkflows.first)
        #expect((child.error as? ApprovalRequiredError)?.message == "Approval denied for step 'child_gate'.")
    }

    @Test("the child inherits the parent's hooks, which see its events inside the parent step")
    func inheritsHooks() async throws {
        let recorder = Recorder()
        let result = await CWGatedParentFlow().run(
            CWParentState(), approvalHandler: .always(true), hooks: [lifecycleHook(recorder)])
        #expect(result.status == .succeeded)
        #expect(
            recorder.all == [
                "workflowStarted CWGatedParentFlow",
                "stepStarted CWGatedParentFlow.delegate",
                "workflowStarted CWGatedChildFlow",
                "stepStarted CWGatedChildFlow.child_gate",
                "stepFinished CWGatedChildFlow.child_gate succeeded",
                "workflowFinished CWGatedChildFlow succeeded",
                "stepFinished CWGatedParentFlow.delegate succeeded",
                "workflowFinished CWGatedParentFlow succeeded",
            ])
    }

    @Test("explicit hooks override the parent's")
    func explicitHooksOverride() async throws {
        let parentSaw = Recorder()
        let childSaw = Recorder()
        let workflow = CWGatedParentFlow(childHooks: [lifecycleHook(childSaw)])
        let result = await workflow.run(
            CWParentState(), approvalHandler: .always(true), hooks: [lifecycleHook(parentSaw)])
        #expect(result.status == .succeeded)
        #expect(
            parentSaw.all == [
                "workflowStarted CWGatedParentFlow",
                "stepStarted CWGatedParentFlow.delegate",
                "stepFinished CWGatedParentFlow.delegate succeeded",
                "workflowFinished CWGatedParentFlow succeeded",
            ])
        #expect(
            childSaw.all == [
                "workflowStarted CWGatedChildFlow",
                "stepStarted CWGatedChildFlow.child_gate",
                "stepFinished CWGatedChildFlow.child_gate succeeded",
                "workflowFinished CWGatedChildFlow succeeded",
            ])
    }

    @Test("an explicit empty hook list silences the child's lifecycle events")
    func explicitNoHooks() async throws {
        let parentSaw = Recorder()
        let workflow = CWGatedParentFlow(childHooks: [])
        _ = await workflow.run(CWParentState(), approvalHandler: .always(true), hooks: [lifecycleHook(parentSaw)])
        #expect(!parentSaw.all.contains { $0.contains("CWGatedChildFlow") })
        #expect(parentSaw.all.count == 4)
    }

    @Test("a run context with no active run cannot run a child")
    func detachedContextFails() async throws {
        let childSaw = Recorder()
        let context = RunContext(workflowName: "Detached", runID: "run-1", stepName: "lonely", attempt: 1)
        #expect(context.workflowName == "Detached")
        #expect(context.runID == "run-1")
        #expect(context.stepName == "lonely")
        #expect(context.attempt == 1)
        await #expect(throws: ChildWorkflowExecutionError.self) {
            try await context.runChild(
                CWChildFlow(), state: CWChildState(), approvalHandler: .always(true), hooks: [lifecycleHook(childSaw)])
        }
        #expect(childSaw.all.isEmpty, "the child never started")
    }

    @Test("a context kept after its run finished cannot run a child")
    func contextEscapedFromFinishedRun() async throws {
        let box = CWContextBox()
        let result = await CWEscapingFlow(box: box).run(CWParentState())
        #expect(result.steps.map(\.stepName) == ["capture", "reuse"])
        let escaped = try #require(box.context.withLock { $0 })
        #expect(escaped.runID == result.runID)
        #expect(escaped.stepName == "capture")

        let childSaw = Recorder()
        await #expect(throws: ChildWorkflowExecutionError.self) {
            try await escaped.runChild(CWChildFlow(), state: CWChildState(), hooks: [lifecycleHook(childSaw)])
        }
        #expect(childSaw.all.isEmpty)
    }

    @Test("the context of a run's last step cannot run a child once that step has finished")
    func contextOfLastStepEscaped() async throws {
        let box = CWContextBox()
        let result = await CWCaptureLastFlow(box: box).run(CWParentState())
        #expect(result.status == .succeeded)
        let escaped = try #require(box.context.withLock { $0 })
        let childSaw = Recorder()
        await #expect(throws: ChildWorkflowExecutionError.self) {
            try await escaped.runChild(CWChildFlow(), state: CWChildState(), hooks: [lifecycleHook(childSaw)])
        }
        #expect(childSaw.all.isEmpty)
        #expect(result.step("only")?.childWorkflows.isEmpty == true)
    }

    @Test("a context escaped from a finished step fails when a later step uses it")
    func contextEscapedFromFinishedStep() async throws {
        let result = await CWEscapingFlow(box: CWContextBox()).run(CWParentState())
        #expect(result.status == .failed)
        #expect(result.state.log == ["capture", "reuse"])
        let reuse = try #require(result.step("reuse"))
        #expect(reuse.status == .failed)
        #expect(reuse.error is ChildWorkflowExecutionError)
        #expect(reuse.childWorkflows.isEmpty)
        #expect(result.step("capture")?.childWorkflows.isEmpty == true)
    }
}
