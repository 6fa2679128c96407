import Foundation
import Synchronization
import Testing

@testable import StepFlow

// The stages of the per-step pipeline (SPEC §2), each driven on its own:
// start, the approval gate, attempts, route resolution, record, and the
// outcome a whole step returns. End-to-end runs are in RunTests and HookTests.

// MARK: - Fixtures

private struct StageState: Codable, Sendable, Equatable {
    var log: [String] = []
}

private struct Flaky: Error {}
private struct Boom: Error, Equatable {}

/// Counts calls across concurrency domains.
private final class Count: Sendable {
    private let value = Mutex(0)
    func next() { value.withLock { $0 += 1 } }
    var current: Int { value.withLock { $0 } }
}

/// Records the delays a run asks to wait, and waits none of them.
private final class Sleeps: Sendable {
    private let delays = Mutex<[Duration]>([])
    var all: [Duration] { delays.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void {
        { delay in self.delays.withLock { $0.append(delay) } }
    }
}

private let startInstant = Date(timeIntervalSince1970: 1_000_000)

private func makeEngine(_ steps: [Step<StageState>], options: RunOptions = RunOptions()) throws
    -> RunEngine<StageState>
{
    let definition = try WorkflowDefinition(name: "Stages", steps: steps)
    return RunEngine(definition: definition, options: options, runID: "run-1", startedAt: startInstant)
}

private let gated = Step<StageState>(
    "gated", approval: .required(message: "Go?", metadata: ["limit": 5])
) { state in state.log.append("gated") }

/// A hook that throws at every event of one kind.
private func failing(at kind: String) -> WorkflowHook {
    WorkflowHook { event in
        if String(describing: event).hasPrefix(kind + "(") { throw Boom() }
    }
}

/// The outcome as a line, for comparing.
private func describe(_ outcome: StepOutcome) -> String {
    switch outcome {
    case .next(let index): "next \(index)"
    case .ended: "ended"
    case .failed(let error): "failed \(errorTypeName(error)): \(errorMessage(error))"
    case .paused(let request): "paused \(request.stepName)"
    }
}

private func describe(_ gate: GateOutcome) -> String {
    switch gate {
    case .proceed(let decision): "proceed approved=\(decision.approved) stamped=\(decision.decidedAt != nil)"
    case .refused(let decision, let error):
        "refused decision=\(decision.map { "\($0.approved)" } ?? "nil") \(errorTypeName(error)): \(errorMessage(error))"
    case .pause(let request): "pause \(request.stepName)"
    }
}

// MARK: - Start

@Suite("Run stages: start")
struct StartStageTests {
    @Test("with nobody listening, start emits nothing and cannot fail")
    func quietStart() async throws {
        let engine = try makeEngine([gated])
        let error = await engine.start(engine.definition.plans[0], at: 0, state: StageState(), startedAt: startInstant)
        #expect(error == nil)
    }

    @Test("start emits stepStarted with index, state and start time; a failing hook's error comes back")
    func startEvent() async throws {
        let seen = Mutex<[String]>([])
        let hook = WorkflowHook { event in
            if case .stepStarted(let e) = event {
                let log = try e.state.as(StageState.self).log
                seen.withLock { $0.append("\(e.stepName) \(e.stepIndex) \(log) \(e.startedAt == startInstant)") }
            }
        }
        let engine = try makeEngine([gated], options: RunOptions(hooks: [hook, failing(at: "stepStarted")]))
        let error = await engine.start(
            engine.definition.plans[0], at: 0, state: StageState(log: ["x"]), startedAt: startInstant)
        #expect(seen.withLock { $0 } == [#"gated 0 ["x"] true"#])
        #expect(error?.cause is Boom)
    }
}

// MARK: - Approval gate

@Suite("Run stages: approval gate")
struct GateStageTests {
    private func runGate(_ options: RunOptions, resume: ApprovalDecision? = nil) async throws -> GateOutcome {
        let engine = try makeEngine([gated], options: options)
        let plan = engine.definition.plans[0]
        return await engine.gate(
            plan, try #require(plan.approval), state: StageState(log: ["before"]), resumeDecision: resume)
    }

    @Test("a handler's approval lets the step proceed with the decision, stamped with a time")
    func approved() async throws {
        let outcome = try await runGate(RunOptions(approvalHandler: .always(true)))
        #expect(describe(outcome) == "proceed approved=true stamped=true")
    }

    @Test("a denial is refused with the decision and the reference's message")
    func denied() async throws {
        let outcome = try await runGate(RunOptions(approvalHandler: .always(false)))
        #expect(describe(outcome) == "refused decision=false ApprovalRequiredError: Approval denied for step 'gated'.")
    }

    @Test("the handler gets the request: workflow, step, run id, state, message and metadata")
    func request() async throws {
        let asked = Mutex<[ApprovalRequest]>([])
        _ = try await runGate(
            RunOptions(
                approvalHandler: ApprovalHandler { (request: ApprovalRequest) -> Bool in
                    asked.withLock { $0.append(request) }
                    return true
                }))
        let request = try #require(asked.withLock { $0 }.first)
        #expect(request.workflowName == "Stages")
        #expect(request.stepName == "gated")
        #expect(request.runID == "run-1")
        #expect(try request.state.as(StageState.self) == StageState(log: ["before"]))
        #expect(request.message == "Go?")
        #expect(request.metadata == ["limit": 5])
    }

    @Test("no handler: refused, unless pause mode lets the run pause on the request")
    func noHandler() async throws {
        #expect(
            describe(try await runGate(RunOptions()))
                == "refused decision=nil ApprovalRequiredError: Step 'gated' requires approval but no approval handler was provided."
        )
        #expect(describe(try await runGate(RunOptions(pauseOnApproval: true))) == "pause gated")
    }

    @Test("a run that cannot pause (a child) is refused even in pause mode")
    func cannotPause() async throws {
        var options = RunOptions(pauseOnApproval: true)
        options.canPause = false
        #expect(
            describe(try await runGate(options))
                == "refused decision=nil ApprovalRequiredError: Step 'gated' requires approval but no approval handler was provided."
        )
    }

    @Test("a postponed answer pauses, or is refused where the run cannot pause")
    func postponed() async throws {
        var options = RunOptions(approvalHandler: .answering { _ in .postponed })
        #expect(describe(try await runGate(options)) == "pause gated")
        options.canPause = false
        #expect(
            describe(try await runGate(options))
                == "refused decision=nil ApprovalRequiredError: Approval for step 'gated' was postponed, but a child workflow cannot pause."
        )
    }

    @Test("a throwing handler refuses with its own error and no decision")
    func throwingHandler() async throws {
        let outcome = try await runGate(
            RunOptions(
                approvalHandler: ApprovalHandler { (_: ApprovalRequest) -> Bool in
                    throw Boom()
                }))
        guard case .refused(let decision, let error) = outcome else {
            Issue.record("expected a refusal, got \(describe(outcome))")
            return
        }
        #expect(decision == nil)
        #expect(error as? Boom == Boom())
    }

    @Test("a resume decision is applied without asking the handler; it keeps its time or is stamped")
    func resumeDecision() async throws {
        let asked = Count()
        let handler = ApprovalHandler { (_: ApprovalRequest) -> Bool in
            asked.next()
            return false
        }
        let given = Date(timeIntervalSince1970: 42)
        let kept = try await runGate(
            RunOptions(approvalHandler: handler), resume: ApprovalDecision(approved: true, decidedAt: given))
        guard case .proceed(let decision) = kept else {
            Issue.record("expected to proceed, got \(describe(kept))")
            return
        }
        #expect(decision.decidedAt == given)
        #expect(describe(try await runGate(RunOptions(), resume: .approve())) == "proceed approved=true stamped=true")
        #expect(
            describe(try await runGate(RunOptions(), resume: .deny()))
                == "refused decision=false ApprovalRequiredError: Approval denied for step 'gated'.")
        #expect(asked.current == 0)
    }

    @Test("a hook failing on approvalRequested refuses before the handler is asked")
    func requestedHookFails() async throws {
        let asked = Count()
        let handler = ApprovalHandler { (_: ApprovalRequest) -> Bool in
            asked.next()
            return true
        }
        let outcome = try await runGate(RunOptions(approvalHandler: handler, hooks: [failing(at: "approvalRequested")]))
        #expect(describe(outcome).hasPrefix("refused decision=nil HookExecutionError"))
        #expect(asked.current == 0)
    }

    @Test("a hook failing on approvalDecided refuses with the decision kept")
    func decidedHookFails() async throws {
        let outcome = try await runGate(
            RunOptions(approvalHandler: .always(true), hooks: [failing(at: "approvalDecided")]))
        #expect(describe(outcome).hasPrefix("refused decision=true HookExecutionError"))
    }
}

// MARK: - Attempts

@Suite("Run stages: attempts")
struct AttemptsStageTests {
    @Test("the first successful attempt ends the stage with its output and count")
    func success() async throws {
        let engine = try makeEngine([
            Step("a") { state in
                state.log.append("a")
                return "out"
            }
        ])
        var state = StageState()
        let attempts = await engine.attempts(of: engine.definition.plans[0], state: &state, serial: 1)
        #expect(attempts.count == 1)
        #expect(try attempts.outcome.get() == "out")
        #expect(state.log == ["a"])
    }

    @Test("retry delays go through the injected sleep, in order, with backoff; nothing waits for real")
    func delaysAreInjected() async throws {
        let sleeps = Sleeps()
        var options = RunOptions()
        options.sleep = sleeps.sleep
        options.randomUnit = { 0 }
        let engine = try makeEngine(
            [
                Step(
                    "x",
                    retry: RetryPolicy(
                        retries: 3, retryOn: [Flaky.self], delay: .seconds(60), backoff: Backoff(multiplier: 2))
                ) { _ in
                    throw Flaky()
                }
            ], options: options)
        var state = StageState()
        let attempts = await engine.attempts(of: engine.definition.plans[0], state: &state, serial: 1)
        #expect(attempts.count == 4)
        #expect(sleeps.all == [.seconds(60), .seconds(120), .seconds(240)])
    }

    @Test("a zero delay does not sleep at all")
    func zeroDelay() async throws {
        let sleeps = Sleeps()
        var options = RunOptions()
        options.sleep = sleeps.sleep
        let engine = try makeEngine(
            [
                Step("x", retry: RetryPolicy(retries: 2, retryOn: [Flaky.self])) { _ in throw Flaky() }
            ], options: options)
        var state = StageState()
        let attempts = await engine.attempts(of: engine.definition.plans[0], state: &state, serial: 1)
        #expect(attempts.count == 3)
        #expect(sleeps.all.isEmpty)
    }

    @Test("a wait that throws (a cancelled run) ends the attempts with its error")
    func sleepThrows() async throws {
        var options = RunOptions()
        options.sleep = { _ in throw CancellationError() }
        let engine = try makeEngine(
            [
                Step("x", retry: RetryPolicy(retries: 5, retryOn: [Flaky.self], delay: .seconds(1))) { _ in
                    throw Flaky()
                }
            ], options: options)
        var state = StageState()
        let attempts = await engine.attempts(of: engine.definition.plans[0], state: &state, serial: 1)
        #expect(attempts.count == 1)
        #expect(throws: CancellationError.self) { try attempts.outcome.get() }
    }

    @Test("a hook failing on retryScheduled ends the attempts before any wait")
    func retryHookFails() async throws {
        let sleeps = Sleeps()
        var options = RunOptions(hooks: [failing(at: "retryScheduled")])
        options.sleep = sleeps.sleep
        let engine = try makeEngine(
            [
                Step("x", retry: RetryPolicy(retries: 5, retryOn: [Flaky.self], delay: .seconds(1))) { _ in
                    throw Flaky()
                }
            ], options: options)
        var state = StageState()
        let attempts = await engine.attempts(of: engine.definition.plans[0], state: &state, serial: 1)
        #expect(attempts.count == 1)
        #expect(throws: HookExecutionError.self) { try attempts.outcome.get() }
        #expect(sleeps.all.isEmpty)
    }

    @Test("a child workflow waits through its parent's injected sleep")
    func childInheritsSleep() async throws {
        struct Child: Workflow {
            var steps: [Step<StageState>] {
                Step("child_retry", retry: RetryPolicy(retries: 1, retryOn: [Flaky.self], delay: .seconds(30))) {
                    _, context in if context.attempt == 1 { throw Flaky() }
                }
            }
        }
        let sleeps = Sleeps()
        var options = RunOptions()
        options.sleep = sleeps.sleep
        let parent = try WorkflowDefinition<StageState>(
            name: "Parent",
            steps: [
                Step("spawn") { _, context in try await context.runChild(Child(), state: StageState()) }
            ])
        let result = await parent.run(StageState(), options: options)
        #expect(result.status == .succeeded)
        #expect(sleeps.all == [.seconds(30)])
    }
}

// MARK: - Route

@Suite("Run stages: route resolution")
struct RouteStageTests {
    private let definition: WorkflowDefinition<StageState>

    init() throws {
        definition = try WorkflowDefinition<StageState>(
            name: "Routes",
            steps: [
                Step("plain") { _ in "anything" },
                Step("decide", routes: ["on": "target", "stop": .end]) { _ in "on" },
                Step("skipped") { _ in },
                Step("target") { _ in },
            ])
    }

    @Test("a step without routes continues, whatever its output")
    func unrouted() {
        for output: JSONValue? in [nil, "on", 3] {
            guard case .unrouted = definition.plans[0].route(for: output) else {
                Issue.record("expected no route for \(String(describing: output))")
                continue
            }
        }
    }

    @Test("a key leads to its step, by index and name, with the decision for the trace")
    func toStep() {
        guard case .taken(let decision, let destination) = definition.plans[1].route(for: "on") else {
            Issue.record("expected a route")
            return
        }
        #expect(decision == RouteDecision(stepName: "decide", routeKey: "on", nextStep: "target", ended: false))
        #expect(destination == .step(3, "target"))
    }

    @Test("a key to END ends the run, with no next step")
    func toEnd() {
        guard case .taken(let decision, let destination) = definition.plans[1].route(for: "stop") else {
            Issue.record("expected a route")
            return
        }
        #expect(decision == RouteDecision(stepName: "decide", routeKey: "stop", nextStep: nil, ended: true))
        #expect(destination == .end)
    }

    @Test("an unknown key or a non-string output is refused with the reference's message")
    func refused() {
        let cases: [(JSONValue?, String)] = [
            ("sideways", "Step 'decide' returned unknown route key 'sideways'."),
            (7, "Step 'decide' returned a non-string route key."),
            (nil, "Step 'decide' returned a non-string route key."),
        ]
        for (output, message) in cases {
            guard case .refused(let error) = definition.plans[1].route(for: output) else {
                Issue.record("expected a refusal for \(String(describing: output))")
                continue
            }
            #expect(error.message == message)
        }
    }
}

// MARK: - Record

@Suite("Run stages: record")
struct RecordStageTests {
    private func running(_ name: String) -> StepResult {
        var result = StepResult(stepName: name, status: .running, startedAt: startInstant)
        result.status = .succeeded
        result.attempts = 1
        result.output = "kept"
        return result
    }

    @Test("record stamps the finish and duration, closes the step for children, and passes the outcome on")
    func stamps() async throws {
        let engine = try makeEngine([gated, Step("b") { _ in }])
        let serial = engine.scope.beginStep()
        var result = running("b")
        let before = Date()
        let recorded = await engine.record(&result, at: 1, state: StageState(), outcome: .next(2))
        #expect(describe(recorded.outcome) == "next 2")
        #expect(recorded.finishedAt >= before)
        #expect(result.finishedAt == recorded.finishedAt)
        #expect(result.durationMs == wholeMilliseconds(from: startInstant, to: recorded.finishedAt))
        #expect(result.status == .succeeded)
        #expect(result.output == "kept")
        #expect(!engine.scope.isActive(serial), "a context of the recorded step can no longer run children")
    }

    @Test("stepFinished carries the recorded result; a hook failing it turns the outcome into that failure")
    func failingHook() async throws {
        let seen = Mutex<[StepStatus]>([])
        let hook = WorkflowHook { event in
            if case .stepFinished(let e) = event { seen.withLock { $0.append(e.result.status) } }
        }
        let engine = try makeEngine([gated], options: RunOptions(hooks: [hook, failing(at: "stepFinished")]))
        var result = running("gated")
        let recorded = await engine.record(&result, at: 0, state: StageState(), outcome: .ended)
        #expect(seen.withLock { $0 } == [.succeeded])
        #expect(describe(recorded.outcome).hasPrefix("failed HookExecutionError"))
        #expect(result.status == .failed)
        #expect((result.error as? HookExecutionError)?.cause is Boom)
        #expect(result.attempts == 1)
    }

    @Test("a pause is passed on with its request")
    func pause() async throws {
        let engine = try makeEngine([gated])
        let request = ApprovalRequest(
            workflowName: "Stages", stepName: "gated", runID: "run-1", state: AnyState(StageState()),
            message: nil, metadata: [:])
        var paused = StepResult(stepName: "gated", status: .paused, startedAt: startInstant, requiresApproval: true)
        let recorded = await engine.record(&paused, at: 0, state: StageState(), outcome: .paused(request))
        #expect(describe(recorded.outcome) == "paused gated")
        #expect(paused.status == .paused)
    }
}

// MARK: - A whole step

@Suite("Run stages: one step's outcome")
struct StepOutcomeTests {
    private func outcome(
        of steps: [Step<StageState>], at index: Int = 0, options: RunOptions = RunOptions(),
        resume: ApprovalDecision? = nil
    ) async throws -> (String, StepResult) {
        var engine = try makeEngine(steps, options: options)
        var state = StageState()
        let step = await engine.runStep(at: index, startedAt: startInstant, state: &state, resumeDecision: resume)
        #expect(engine.executedIndices == [index], "the step's result is kept with its index")
        return (describe(step.outcome), try #require(engine.executedResults.last))
    }

    @Test("a step without routes leads to the next index")
    func next() async throws {
        let (line, result) = try await outcome(of: [Step("a") { _ in }, Step("b") { _ in }])
        #expect(line == "next 1")
        #expect(result.status == .succeeded)
        #expect(result.attempts == 1)
    }

    @Test("a route leads to its step's index, or ends the run")
    func routed() async throws {
        let steps = { (key: String) in
            [
                Step<StageState>("decide", routes: ["far": "far", "stop": .end]) { _ in key },
                Step("near") { _ in },
                Step("far") { _ in },
            ]
        }
        let (far, farResult) = try await outcome(of: steps("far"))
        #expect(far == "next 2")
        #expect(farResult.routeKey == "far")
        #expect(farResult.nextStep == "far")
        let (stop, stopResult) = try await outcome(of: steps("stop"))
        #expect(stop == "ended")
        #expect(stopResult.routeKey == "stop")
        #expect(stopResult.nextStep == nil)
        let (bad, badResult) = try await outcome(of: steps("nowhere"))
        #expect(bad == "failed RouteResolutionError: Step 'decide' returned unknown route key 'nowhere'.")
        #expect(badResult.output == "nowhere", "a route failure keeps the output")
    }

    @Test("a failing body fails the step with its very error and no output")
    func failed() async throws {
        let (line, result) = try await outcome(of: [Step("a") { _ in throw Boom() }])
        #expect(line.hasPrefix("failed Boom"))
        #expect(result.error as? Boom == Boom())
        #expect(result.output == nil)
    }

    @Test("a gate that pauses returns the request itself, the step paused with no attempt")
    func paused() async throws {
        let (line, result) = try await outcome(of: [gated], options: RunOptions(pauseOnApproval: true))
        #expect(line == "paused gated")
        #expect(result.status == .paused)
        #expect(result.attempts == 0)
    }

    @Test("a refused gate fails the step with attempts 0 and the decision recorded")
    func refused() async throws {
        let (line, result) = try await outcome(of: [gated], resume: .deny(reason: "no"))
        #expect(line == "failed ApprovalRequiredError: Approval denied for step 'gated'.")
        #expect(result.attempts == 0)
        #expect(result.approvalDecision?.reason == "no")
    }

    @Test("a failing stepStarted hook fails the step before its gate")
    func startFails() async throws {
        let (line, result) = try await outcome(
            of: [gated], options: RunOptions(approvalHandler: .always(true), hooks: [failing(at: "stepStarted")]))
        #expect(line.hasPrefix("failed HookExecutionError"))
        #expect(result.approvalDecision == nil)
        #expect(result.attempts == 0)
    }
}
