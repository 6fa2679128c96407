import Foundation
import StepFlow
import Synchronization
import Testing

// SPEC §1: validation runs before anything executes (and before graph export)
// and fails with a definition error whose message says what is wrong.

private struct ValidationState: Codable, Sendable, Equatable {
    var touched = 0
}

/// Records which step bodies ran, so a test can prove none did.
private final class BodyLog: Sendable {
    private let calls = Mutex<[String]>([])

    func record(_ name: String) {
        calls.withLock { $0.append(name) }
    }

    var all: [String] {
        calls.withLock { $0 }
    }
}

/// A workflow whose name, retry defaults and steps are given as values.
private struct ValidationWorkflow: Workflow {
    var name: String = "ValidationWorkflow"
    var retry: RetryPolicy = RetryPolicy()
    let stepList: [Step<ValidationState>]

    var steps: [Step<ValidationState>] {
        stepList
    }
}

/// A step whose body records that it ran, bumps the state and returns its first route key.
private func probeStep(
    _ name: String,
    _ log: BodyLog,
    retry: RetryPolicy? = nil,
    routes: KeyValuePairs<String, RouteTarget>? = nil,
    approval: ApprovalGate? = nil
) -> Step<ValidationState> {
    let output = routes?.first?.key ?? "done"
    return Step(name, retry: retry, routes: routes, approval: approval) { (state: inout ValidationState) -> String in
        log.record(name)
        state.touched += 1
        return output
    }
}

/// Checks every way an invalid workflow is refused: `definition()`, the
/// definition initializer, `graph()`, `exportWorkflowGraph`, `start` and `run`;
/// all with a ``WorkflowDefinitionError`` whose message contains each phrase,
/// and no step body ever runs.
private func expectInvalid(
    _ workflow: ValidationWorkflow,
    _ log: BodyLog,
    containing phrases: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    let error = #expect(throws: WorkflowDefinitionError.self, sourceLocation: sourceLocation) {
        try workflow.definition()
    }
    #expect(error != nil, "definition() must throw a WorkflowDefinitionError", sourceLocation: sourceLocation)
    let message = error?.message ?? ""
    for phrase in phrases {
        #expect(
            message.contains(phrase), "message \"\(message)\" should contain \"\(phrase)\"",
            sourceLocation: sourceLocation)
    }

    let direct = #expect(throws: WorkflowDefinitionError.self, sourceLocation: sourceLocation) {
        try WorkflowDefinition(name: workflow.name, defaults: workflow.retry, steps: workflow.steps)
    }
    #expect(direct?.message == error?.message, sourceLocation: sourceLocation)

    let graphError = #expect(throws: WorkflowDefinitionError.self, sourceLocation: sourceLocation) {
        try workflow.graph()
    }
    #expect(graphError?.message == error?.message, sourceLocation: sourceLocation)
    #expect(throws: WorkflowDefinitionError.self, sourceLocation: sourceLocation) {
        try reference.exportGraph(workflow)
    }
    #expect(throws: WorkflowDefinitionError.self, sourceLocation: sourceLocation) {
        try workflow.start(ValidationState())
    }

    let result = await workflow.run(ValidationState())
    #expect(result.status == .failed, sourceLocation: sourceLocation)
    #expect(result.workflowName == workflow.name, sourceLocation: sourceLocation)
    let runError = result.error as? WorkflowDefinitionError
    #expect(
        runError != nil,
        "the failed result's error must be a WorkflowDefinitionError, got \(String(describing: result.error))",
        sourceLocation: sourceLocation)
    #expect(runError?.message == error?.message, sourceLocation: sourceLocation)
    #expect(result.steps.isEmpty, sourceLocation: sourceLocation)
    #expect(result.state == ValidationState(), sourceLocation: sourceLocation)
    #expect(
        log.all.isEmpty, "no step body may run for an invalid workflow; ran \(log.all)",
        sourceLocation: sourceLocation)
}

@Suite("Definition validation (SPEC §1)")
struct DefinitionValidationTests {
    // MARK: Controls: the helpers and boundaries are valid

    @Test("a valid workflow passes validation and its bodies do run (control)")
    func validWorkflowRuns() async throws {
        let log = BodyLog()
        let workflow = ValidationWorkflow(
            retry: RetryPolicy(retries: 0, delay: .zero),
            stepList: [
                probeStep("a", log, retry: RetryPolicy(retries: 0, delay: .zero)),
                probeStep("b", log, routes: ["go": "c", "stop": .end]),
                probeStep("c", log),
            ])
        _ = try workflow.definition()
        _ = try workflow.graph()
        #expect(log.all.isEmpty)
        let result = await workflow.run(ValidationState())
        #expect(result.status == .succeeded)
        #expect(result.error == nil)
        #expect(log.all == ["a", "b", "c"])
        #expect(result.state.touched == 3)
    }

    @Test("boundary values are accepted: zero retries and delay, multiplier 1, jitter 0 and 1, a present message")
    func boundaryValuesAreValid() throws {
        let log = BodyLog()
        let workflow = ValidationWorkflow(
            retry: RetryPolicy(
                retries: 0, delay: .zero, backoff: Backoff(multiplier: 1, maxDelay: .zero, jitter: 0),
                timeout: .milliseconds(1)),
            stepList: [
                probeStep("a", log, retry: RetryPolicy(backoff: Backoff(multiplier: 1, jitter: 1))),
                probeStep("b", log, approval: .required(message: "ok?")),
                probeStep("c", log, approval: .required),
            ])
        let definition = try workflow.definition()
        #expect(definition.steps.map(\.name) == ["a", "b", "c"])
        #expect(log.all.isEmpty)
    }

    // MARK: SPEC §1 rules

    @Test("a workflow with no steps: \"at least one step\"")
    func noSteps() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(name: "Empty", stepList: []), log,
            containing: ["at least one step", "Empty"])
    }

    @Test("a duplicate step name: \"Duplicate step name 'x'\"")
    func duplicateStepName() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [probeStep("a", log), probeStep("x", log), probeStep("x", log)]), log,
            containing: ["Duplicate step name 'x'"])
    }

    @Test("an empty step name")
    func emptyStepName() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [probeStep("a", log), probeStep("", log)]), log,
            containing: ["empty name"])
    }

    @Test("the reserved step name `run`")
    func reservedRunName() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [probeStep("a", log), probeStep("run", log)]), log,
            containing: ["'run'", "reserved"])
    }

    @Test("names close to `run` are not reserved (control)")
    func nearlyRunIsValid() throws {
        let log = BodyLog()
        let workflow = ValidationWorkflow(
            stepList: [probeStep("Run", log), probeStep("run_", log), probeStep(" run", log)])
        _ = try workflow.definition()
    }

    @Test("a negative retry count on a step")
    func negativeStepRetries() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [probeStep("a", log), probeStep("b", log, retry: RetryPolicy(retries: -1))]),
            log, containing: ["negative retry count", "'b'"])
    }

    @Test("a negative retry count on the workflow")
    func negativeWorkflowRetries() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(name: "Defaults", retry: RetryPolicy(retries: -2), stepList: [probeStep("a", log)]),
            log, containing: ["negative retry count", "Defaults"])
    }

    @Test("a negative delay on a step")
    func negativeStepDelay() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [
                probeStep("a", log), probeStep("b", log, retry: RetryPolicy(delay: .milliseconds(-1))),
            ]),
            log, containing: ["negative retry delay", "'b'"])
    }

    @Test("a negative delay on the workflow")
    func negativeWorkflowDelay() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(
                name: "Defaults", retry: RetryPolicy(delay: .seconds(-1)), stepList: [probeStep("a", log)]),
            log, containing: ["negative retry delay", "Defaults"])
    }

    @Test("an approval message that is present but empty")
    func emptyApprovalMessage() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [probeStep("a", log), probeStep("b", log, approval: .required(message: ""))]),
            log, containing: ["empty approval message", "'b'"])
    }

    @Test("a route map that is present but empty")
    func emptyRouteMap() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [probeStep("a", log, routes: [:]), probeStep("b", log)]),
            log, containing: ["empty route map", "'a'"])
    }

    @Test("an empty route key")
    func emptyRouteKey() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [probeStep("a", log, routes: ["ok": "b", "": .end]), probeStep("b", log)]),
            log, containing: ["empty route key", "'a'"])
    }

    @Test("a route target that names no step: \"does not match a workflow step\"")
    func unknownRouteTarget() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [probeStep("a", log, routes: ["go": "nowhere"]), probeStep("b", log)]),
            log, containing: ["does not match a workflow step", "'nowhere'"])
    }

    @Test("a route to the same step: \"must point to a later step\"")
    func routeToSameStep() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [probeStep("a", log), probeStep("b", log, routes: ["again": "b"])]),
            log, containing: ["must point to a later step", "'b'"])
    }

    @Test("a route to an earlier step: \"must point to a later step\"")
    func routeToEarlierStep() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [
                probeStep("a", log), probeStep("b", log), probeStep("c", log, routes: ["next": .end, "back": "a"]),
            ]),
            log, containing: ["must point to a later step", "'a'"])
    }

    // MARK: Beyond the reference (DefinitionValidator)

    @Test("a backoff multiplier below 1, on a step and on the workflow", arguments: [0.5, 0, -1, Double.nan])
    func backoffMultiplierBelowOne(multiplier: Double) async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [
                probeStep("a", log), probeStep("b", log, retry: RetryPolicy(backoff: Backoff(multiplier: multiplier))),
            ]),
            log, containing: ["backoff multiplier", "'b'"])
        await expectInvalid(
            ValidationWorkflow(
                name: "Defaults", retry: RetryPolicy(backoff: Backoff(multiplier: multiplier)),
                stepList: [probeStep("a", log)]),
            log, containing: ["backoff multiplier", "Defaults"])
    }

    @Test("a backoff jitter outside 0...1, on a step and on the workflow", arguments: [-0.1, 1.01, 2, Double.nan])
    func jitterOutOfRange(jitter: Double) async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [
                probeStep("a", log), probeStep("b", log, retry: RetryPolicy(backoff: Backoff(jitter: jitter))),
            ]),
            log, containing: ["jitter", "'b'"])
        await expectInvalid(
            ValidationWorkflow(
                name: "Defaults", retry: RetryPolicy(backoff: Backoff(jitter: jitter)), stepList: [probeStep("a", log)]),
            log, containing: ["jitter", "Defaults"])
    }

    @Test(
        "a timeout that is not positive, on a step and on the workflow",
        arguments: [Duration.zero, .milliseconds(-1), .seconds(-5)])
    func nonPositiveTimeout(timeout: Duration) async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [
                probeStep("a", log), probeStep("b", log, retry: RetryPolicy(timeout: timeout)),
            ]),
            log, containing: ["timeout", "'b'"])
        await expectInvalid(
            ValidationWorkflow(name: "Defaults", retry: RetryPolicy(timeout: timeout), stepList: [probeStep("a", log)]),
            log, containing: ["timeout", "Defaults"])
    }

    @Test("a negative maximum backoff delay")
    func negativeMaxDelay() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [
                probeStep("a", log, retry: RetryPolicy(backoff: Backoff(maxDelay: .milliseconds(-1))))
            ]),
            log, containing: ["maximum backoff delay", "'a'"])
    }

    @Test("a route key declared twice")
    func duplicateRouteKey() async {
        let log = BodyLog()
        await expectInvalid(
            ValidationWorkflow(stepList: [
                probeStep("a", log, routes: ["k": "b", "other": .end, "k": .end]), probeStep("b", log),
            ]),
            log, containing: ["route key 'k'", "twice"])
    }

    // MARK: Run and graph on an invalid workflow

    @Test("run on an invalid workflow returns a failed result with a WorkflowDefinitionError, and no body runs")
    func runOnInvalidWorkflowFails() async throws {
        let log = BodyLog()
        // The invalid route is on the last step: the first two bodies would run if validation came late.
        let workflow = ValidationWorkflow(
            name: "LateProblem",
            stepList: [probeStep("a", log), probeStep("b", log), probeStep("c", log, routes: ["x": "missing"])])
        let result = await workflow.run(ValidationState(touched: 7))
        #expect(result.status == .failed)
        #expect(!result.succeeded)
        let error = try #require(result.error as? WorkflowDefinitionError)
        #expect(error.message.contains("does not match a workflow step"))
        #expect(result.steps.isEmpty)
        #expect(result.state == ValidationState(touched: 7))
        #expect(result.workflowName == "LateProblem")
        #expect(log.all.isEmpty)
        #expect(throws: WorkflowExecutionError.self) { try result.throwIfFailed() }
    }

    @Test("graph() and exportWorkflowGraph throw for an invalid workflow, and no body runs")
    func graphOnInvalidWorkflowThrows() {
        let log = BodyLog()
        let workflow = ValidationWorkflow(stepList: [probeStep("a", log), probeStep("a", log)])
        let error = #expect(throws: WorkflowDefinitionError.self) { try workflow.graph() }
        #expect(error?.message.contains("Duplicate step name 'a'") == true)
        let exportError = #expect(throws: WorkflowDefinitionError.self) { try reference.exportGraph(workflow) }
        #expect(exportError?.message == error?.message)
        #expect(log.all.isEmpty)
    }
}
