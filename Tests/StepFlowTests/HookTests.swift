import Foundation
import Synchronization
import Testing

@testable import StepFlow

// SPEC §6: lifecycle hooks, their order, and what a throwing hook does.

// MARK: - Test-local types

private struct HKState: Codable, Sendable, Equatable {
    var log: [String] = []
}

private struct HKChildState: Codable, Sendable, Equatable {
    var log: [String] = []
}

private struct HKBoom: Error, Equatable {
    let point: String
}

private struct HKFlaky: Error {}

/// One line per event.
///
/// The four reference events come first; StepFlow's extras are described too
/// so tests can prove they happened.
private func hkDescribe(_ event: WorkflowEvent) -> String {
    switch event {
    case .workflowStarted(let e): "workflowStarted \(e.workflowName)"
    case .stepStarted(let e): "stepStarted \(e.workflowName).\(e.stepName)"
    case .stepFinished(let e): "stepFinished \(e.workflowName).\(e.stepName) \(e.result.status.rawValue)"
    case .workflowFinished(let e): "workflowFinished \(e.workflowName) \(e.result.status.rawValue)"
    case .retryScheduled(let e): "retryScheduled \(e.workflowName).\(e.stepName)"
    case .approvalRequested(let e): "approvalRequested \(e.workflowName).\(e.stepName)"
    case .approvalDecided(let e): "approvalDecided \(e.workflowName).\(e.stepName)"
    case .childWorkflowStarted(let e): "childWorkflowStarted \(e.childWorkflowName)"
    case .childWorkflowFinished(let e): "childWorkflowFinished \(e.result.workflowName)"
    }
}

/// A hook written against the reference: it knows only the four lifecycle events.
private func hkReferenceHook(_ recorder: Recorder) -> WorkflowHook {
    WorkflowHook { event in
        switch event {
        case .workflowStarted(let e):
            recorder.add("workflowStarted \(e.workflowName)")
        case .stepStarted(let e):
            recorder.add("stepStarted \(e.workflowName).\(e.stepName)")
        case .stepFinished(let e):
            recorder.add("stepFinished \(e.workflowName).\(e.stepName) \(e.result.status.rawValue)")
        case .workflowFinished(let e):
            recorder.add("workflowFinished \(e.workflowName) \(e.result.status.rawValue)")
        default:
            break
        }
    }
}

/// A hook that throws at one kind of event (optionally only for one step).
private func hkThrowingHook(at point: String, step: String? = nil) -> WorkflowHook {
    WorkflowHook { event in
        switch event {
        case .workflowStarted where point == "workflowStarted":
            throw HKBoom(point: point)
        case .stepStarted(let e) where point == "stepStarted" && (step == nil || e.stepName == step):
            throw HKBoom(point: point)
        case .stepFinished(let e) where point == "stepFinished" && (step == nil || e.stepName == step):
            throw HKBoom(point: point)
        case .workflowFinished where point == "workflowFinished":
            throw HKBoom(point: point)
        default:
            break
        }
    }
}

private struct HKThreeFlow: Workflow {
    var name: String { "HKThreeFlow" }
    var steps: [Step<HKState>] {
        Step("a") { state in
            state.log.append("a")
            return "A"
        }
        Step("b") { state in
            state.log.append("b")
            return "B"
        }
        Step("c") { state in
            state.log.append("c")
            return "C"
        }
    }
}

/// decide jumps over `middle` straight to `final`.
private struct HKRoutedFlow: Workflow {
    var name: String { "HKRoutedFlow" }
    var steps: [Step<HKState>] {
        Step("decide", routes: ["jump": "final", "walk": "middle"]) { state in
            state.log.append("decide")
            return "jump"
        }
        Step("middle") { state in state.log.append("middle") }
        Step("final") { state in state.log.append("final") }
    }
}

private struct HKChildFlow: Workflow {
    var name: String { "HKChildFlow" }
    var steps: [Step<HKChildState>] {
        Step("child_step") { state in state.log.append("child_step") }
    }
}

/// A retried step, an approved gate and a child workflow: every extra event kind.
private struct HKBusyFlow: Workflow {
    var name: String { "HKBusyFlow" }
    var steps: [Step<HKState>] {
        Step("flaky", retry: RetryPolicy(retries: 2, retryOn: [HKFlaky.self])) { state, context in
            if context.attempt < 3 { throw HKFlaky() }
            state.log.append("flaky")
        }
        Step("gated", approval: .required(message: "Go?")) { state in
            state.log.append("gated")
        }
        Step("delegate") { state, context in
            let child = try await context.runChild(HKChildFlow(), state: HKChildState())
            state.log.append(contentsOf: child.state.log)
        }
    }
}

private struct HKGatedFlow: Workflow {
    var name: String { "HKGatedFlow" }
    var steps: [Step<HKState>] {
        Step("before") { state in state.log.append("before") }
        Step("gate", approval: .required) { state in state.log.append("gate") }
        Step("after") { state in state.log.append("after") }
    }
}

private struct HKRoutedGatedFlow: Workflow {
    var name: String { "HKRoutedGatedFlow" }
    var steps: [Step<HKState>] {
        Step("decide", routes: ["review": "gate", "skip": .end]) { state in
            state.log.append("decide")
            return "review"
        }
        Step("gate", approval: .required) { state in state.log.append("gate") }
        Step("after") { state in state.log.append("after") }
    }
}

/// The cause of a hook-execution error, as an HKBoom.
private func hkCause(_ error: (any Error)?) -> HKBoom? {
    (error as? HookExecutionError)?.cause as? HKBoom
}

// MARK: - Tests

@Suite("Hooks")
struct HookTests {
    // MARK: Order

    @Test("two hooks are both called, in the order given, for every event")
    func hooksInOrder() async throws {
        let recorder = Recorder()
        let first = WorkflowHook { event in recorder.add("1 " + hkDescribe(event)) }
        let second = WorkflowHook { event in recorder.add("2 " + hkDescribe(event)) }
        let result = await HKThreeFlow().run(HKState(), hooks: [first, second])
        #expect(result.status == .succeeded)

        let lines = recorder.all
        #expect(lines.count == 16)
        for pair in stride(from: 0, to: lines.count - 1, by: 2) {
            #expect(lines[pair].hasPrefix("1 "))
            #expect(lines[pair + 1].hasPrefix("2 "))
            #expect(lines[pair].dropFirst(2) == lines[pair + 1].dropFirst(2))
        }
    }

    @Test("a three-step run emits exactly the reference lifecycle sequence")
    func threeStepSequence() async throws {
        let recorder = Recorder()
        let all = Recorder()
        let result = await HKThreeFlow().run(
            HKState(), hooks: [hkReferenceHook(recorder), WorkflowHook { all.add(hkDescribe($0)) }])
        let expected = [
            "workflowStarted HKThreeFlow",
            "stepStarted HKThreeFlow.a",
            "stepFinished HKThreeFlow.a succeeded",
            "stepStarted HKThreeFlow.b",
            "stepFinished HKThreeFlow.b succeeded",
            "stepStarted HKThreeFlow.c",
            "stepFinished HKThreeFlow.c succeeded",
            "workflowFinished HKThreeFlow succeeded",
        ]
        #expect(recorder.all == expected)
        #expect(all.all == expected, "a plain run has no extra events")
        #expect(result.status == .succeeded)
    }

    @Test("events carry the run's id, the state at that moment and the results")
    func eventPayloads() async throws {
        let seen = Recorder()
        let runIDs = Mutex<Set<String>>([])
        let hook = WorkflowHook { event in
            runIDs.withLock { _ = $0.insert(event.runID) }
            switch event {
            case .workflowStarted(let e):
                seen.add("start \(try e.state.as(HKState.self).log)")
            case .stepStarted(let e):
                seen.add("stepStarted \(e.stepName)#\(e.stepIndex) \(try e.state.as(HKState.self).log)")
            case .stepFinished(let e):
                seen.add(
                    "stepFinished \(e.stepName)#\(e.stepIndex) \(try e.state.as(HKState.self).log) \(e.result.output?.description ?? "-")"
                )
            case .workflowFinished(let e):
                seen.add(
                    "finish \(try e.state.as(HKState.self).log) \(e.result.steps.count) \(e.result.runID == e.runID)")
            default:
                break
            }
        }
        let result = await HKThreeFlow().run(HKState(), hooks: [hook])
        #expect(runIDs.withLock { $0 } == [result.runID])
        #expect(
            seen.all == [
                "start []",
                "stepStarted a#0 []",
                "stepFinished a#0 [\"a\"] A",
                "stepStarted b#1 [\"a\"]",
                "stepFinished b#1 [\"a\", \"b\"] B",
                "stepStarted c#2 [\"a\", \"b\"]",
                "stepFinished c#2 [\"a\", \"b\", \"c\"] C",
                "finish [\"a\", \"b\", \"c\"] 3 true",
            ])
    }

    @Test("skipped steps emit no events")
    func skippedStepsAreSilent() async throws {
        let recorder = Recorder()
        let all = Recorder()
        let result = await HKRoutedFlow().run(
            HKState(), hooks: [hkReferenceHook(recorder), WorkflowHook { all.add(hkDescribe($0)) }])
        #expect(result.status == .succeeded)
        #expect(result.step("middle")?.status == .skipped)
        #expect(
            recorder.all == [
                "workflowStarted HKRoutedFlow",
                "stepStarted HKRoutedFlow.decide",
                "stepFinished HKRoutedFlow.decide succeeded",
                "stepStarted HKRoutedFlow.final",
                "stepFinished HKRoutedFlow.final succeeded",
                "workflowFinished HKRoutedFlow succeeded",
            ])
        #expect(!all.all.contains { $0.contains("middle") })
    }

    @Test("a hook that knows only the reference events sees exactly the reference sequence")
    func referenceHookIgnoresExtras() async throws {
        let reference = Recorder()
        let everything = Recorder()
        let result = await HKBusyFlow().run(
            HKState(),
            approvalHandler: .always(true),
            hooks: [hkReferenceHook(reference), WorkflowHook { everything.add(hkDescribe($0)) }])
        #expect(result.status == .succeeded)
        #expect(result.step("flaky")?.attempts == 3)
        #expect(result.state.log == ["flaky", "gated", "child_step"])

        #expect(
            reference.all == [
                "workflowStarted HKBusyFlow",
                "stepStarted HKBusyFlow.flaky",
                "stepFinished HKBusyFlow.flaky succeeded",
                "stepStarted HKBusyFlow.gated",
                "stepFinished HKBusyFlow.gated succeeded",
                "stepStarted HKBusyFlow.delegate",
                "workflowStarted HKChildFlow",
                "stepStarted HKChildFlow.child_step",
                "stepFinished HKChildFlow.child_step succeeded",
                "workflowFinished HKChildFlow succeeded",
                "stepFinished HKBusyFlow.delegate succeeded",
                "workflowFinished HKBusyFlow succeeded",
            ])
        // The run really did produce extra events, and the reference hook saw the
        // same lifecycle events in the same order as a hook that sees everything.
        let extras = everything.all.filter { !reference.all.contains($0) }
        #expect(extras.filter { $0.hasPrefix("retryScheduled HKBusyFlow.flaky") }.count == 2)
        #expect(extras.contains("approvalRequested HKBusyFlow.gated"))
        #expect(extras.contains("approvalDecided HKBusyFlow.gated"))
        #expect(extras.contains("childWorkflowStarted HKChildFlow"))
        #expect(extras.contains("childWorkflowFinished HKChildFlow"))
        #expect(everything.all.filter { reference.all.contains($0) } == reference.all)
    }

    @Test("a paused run emits stepFinished for the paused step and workflowFinished, then nothing")
    func pausedRunSequence() async throws {
        let recorder = Recorder()
        let result = await HKGatedFlow().run(HKState(), hooks: [hkReferenceHook(recorder)], pauseOnApproval: true)
        #expect(result.status == .paused)
        #expect(
            recorder.all == [
                "workflowStarted HKGatedFlow",
                "stepStarted HKGatedFlow.before",
                "stepFinished HKGatedFlow.before succeeded",
                "stepStarted HKGatedFlow.gate",
                "stepFinished HKGatedFlow.gate paused",
                "workflowFinished HKGatedFlow paused",
            ])
    }

    @Test("a failing step still gets stepFinished and workflowFinished, later steps emit nothing")
    func failedRunSequence() async throws {
        let recorder = Recorder()
        let result = await HKGatedFlow().run(HKState(), hooks: [hkReferenceHook(recorder)])
        #expect(result.status == .failed)
        #expect(
            recorder.all == [
                "workflowStarted HKGatedFlow",
                "stepStarted HKGatedFlow.before",
                "stepFinished HKGatedFlow.before succeeded",
                "stepStarted HKGatedFlow.gate",
                "stepFinished HKGatedFlow.gate failed",
                "workflowFinished HKGatedFlow failed",
            ])
    }

    @Test("hook return values are ignored and hooks cannot change the result")
    func hooksDoNotChangeResult() async throws {
        let quiet = await HKThreeFlow().run(HKState())
        let observed = await HKThreeFlow().run(HKState(), hooks: [WorkflowHook { _ in }, WorkflowHook { _ in }])
        #expect(observed.status == quiet.status)
        #expect(observed.state == quiet.state)
        #expect(observed.steps.map(\.output) == quiet.steps.map(\.output))
    }

    // MARK: Failures

    @Test("a hook failing in workflowStarted fails the run with no step results")
    func failureAtWorkflowStarted() async throws {
        let recorder = Recorder()
        let result = await HKThreeFlow().run(
            HKState(), hooks: [hkThrowingHook(at: "workflowStarted"), hkReferenceHook(recorder)])
        #expect(result.status == .failed)
        #expect(result.steps.isEmpty)
        #expect(result.state.log.isEmpty, "no step runs")
        #expect(result.checkpoint == nil)
        let error = try #require(result.error as? HookExecutionError)
        #expect(error.cause as? HKBoom == HKBoom(point: "workflowStarted"))
        #expect(!recorder.all.contains { $0.hasPrefix("stepStarted") })

        #expect {
            try result.throwIfFailed()
        } throws: { error in
            guard let error = error as? WorkflowExecutionError else { return false }
            return error.message == "Workflow 'HKThreeFlow' failed outside step execution due to HookExecutionError."
                && hkCause(error.cause) == HKBoom(point: "workflowStarted")
        }
    }

    @Test("a hook failing in workflowStarted fails a routed run with no step results either")
    func failureAtWorkflowStartedRouted() async throws {
        let result = await HKRoutedFlow().run(HKState(), hooks: [hkThrowingHook(at: "workflowStarted")])
        #expect(result.status == .failed)
        #expect(result.steps.isEmpty)
        #expect(result.state.log.isEmpty)
        #expect(hkCause(result.error) == HKBoom(point: "workflowStarted"))
    }

    @Test("a hook failing in stepStarted fails that step with attempts 0; later steps do not run")
    func failureAtStepStarted() async throws {
        let result = await HKThreeFlow().run(HKState(), hooks: [hkThrowingHook(at: "stepStarted", step: "b")])
        #expect(result.status == .failed)
        #expect(result.state.log == ["a"], "b's body and c never run")
        #expect(result.steps.map(\.stepName) == ["a", "b"])
        let b = try #require(result.step("b"))
        #expect(b.status == .failed)
        #expect(b.attempts == 0)
        #expect(b.output == nil)
        #expect(hkCause(b.error) == HKBoom(point: "stepStarted"))
        #expect(hkCause(result.error) == HKBoom(point: "stepStarted"))

        #expect {
            try result.throwIfFailed()
        } throws: { error in
            (error as? WorkflowExecutionError)?.message
                == "Workflow 'HKThreeFlow' failed at step 'b' after 0 attempt(s) due to HookExecutionError."
        }
    }

    @Test("a hook failing in stepStarted of a gated step fails it before any approval is asked")
    func failureAtStepStartedBeforeApproval() async throws {
        let asked = Recorder()
        let handler = ApprovalHandler { (request: ApprovalRequest) -> Bool in
            asked.add(request.stepName)
            return true
        }
        let result = await HKGatedFlow().run(
            HKState(), approvalHandler: handler, hooks: [hkThrowingHook(at: "stepStarted", step: "gate")])
        #expect(result.status == .failed)
        #expect(asked.all.isEmpty)
        #expect(result.step("gate")?.attempts == 0)
        #expect(result.step("gate")?.approvalDecision == nil)
        #expect(result.state.log == ["before"])
    }

    @Test("a hook failing in stepFinished turns that step's result into a failure")
    func failureAtStepFinished() async throws {
        let recorder = Recorder()
        let result = await HKThreeFlow().run(
            HKState(), hooks: [hkReferenceHook(recorder), hkThrowingHook(at: "stepFinished", step: "b")])
        #expect(result.status == .failed)
        #expect(result.state.log == ["a", "b"], "b ran, c did not")
        #expect(result.steps.map(\.stepName) == ["a", "b"])
        #expect(result.step("a")?.status == .succeeded)
        let b = try #require(result.step("b"))
        #expect(b.status == .failed)
        #expect(b.attempts == 1)
        #expect(hkCause(b.error) == HKBoom(point: "stepFinished"))
        #expect(hkCause(result.error) == HKBoom(point: "stepFinished"))
        #expect(!recorder.all.contains("stepStarted HKThreeFlow.c"))
        #expect(recorder.all.last == "workflowFinished HKThreeFlow failed")

        #expect {
            try result.throwIfFailed()
        } throws: { error in
            (error as? WorkflowExecutionError)?.message
                == "Workflow 'HKThreeFlow' failed at step 'b' after 1 attempt(s) due to HookExecutionError."
        }
    }

    @Test("a hook failing in stepFinished of a routed step lists later steps as skipped because the run failed")
    func failureAtStepFinishedRouted() async throws {
        let result = await HKRoutedFlow().run(HKState(), hooks: [hkThrowingHook(at: "stepFinished", step: "decide")])
        #expect(result.status == .failed)
        #expect(result.steps.map(\.status) == [.failed, .skipped, .skipped])
        #expect(result.step("final")?.skippedReason == "not reached because workflow failed")
        #expect(result.state.log == ["decide"])
    }

    @Test("a hook failing in workflowFinished fails a run whose steps all succeeded")
    func failureAtWorkflowFinished() async throws {
        let result = await HKThreeFlow().run(HKState(), hooks: [hkThrowingHook(at: "workflowFinished")])
        #expect(result.status == .failed)
        #expect(result.state.log == ["a", "b", "c"])
        #expect(result.steps.map(\.status) == [.succeeded, .succeeded, .succeeded])
        #expect(hkCause(result.error) == HKBoom(point: "workflowFinished"))

        #expect {
            try result.throwIfFailed()
        } throws: { error in
            guard let error = error as? WorkflowExecutionError else { return false }
            return error.message == "Workflow 'HKThreeFlow' failed outside step execution due to HookExecutionError."
                && error.cause is HookExecutionError
        }
    }

    @Test("a hook failing in workflowFinished of a paused run drops the pause")
    func failureAtWorkflowFinishedDropsPause() async throws {
        let result = await HKGatedFlow().run(
            HKState(), hooks: [hkThrowingHook(at: "workflowFinished")], pauseOnApproval: true)
        #expect(result.status == .failed)
        #expect(result.checkpoint == nil)
        #expect(hkCause(result.error) == HKBoom(point: "workflowFinished"))
        #expect(result.state.log == ["before"])

        #expect {
            try result.throwIfFailed()
        } throws: { error in
            (error as? WorkflowExecutionError)?.message
                == "Workflow 'HKGatedFlow' failed outside step execution due to HookExecutionError."
        }

        // The dropped pause cannot be resumed.
        let resumed = await HKGatedFlow().resume(result, decision: .approve())
        #expect(resumed.status == .failed)
        #expect(resumed.error is ApprovalResumeError)
    }

    @Test("a hook failing in workflowFinished of a paused routed run drops the pause too")
    func failureAtWorkflowFinishedDropsRoutedPause() async throws {
        let result = await HKRoutedGatedFlow().run(
            HKState(), hooks: [hkThrowingHook(at: "workflowFinished")], pauseOnApproval: true)
        #expect(result.status == .failed)
        #expect(result.checkpoint == nil)
        #expect(hkCause(result.error) == HKBoom(point: "workflowFinished"))
        #expect(result.steps.map(\.stepName) == ["decide", "gate", "after"])
    }

    @Test("a hook error is wrapped with the original as its cause and a message naming the event")
    func hookErrorShape() async throws {
        let result = await HKThreeFlow().run(HKState(), hooks: [hkThrowingHook(at: "stepStarted", step: "a")])
        let error = try #require(result.error as? HookExecutionError)
        #expect(error.cause as? HKBoom == HKBoom(point: "stepStarted"))
        #expect(error.message.contains("stepStarted"))
        #expect(error.message.contains("HKThreeFlow"))
    }
}
