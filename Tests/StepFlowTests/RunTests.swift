import Foundation
import Synchronization
import Testing

@testable import StepFlow

// MARK: - Fixtures

private struct Counter: Codable, Sendable, Equatable {
    var trail: [String] = []
    var value = 0
}

private struct TransientError: Error {}
private struct FatalError: Error {}
private final class BoomError: Error, @unchecked Sendable {}

/// Counts calls across concurrency domains.
private final class Calls: Sendable {
    private let count = Mutex(0)
    @discardableResult func next() -> Int {
        count.withLock {
            $0 += 1
            return $0
        }
    }
    var value: Int { count.withLock { $0 } }
}

/// A workflow built from a list of steps, for tests that need one-off shapes.
private struct AdHoc: Workflow {
    var name = "AdHoc"
    var retry = RetryPolicy()
    var stepList: [Step<Counter>]
    var steps: [Step<Counter>] { stepList }
}

private func trail(_ name: String) -> Step<Counter> {
    Step(name) { state in
        state.trail.append(name)
        return name
    }
}

// MARK: - Order, state, context

@Suite("Running steps")
struct RunTests {
    @Test("steps run in declaration order on one shared state")
    func orderAndSharedState() async {
        let workflow = AdHoc(stepList: [
            Step("a") { state in
                state.value = 1
                state.trail.append("a")
            },
            Step("b") { state in
                state.value *= 10
                state.trail.append("b")
            },
            Step("c") { state in
                state.value += 5
                state.trail.append("c")
            },
        ])
        let result = await workflow.run(Counter())
        #expect(result.status == .succeeded)
        #expect(result.state == Counter(trail: ["a", "b", "c"], value: 15))
        #expect(result.steps.map(\.stepName) == ["a", "b", "c"])
        #expect(result.steps.allSatisfy { $0.status == .succeeded && $0.attempts == 1 && $0.output == nil })
    }

    @Test("the context carries workflow name, one run id for every step, step name and attempt")
    func contextFields() async {
        let seen = Mutex<[String]>([])
        let workflow = AdHoc(
            name: "ctx_flow",
            stepList: [
                Step("first") { _, context in
                    seen.withLock {
                        $0.append("\(context.workflowName)|\(context.runID)|\(context.stepName)|\(context.attempt)")
                    }
                },
                Step("second", retry: RetryPolicy(retries: 1, retryOn: [TransientError.self])) { _, context in
                    seen.withLock {
                        $0.append("\(context.workflowName)|\(context.runID)|\(context.stepName)|\(context.attempt)")
                    }
                    if context.attempt == 1 { throw TransientError() }
                },
            ])
        let result = await workflow.run(Counter())
        let lines = seen.withLock { $0 }
        #expect(
            lines == [
                "ctx_flow|\(result.runID)|first|1",
                "ctx_flow|\(result.runID)|second|1",
                "ctx_flow|\(result.runID)|second|2",
            ])
        #expect(!result.runID.isEmpty)
        let other = await workflow.run(Counter())
        #expect(other.runID != result.runID)
    }

    @Test("timings: start before finish, durations in whole non-negative milliseconds")
    func timings() async {
        let result = await AdHoc(stepList: [trail("a"), trail("b")]).run(Counter())
        #expect(result.startedAt <= result.finishedAt)
        #expect(result.durationMs >= 0)
        for step in result.steps {
            let started = try! #require(step.startedAt)
            let finished = try! #require(step.finishedAt)
            #expect(started <= finished)
            #expect(step.durationMs == Int((finished.timeIntervalSince(started) * 1000).rounded(.down)))
            #expect(started >= result.startedAt && finished <= result.finishedAt)
        }
        for (earlier, later) in zip(result.steps, result.steps.dropFirst()) {
            #expect(earlier.finishedAt! <= later.startedAt!)
        }
    }

    @Test("a step starts after the previous step's stepFinished hook, not when that step finished")
    func startAfterFinishHook() async throws {
        let hookPause = Duration.milliseconds(30)
        let slowFinish = WorkflowHook { event in
            if case .stepFinished = event { try await Task.sleep(for: hookPause) }
        }
        let result = await AdHoc(stepList: [trail("a"), trail("b")]).run(
            Counter(), options: RunOptions(hooks: [slowFinish]))
        let first = try #require(result.steps.first?.finishedAt)
        let second = try #require(result.steps.last?.startedAt)
        #expect(second.timeIntervalSince(first) >= 0.03)
        #expect(result.finishedAt.timeIntervalSince(result.steps.last!.finishedAt!) >= 0.03)
    }

    @Test("run ids: 32 lowercase hex digits, and never the same twice")
    func runIDs() {
        let ids = (0..<10_000).map { _ in RunID.make() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            #expect(id.utf8.count == 32)
            #expect(id.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
    }

    @Test("a step's Codable output is kept as JSON")
    func codableOutput() async throws {
        struct Verdict: Codable, Sendable, Equatable {
            let approved: Bool
            let score: Int
        }
        let workflow = AdHoc(stepList: [Step("judge") { _ in Verdict(approved: true, score: 7) }])
        let result = await workflow.run(Counter())
        let output = try #require(result.steps.first?.output)
        #expect(output == ["approved": true, "score": 7])
        #expect(try output.decode(as: Verdict.self) == Verdict(approved: true, score: 7))
    }

    @Test("outputs of every kind: String, JSONValue, numbers, Optional some and none")
    func outputKinds() async {
        let workflow = AdHoc(stepList: [
            Step("text") { _ in "done" },
            Step("json") { _ in JSONValue.array([1, "two"]) },
            Step("integer") { _ in 42 },
            Step("present") { _ -> String? in "here" },
            Step("absent") { _ -> Int? in nil },
            Step("with_context") { _, context in context.stepName },
        ])
        let result = await workflow.run(Counter())
        #expect(
            result.steps.map(\.output) == [
                .string("done"), .array([1, "two"]), .integer(42), .string("here"), nil, .string("with_context"),
            ])
    }

    @Test("an output that cannot be encoded fails its step with a StepExecutionError naming the step")
    func unencodableOutput() async throws {
        struct Refuses: Encodable, Sendable {
            struct Nope: Error {}
            func encode(to encoder: any Encoder) throws { throw Nope() }
        }
        let result = await AdHoc(stepList: [Step("emit") { _ in Refuses() }]).run(Counter())
        #expect(result.status == .failed)
        let error = try #require(result.steps.first?.error as? StepExecutionError)
        #expect(error.message.hasPrefix("Step 'emit' returned an output that cannot be encoded as JSON"))
        #expect(error.cause is Refuses.Nope)
    }

    // MARK: Failure

    @Test("the first failing step stops the run; the workflow error is that very error")
    func failFast() async {
        let boom = BoomError()
        let later = Calls()
        let workflow = AdHoc(stepList: [
            trail("a"),
            Step("b") { state in
                state.trail.append("b")
                throw boom
            },
            Step("c") { _ in later.next() },
        ])
        let result = await workflow.run(Counter())
        #expect(result.status == .failed)
        #expect(result.steps.map(\.stepName) == ["a", "b"])
        #expect(result.steps[1].status == .failed)
        #expect(result.steps[1].attempts == 1)
        #expect(result.steps[1].output == nil)
        #expect((result.error as? BoomError) === boom)
        #expect((result.steps[1].error as? BoomError) === boom)
        #expect(later.value == 0)
        #expect(result.state.trail == ["a", "b"])
    }

    @Test("throwIfFailed words the failure as the reference does and keeps the cause")
    func thrownFailureMessage() async throws {
        let workflow = AdHoc(
            name: "Flaky",
            stepList: [
                trail("a"),
                Step("b", retry: RetryPolicy(retries: 2, retryOn: [TransientError.self])) { _ in throw TransientError()
                },
            ])
        let result = await workflow.run(Counter())
        let error = try #require(throws: WorkflowExecutionError.self) { try result.throwIfFailed() }
        #expect(error.message == "Workflow 'Flaky' failed at step 'b' after 3 attempt(s) due to TransientError.")
        #expect(error.cause is TransientError)

        let hookFailure = await AdHoc(name: "Hooked", stepList: [trail("a")])
            .run(
                Counter(),
                hooks: [
                    WorkflowHook { event in
                        if case .workflowStarted = event { throw FatalError() }
                    }
                ])
        let outside = try #require(throws: WorkflowExecutionError.self) { try hookFailure.throwIfFailed() }
        #expect(outside.message == "Workflow 'Hooked' failed outside step execution due to HookExecutionError.")
        #expect((outside.cause as? HookExecutionError)?.cause is FatalError)
    }

    @Test("throwIfFailed returns succeeded and paused results unchanged")
    func throwIfFailedPassesSuccess() async throws {
        let result = try await AdHoc(stepList: [trail("a")]).run(Counter()).throwIfFailed()
        #expect(result.status == .succeeded)
    }

    // MARK: Retries

    @Test("a step inherits the workflow's retry settings")
    func retryInherits() async {
        let calls = Calls()
        let workflow = AdHoc(
            retry: RetryPolicy(retries: 2, retryOn: [TransientError.self]),
            stepList: [Step("flaky") { _ in if calls.next() < 3 { throw TransientError() } }])
        let result = await workflow.run(Counter())
        #expect(result.status == .succeeded)
        #expect(result.steps[0].attempts == 3)
    }

    @Test("step settings override the workflow's field by field")
    func retryOverridesFieldByField() async {
        let calls = Calls()
        // The step overrides only `retries`; the retryable errors still come from the workflow.
        let workflow = AdHoc(
            retry: RetryPolicy(retries: 5, retryOn: [TransientError.self]),
            stepList: [
                Step("flaky", retry: RetryPolicy(retries: 1)) { _ in
                    calls.next()
                    throw TransientError()
                }
            ])
        let result = await workflow.run(Counter())
        #expect(result.steps[0].attempts == 2)
        #expect(calls.value == 2)

        let overridden = AdHoc(
            retry: RetryPolicy(retries: 3, retryOn: [TransientError.self]),
            stepList: [Step("strict", retry: RetryPolicy(retryOn: [])) { _ in throw TransientError() }])
        #expect(await overridden.run(Counter()).steps[0].attempts == 1)
    }

    @Test("an error that is not retryable fails at once, whatever retries says")
    func nonRetryable() async {
        let workflow = AdHoc(stepList: [
            Step("fatal", retry: RetryPolicy(retries: 4, retryOn: [TransientError.self])) { _ in throw FatalError() }
        ])
        let result = await workflow.run(Counter())
        #expect(result.steps[0].attempts == 1)
        #expect(result.error is FatalError)

        let emptySet = AdHoc(stepList: [Step("x", retry: RetryPolicy(retries: 4)) { _ in throw TransientError() }])
        #expect(await emptySet.run(Counter()).steps[0].attempts == 1)
    }

    @Test("exhausted retries end with attempts = retries + 1 and the last error")
    func exhaustion() async {
        let calls = Calls()
        let workflow = AdHoc(stepList: [
            Step("always", retry: RetryPolicy(retries: 2, retryOn: [TransientError.self])) { _ in
                calls.next()
                throw TransientError()
            }
        ])
        let result = await workflow.run(Counter())
        #expect(result.status == .failed)
        #expect(result.steps[0].attempts == 3)
        #expect(calls.value == 3)
        #expect(result.error is TransientError)
    }

    @Test("retry matching uses `is`, so subclasses of a listed class retry")
    func retryMatchesSubclasses() async {
        class BaseError: Error, @unchecked Sendable {}
        final class DerivedError: BaseError, @unchecked Sendable {}
        let calls = Calls()
        let workflow = AdHoc(stepList: [
            Step("x", retry: RetryPolicy(retries: 1, retryOn: [BaseError.self])) { _ in
                if calls.next() == 1 { throw DerivedError() }
            }
        ])
        #expect(await workflow.run(Counter()).steps[0].attempts == 2)
    }

    @Test("the retry delay is waited, through the run's sleep, after the failed attempt and before the next")
    func delayHonoured() async {
        let trace = Recorder()
        let workflow = AdHoc(stepList: [
            Step("slow", retry: RetryPolicy(retries: 1, retryOn: [TransientError.self], delay: .milliseconds(80))) {
                _, context in
                trace.add("attempt \(context.attempt)")
                if context.attempt == 1 { throw TransientError() }
            }
        ])
        var options = RunOptions()
        options.sleep = { delay in trace.add("sleep \(delay)") }
        let result = await workflow.run(Counter(), options: options)
        #expect(trace.all == ["attempt 1", "sleep 0.08 seconds", "attempt 2"])
        #expect(result.steps[0].attempts == 2)
    }

    @Test("backoff multiplies the delay per attempt, caps it, and jitters below it")
    func backoffDelays() {
        let retry = ResolvedRetry(
            RetryPolicy(
                retries: 10, delay: .milliseconds(100),
                backoff: Backoff(multiplier: 2, maxDelay: .milliseconds(500))))
        let delays = (1...5).map { retry.delay(after: $0, unit: 0.5) }
        #expect(
            delays == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500), .milliseconds(500),
            ])

        let jittered = ResolvedRetry(
            RetryPolicy(
                delay: .milliseconds(100), backoff: Backoff(multiplier: 1, jitter: 0.25)))
        #expect(jittered.delay(after: 1, unit: 0) == .milliseconds(100))
        #expect(jittered.delay(after: 1, unit: 0.5) == .milliseconds(87.5))
        for _ in 0..<200 {
            let delay = jittered.delay(after: 1, unit: Double.random(in: 0..<1))
            #expect(delay > .milliseconds(75) && delay <= .milliseconds(100))
        }
    }

    @Test("retryScheduled events report each attempt's backoff delay, the one the run then waits")
    func retryEventsCarryDelays() async {
        let delays = Mutex<[Duration]>([])
        let slept = Mutex<[Duration]>([])
        let workflow = AdHoc(stepList: [
            Step(
                "x",
                retry: RetryPolicy(
                    retries: 3, retryOn: [TransientError.self], delay: .milliseconds(1),
                    backoff: Backoff(multiplier: 3))
            ) { _ in throw TransientError() }
        ])
        var options = RunOptions(hooks: [
            WorkflowHook { event in
                if case .retryScheduled(let retry) = event { delays.withLock { $0.append(retry.delay) } }
            }
        ])
        options.randomUnit = { 0 }
        options.sleep = { delay in slept.withLock { $0.append(delay) } }
        let result = await workflow.run(Counter(), options: options)
        #expect(result.steps[0].attempts == 4)
        #expect(delays.withLock { $0 } == [.milliseconds(1), .milliseconds(3), .milliseconds(9)])
        #expect(slept.withLock { $0 } == [.milliseconds(1), .milliseconds(3), .milliseconds(9)])
    }

    // MARK: Routing

    private static func routed(_ decision: String, calls: Calls = Calls()) -> AdHoc {
        AdHoc(
            name: "Router",
            stepList: [
                Step("decide", routes: ["left": "left", "right": "right", "stop": .end, "back": "decide"]) { state in
                    state.trail.append("decide")
                    return decision
                },
                trail("middle"),
                Step("left") { state in
                    state.trail.append("left")
                    calls.next()
                },
                trail("right"),
            ])
    }

    @Test("a route key jumps to a later step, skipping the ones between")
    func routeJump() async {
        let workflow = AdHoc(stepList: [
            Step("decide", routes: ["go": "last", "stop": .end]) { _ in "go" },
            trail("middle"),
            trail("last"),
        ])
        let result = await workflow.run(Counter())
        #expect(result.status == .succeeded)
        #expect(result.state.trail == ["last"])
        #expect(result.steps.map(\.status) == [.succeeded, .skipped, .succeeded])
        #expect(result.steps[0].routeKey == "go")
        #expect(result.steps[0].nextStep == "last")
        #expect(result.steps[1].attempts == 0)
        #expect(result.steps[1].skippedReason == "not reached because workflow ended")
        #expect(
            result.routeTrace == [RouteDecision(stepName: "decide", routeKey: "go", nextStep: "last", ended: false)])
    }

    @Test("END stops the workflow as succeeded and skips every later step")
    func routeToEnd() async {
        let workflow = AdHoc(stepList: [
            Step("decide", routes: ["go": "last", "stop": .end]) { _ in "stop" },
            trail("middle"),
            trail("last"),
        ])
        let result = await workflow.run(Counter())
        #expect(result.status == .succeeded)
        #expect(result.state.trail.isEmpty)
        #expect(result.steps.map(\.status) == [.succeeded, .skipped, .skipped])
        #expect(result.steps[0].routeKey == "stop")
        #expect(result.steps[0].nextStep == nil)
        #expect(result.routeTrace == [RouteDecision(stepName: "decide", routeKey: "stop", nextStep: nil, ended: true)])
    }

    @Test("an unknown route key fails the step with a route-resolution error and keeps its output")
    func unknownRouteKey() async throws {
        let workflow = AdHoc(stepList: [
            Step("decide", routes: ["a": "last"]) { _ in "z" },
            trail("last"),
        ])
        let result = await workflow.run(Counter())
        #expect(result.status == .failed)
        let error = try #require(result.error as? RouteResolutionError)
        #expect(error.message.contains("returned unknown route key 'z'"))
        #expect(result.steps[0].output == "z")
        #expect(result.steps[0].routeKey == nil)
        #expect(result.steps[1].skippedReason == "not reached because workflow failed")
        #expect(result.routeTrace.isEmpty)
    }

    @Test("a non-string output of a routed step fails with a route-resolution error")
    func nonStringRouteKey() async throws {
        let numeric = AdHoc(stepList: [Step("decide", routes: ["1": "last"]) { _ in 1 }, trail("last")])
        let result = await numeric.run(Counter())
        let error = try #require(result.error as? RouteResolutionError)
        #expect(error.message.contains("returned a non-string route key"))
        #expect(result.steps[0].output == 1)

        let void = AdHoc(stepList: [Step("decide", routes: ["x": "last"]) { _ in }, trail("last")])
        #expect(await void.run(Counter()).error is RouteResolutionError)
    }

    @Test("without routes only the steps that ran are listed")
    func unroutedListsOnlyRunSteps() async {
        let workflow = AdHoc(stepList: [trail("a"), Step("b") { _ in throw FatalError() }, trail("c")])
        let result = await workflow.run(Counter())
        #expect(result.steps.map(\.stepName) == ["a", "b"])
    }

    @Test("the route trace records every routed step in order")
    func routeTrace() async {
        let workflow = AdHoc(stepList: [
            Step("first", routes: ["next": "second"]) { _ in "next" },
            trail("skipped"),
            Step("second", routes: ["done": .end, "more": "third"]) { _ in "more" },
            trail("third"),
        ])
        let result = await workflow.run(Counter())
        #expect(result.routeTrace.map(\.stepName) == ["first", "second"])
        #expect(result.routeTrace.map(\.nextStep) == ["second", "third"])
        #expect(result.steps.map(\.status) == [.succeeded, .skipped, .succeeded, .succeeded])
    }

    // MARK: Approvals

    private static let gated = AdHoc(
        name: "Gate",
        stepList: [
            trail("prepare"),
            Step("refund", approval: .required(message: "Refund over limit", metadata: ["amount": 250])) { state in
                state.trail.append("refund")
                return "refunded"
            },
            trail("notify"),
        ])

    @Test("an approving handler gets the request and the decision is recorded")
    func approvalApproved() async throws {
        let requests = Mutex<[ApprovalRequest]>([])
        let result = await Self.gated.run(
            Counter(),
            approvalHandler: ApprovalHandler { request in
                requests.withLock { $0.append(request) }
                return ApprovalDecision(
                    approved: true, reason: "within budget", metadata: ["ticket": "T-1"], decidedBy: "ana")
            })
        #expect(result.status == .succeeded)
        #expect(result.state.trail == ["prepare", "refund", "notify"])
        let request = try #require(requests.withLock { $0.first })
        #expect(request.workflowName == "Gate")
        #expect(request.stepName == "refund")
        #expect(request.runID == result.runID)
        #expect(request.message == "Refund over limit")
        #expect(request.metadata == ["amount": 250])
        #expect(try request.state.as(Counter.self).trail == ["prepare"])
        let decision = try #require(result.steps[1].approvalDecision)
        #expect(decision.approved && decision.reason == "within budget" && decision.decidedBy == "ana")
        #expect(decision.metadata == ["ticket": "T-1"])
        #expect(decision.decidedAt != nil)
        #expect(result.steps[1].requiresApproval)
        #expect(!result.steps[0].requiresApproval)
    }

    @Test("a denied step does not run and fails with attempts 0")
    func approvalDenied() async throws {
        let result = await Self.gated.run(
            Counter(), approvalHandler: ApprovalHandler { _ in .deny(reason: "too much") })
        #expect(result.status == .failed)
        #expect(result.state.trail == ["prepare"])
        #expect(result.steps[1].status == .failed)
        #expect(result.steps[1].attempts == 0)
        #expect(result.steps[1].approvalDecision?.approved == false)
        #expect(result.steps[1].approvalDecision?.reason == "too much")
        let error = try #require(result.error as? ApprovalRequiredError)
        #expect(error.message == "Approval denied for step 'refund'.")
    }

    @Test("no handler and no pause mode fails the gated step")
    func approvalMissingHandler() async throws {
        let result = await Self.gated.run(Counter())
        #expect(result.steps[1].status == .failed)
        #expect(result.steps[1].attempts == 0)
        let error = try #require(result.error as? ApprovalRequiredError)
        #expect(error.message == "Step 'refund' requires approval but no approval handler was provided.")
    }

    @Test("a throwing handler fails the step with the handler's own error")
    func approvalHandlerThrows() async {
        let boom = BoomError()
        let result = await Self.gated.run(
            Counter(), approvalHandler: ApprovalHandler { (_: ApprovalRequest) -> Bool in throw boom })
        #expect(result.steps[1].status == .failed)
        #expect(result.steps[1].attempts == 0)
        #expect((result.error as? BoomError) === boom)
    }

    @Test("a Bool answer becomes a decision with no reason and empty metadata")
    func boolNormalisation() async throws {
        let approved = await Self.gated.run(Counter(), approvalHandler: ApprovalHandler { _ in true })
        let decision = try #require(approved.steps[1].approvalDecision)
        #expect(decision.approved && decision.reason == nil && decision.metadata.isEmpty)

        let denied = await Self.gated.run(Counter(), approvalHandler: .always(false))
        #expect(
            denied.steps[1].approvalDecision
                == ApprovalDecision(
                    approved: false, decidedAt: denied.steps[1].approvalDecision?.decidedAt))
        #expect(denied.status == .failed)
    }

    @Test("a handler that postpones pauses the run with a checkpoint, even outside pause mode")
    func approvalPostponed() async throws {
        let paused = await Self.gated.run(Counter(), approvalHandler: .answering { _ in .postponed })
        #expect(paused.status == .paused)
        #expect(paused.steps.map(\.status) == [.succeeded, .paused])
        let checkpoint = try #require(paused.checkpoint)
        #expect(checkpoint.stepName == "refund")
        let resumed = await Self.gated.resume(paused, decision: .approve(by: "ana"))
        #expect(resumed.status == .succeeded)
        #expect(resumed.state.trail == ["prepare", "refund", "notify"])
    }

    @Test("a child workflow cannot pause: a postponed approval inside it fails the child")
    func childPostponementFails() async throws {
        let parent = AdHoc(
            name: "Parent",
            stepList: [
                Step("delegate") { _, context in
                    try await context.runChild(Self.gated, state: Counter(), failParentOnFailure: false).status.rawValue
                }
            ])
        let result = await parent.run(Counter(), approvalHandler: .answering { _ in .postponed }, pauseOnApproval: true)
        #expect(result.status == .succeeded)
        #expect(result.steps[0].output == "failed")
        let child = try #require(result.steps[0].childWorkflows.first)
        #expect((child.error as? ApprovalRequiredError)?.message.contains("child workflow cannot pause") == true)
    }

    @Test("an approved step still retries and routes as usual")
    func approvedStepRetriesAndRoutes() async {
        let calls = Calls()
        let workflow = AdHoc(stepList: [
            Step(
                "gate", retry: RetryPolicy(retries: 1, retryOn: [TransientError.self]),
                routes: ["done": .end], approval: .required
            ) { _ in
                if calls.next() == 1 { throw TransientError() }
                return "done"
            },
            trail("never"),
        ])
        let result = await workflow.run(Counter(), approvalHandler: .always(true))
        #expect(result.steps[0].attempts == 2)
        #expect(result.steps[0].routeKey == "done")
        #expect(result.steps[1].status == .skipped)
    }

    // MARK: Cancellation and timeout

    @Test("cancelling the run's task fails the running step with CancellationError; later steps do not run")
    func cancelInsideStep() async throws {
        let (entered, enteredContinuation) = AsyncStream<Void>.makeStream()
        let later = Calls()
        let workflow = AdHoc(stepList: [
            trail("a"),
            Step("waits") { _ in
                enteredContinuation.yield()
                try await Task.sleep(for: .seconds(3600))
            },
            Step("after") { _ in later.next() },
        ])
        let run = try workflow.start(Counter())
        var iterator = entered.makeAsyncIterator()
        await iterator.next()
        run.cancel()
        let result = await run.result
        #expect(result.status == .failed)
        #expect(result.steps.map(\.stepName) == ["a", "waits"])
        #expect(result.steps[1].status == .failed)
        #expect(result.error is CancellationError)
        #expect(later.value == 0)
    }

    @Test("a cancellation between steps fails the next step before its first attempt")
    func cancelBetweenSteps() async {
        let later = Calls()
        let workflow = AdHoc(stepList: [
            Step("cancels") { _ in withUnsafeCurrentTask { $0?.cancel() } },
            Step("next") { _ in later.next() },
            Step("last") { _ in later.next() },
        ])
        let result = await Task { await workflow.run(Counter()) }.value
        #expect(result.steps.map(\.status) == [.succeeded, .failed])
        #expect(result.steps[1].attempts == 0)
        #expect(result.error is CancellationError)
        #expect(later.value == 0)
    }

    @Test("a cancelled run is never retried, even when CancellationError is listed")
    func cancellationNotRetried() async throws {
        let (entered, enteredContinuation) = AsyncStream<Void>.makeStream()
        let workflow = AdHoc(stepList: [
            Step("waits", retry: RetryPolicy(retries: 5, retryOn: [CancellationError.self])) { _ in
                enteredContinuation.yield()
                try await Task.sleep(for: .seconds(3600))
            }
        ])
        let run = try workflow.start(Counter())
        var iterator = entered.makeAsyncIterator()
        await iterator.next()
        run.cancel()
        let result = await run.result
        #expect(result.steps[0].attempts == 1)
    }

    @Test("an attempt longer than the timeout fails with StepTimeoutError")
    func timeoutFailsAttempt() async throws {
        let workflow = AdHoc(stepList: [
            Step("slow", retry: RetryPolicy(timeout: .milliseconds(100))) { _ in
                try await Task.sleep(for: .seconds(3600))
            }
        ])
        let result = await workflow.run(Counter())
        #expect(result.status == .failed)
        #expect(result.steps[0].attempts == 1)
        let error = try #require(result.error as? StepTimeoutError)
        #expect(error.message.contains("'slow'"))
    }

    @Test("a timeout is abandoned on time even when the body ignores cancellation")
    func timeoutAbandonsUncooperativeBody() async throws {
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let workflow = AdHoc(stepList: [
            Step("stuck", retry: RetryPolicy(timeout: .milliseconds(100))) { state in
                state.value = 99
                await withCheckedContinuation { continuation in gate.withLock { $0 = continuation } }
            }
        ])
        let result = await workflow.run(Counter())
        #expect(result.error is StepTimeoutError)
        #expect(result.state.value == 0, "the abandoned attempt's changes are dropped")
        // Let the abandoned body finish so the test leaves nothing behind.
        while gate.withLock({ $0 == nil }) { await Task.yield() }
        gate.withLock { $0?.resume() }
    }

    @Test("a timeout can be retryable, and a later attempt's state changes are kept")
    func timeoutRetryable() async {
        let workflow = AdHoc(stepList: [
            Step(
                "sometimes_slow",
                retry: RetryPolicy(
                    retries: 1, retryOn: [StepTimeoutError.self], timeout: .milliseconds(300))
            ) { state, context in
                if context.attempt == 1 { try await Task.sleep(for: .seconds(3600)) }
                state.value = context.attempt
                return "ok"
            }
        ])
        let result = await workflow.run(Counter())
        #expect(result.status == .succeeded)
        #expect(result.steps[0].attempts == 2)
        #expect(result.state.value == 2)
    }
}
