import Foundation
@testable import StepFlow
import StepFlowExamples
import Testing

@testable import StepFlowTUI

/// A model over the example catalog at a given size, with a fixed clock.
func exampleModel(width: Int = 80, height: Int = 24, unicode: Bool = true) -> ConsoleModel {
    ConsoleModel(
        catalog: ExampleCatalog.catalog.entries.map(CatalogItem.init), width: width, height: height,
        colors: false, unicode: unicode, now: Date(timeIntervalSince1970: 1_800_000_000), approver: "ana")
}

/// Applies messages in order and collects the commands.
@discardableResult
func send(_ model: inout ConsoleModel, _ messages: ConsoleMessage...) -> [ConsoleCommand] {
    messages.flatMap { ConsoleUpdate.update(&model, $0) }
}

/// Keys as messages.
func keys(_ keys: Key...) -> [ConsoleMessage] { keys.map { .key($0) } }

/// A run of approval-refund started in the model, with its request (approval id 7) waiting.
func modelWaitingForApproval(_ given: ApprovalRequest? = nil) -> (ConsoleModel, ApprovalRequest) {
    var model = exampleModel()
    let index = model.catalog.firstIndex { $0.name == "approval-refund" }!
    send(&model, .runStarted(key: 1, runID: "run0001abcd", catalogIndex: index, state: AnyState(JSONValue.object(["amount": 250])), at: model.now))
    let request = given ?? ApprovalRequest(
        workflowName: "approval-refund", stepName: "issue_refund", runID: "run0001abcd", state: AnyState(JSONValue.object(["amount": 250])),
        message: "Approve this refund?", metadata: ["auto_limit": 100])
    send(&model, .event(runKey: 1, .approvalRequested(request)), .approvalNeeded(runKey: 1, approvalID: 7, request))
    return (model, request)
}

@Suite("Console update")
struct ConsoleUpdateTests {
    @Test("j/k and arrows move the catalog selection within bounds; g/G jump")
    func homeMovement() {
        var model = exampleModel()
        for message in keys(.down, .character("j"), .down) { send(&model, message) }
        #expect(model.catalogSelection == 3)
        for message in keys(.up, .character("k")) { send(&model, message) }
        #expect(model.catalogSelection == 1)
        send(&model, .key(.character("G")))
        #expect(model.catalogSelection == model.catalog.count - 1)
        send(&model, .key(.down))
        #expect(model.catalogSelection == model.catalog.count - 1)
        send(&model, .key(.character("g")))
        #expect(model.catalogSelection == 0)
    }

    @Test("Enter opens the state editor prefilled with the default; Esc closes it")
    func editorOpens() {
        var model = exampleModel()
        send(&model, .key(.enter))
        #expect(model.editor?.text == model.catalog[0].defaultStateText)
        send(&model, .key(.escape))
        #expect(model.editor == nil)
    }

    @Test("the editor refuses invalid JSON before running, and runs valid JSON")
    func editorValidates() {
        var model = exampleModel()
        send(&model, .key(.enter))
        for message in keys(.character("x")) { send(&model, message) }
        #expect(send(&model, .key(.control("r"))).isEmpty)
        #expect(model.editor?.error?.hasPrefix("not valid JSON") == true)
        send(&model, .key(.backspace))
        let commands = send(&model, .key(.control("r")))
        #expect(commands == [.startRun(catalogIndex: 0, stateJSON: model.catalog[0].defaultStateText)])
    }

    @Test("typing in the editor inserts at the cursor and Enter splits the line")
    func editorTyping() {
        var model = exampleModel()
        model.editor = StateEditor(catalogIndex: 0, text: "{}")
        for message in keys(.right, .enter, .character("1")) { send(&model, message) }
        #expect(model.editor?.lines == ["{", "1}"])
        send(&model, .key(.backspace))
        send(&model, .key(.backspace))
        #expect(model.editor?.lines == ["{}"])
    }

    @Test("a run start opens its run view with every step pending")
    func runStarted() {
        let (model, _) = modelWaitingForApproval()
        #expect(model.screen == .run(1))
        #expect(model.runs[0].steps.map(\.name) == ["prepare_refund", "issue_refund", "notify_customer"])
        #expect(model.runs[0].steps[0].status == .pending)
    }

    @Test("an approval on the visible run pops the prompt; Enter never approves")
    func promptOpensAndEnterIsHarmless() {
        var (model, _) = modelWaitingForApproval()
        #expect(model.prompt?.runKey == 1)
        #expect(send(&model, .key(.enter)).isEmpty)
        #expect(model.prompt != nil)
        #expect(model.waitingCount == 1)
    }

    @Test("a approves with the typed reason; d denies; p postpones")
    func promptDecisions() {
        var (model, _) = modelWaitingForApproval()
        send(&model, .key(.character("r")))
        for character in "receipt ok" { send(&model, .key(.character(character))) }
        send(&model, .key(.enter))
        #expect(model.prompt?.reason == "receipt ok")
        #expect(send(&model, .key(.character("a"))) == [.answer(approvalID: 7, approved: true, reason: "receipt ok")])
        #expect(model.prompt == nil)
        #expect(model.waitingCount == 0)

        var (denying, _) = modelWaitingForApproval()
        #expect(send(&denying, .key(.character("d"))) == [.answer(approvalID: 7, approved: false, reason: nil)])

        var (postponing, _) = modelWaitingForApproval()
        #expect(send(&postponing, .key(.character("p"))) == [.postpone(approvalID: 7)])
        #expect(postponing.waitingCount == 0)
    }

    @Test("two approvals of one run at once (child workflows): each is answered by its own id, oldest first")
    func twoApprovalsOfOneRun() {
        var (model, first) = modelWaitingForApproval()
        let second = ApprovalRequest(
            workflowName: "child", stepName: "sign_off", runID: "child0002", state: AnyState(JSONValue.object([:])),
            message: "Sign off?", metadata: [:])
        send(&model, .approvalNeeded(runKey: 1, approvalID: 8, second))
        #expect(model.waitingCount == 2)
        #expect(model.run(1)?.waiting?.stepName == first.stepName)
        #expect(send(&model, .key(.character("a"))) == [.answer(approvalID: 7, approved: true, reason: nil)])
        // The prompt moves on to the second request at once.
        #expect(model.prompt?.runKey == 1)
        #expect(model.run(1)?.waiting?.stepName == "sign_off")
        #expect(model.waitingCount == 1)
        #expect(send(&model, .key(.character("d"))) == [.answer(approvalID: 8, approved: false, reason: nil)])
        #expect(model.prompt == nil)
        #expect(model.waitingCount == 0)
    }

    @Test("typing a reason does not trigger the decision keys")
    func reasonFieldSwallowsKeys() {
        var (model, _) = modelWaitingForApproval()
        send(&model, .key(.character("r")))
        #expect(send(&model, .key(.character("a"))).isEmpty)
        #expect(send(&model, .key(.character("d"))).isEmpty)
        #expect(model.prompt?.reason == "ad")
    }

    @Test("Esc closes the prompt without deciding; a reopens it; the badge counts the waiting run")
    func promptEscAndReopen() {
        var (model, _) = modelWaitingForApproval()
        send(&model, .key(.escape))
        #expect(model.prompt == nil)
        #expect(model.waitingCount == 1)
        send(&model, .key(.character("a")))
        #expect(model.prompt?.runKey == 1)
    }

    @Test("live events do not disturb an open prompt")
    func eventsKeepThePrompt() {
        var (model, request) = modelWaitingForApproval()
        send(&model, .key(.character("r")), .key(.character("x")))
        let other = StepResult(stepName: "prepare_refund", status: .succeeded, attempts: 1)
        send(&model, .event(runKey: 1, .stepFinished(StepFinishedEvent(
            workflowName: request.workflowName, runID: request.runID, stepName: "prepare_refund", stepIndex: 0,
            state: request.state, result: other))), .tick(model.now.addingTimeInterval(1)))
        #expect(model.prompt?.reason == "x")
        #expect(model.prompt?.editingReason == true)
        #expect(model.runs[0].steps[0].status == .succeeded)
    }

    @Test("engine events update step rows: status, attempts, retry countdown, route, decision, children")
    func eventsUpdateRows() throws {
        var (model, request) = modelWaitingForApproval()
        let state = request.state
        send(&model, .event(runKey: 1, .retryScheduled(RetryScheduledEvent(
            workflowName: "approval-refund", runID: request.runID, stepName: "notify_customer", failedAttempt: 1,
            delay: .seconds(3), error: StepTimeoutError("slow")))))
        #expect(model.runs[0].steps[2].retryAt == model.now.addingTimeInterval(3))
        #expect(model.runs[0].steps[2].lastError == "StepTimeoutError: slow")
        send(&model, .event(runKey: 1, .approvalDecided(ApprovalDecidedEvent(
            workflowName: "approval-refund", runID: request.runID, stepName: "issue_refund",
            decision: .approve(reason: "fine", by: "ana")))))
        #expect(model.runs[0].steps[1].decision == "approved by ana: fine")
        send(&model, .event(runKey: 1, .childWorkflowStarted(ChildWorkflowStartedEvent(
            workflowName: "approval-refund", runID: request.runID, stepName: "issue_refund",
            childWorkflowName: "fraud-check", childRunID: "child01"))))
        #expect(model.runs[0].steps[1].children.map(\.name) == ["fraud-check"])
        send(&model, .event(runKey: 1, .stepFinished(StepFinishedEvent(
            workflowName: "fraud-check", runID: "child01", stepName: "score_risk", stepIndex: 0, state: state,
            result: StepResult(stepName: "score_risk", status: .succeeded, attempts: 1)))))
        #expect(model.runs[0].steps[1].children[0].steps == ["score_risk succeeded"])
        #expect(model.runs[0].log.count == 5)
    }

    @Test("Enter on a step folds and unfolds its child workflows")
    func foldChildren() {
        var (model, _) = modelWaitingForApproval()
        send(&model, .key(.escape))  // close the prompt
        #expect(model.runs[0].steps[0].expanded)
        send(&model, .key(.enter))
        #expect(!model.runs[0].steps[0].expanded)
    }

    @Test("a finished run records status and checkpoint, and closes its prompt")
    func runFinished() {
        var (model, _) = modelWaitingForApproval()
        send(&model, .runFinished(runKey: 1, status: .paused, checkpointPath: "/tmp/x.json", at: model.now))
        #expect(model.prompt == nil)
        #expect(model.runs[0].status == .paused)
        #expect(model.runs[0].checkpointPath == "/tmp/x.json")
        #expect(model.notice?.contains("/tmp/x.json") == true)
    }

    @Test("q asks first while a run is active; y quits, n stays; idle q quits at once")
    func quitConfirmation() {
        var (model, _) = modelWaitingForApproval()
        send(&model, .key(.escape))
        #expect(send(&model, .key(.character("q"))).isEmpty)
        #expect(model.overlay == .confirmQuit)
        send(&model, .key(.character("n")))
        #expect(model.overlay == nil)
        send(&model, .key(.character("q")))
        #expect(send(&model, .key(.character("y"))) == [.quit])

        var idle = exampleModel()
        #expect(send(&idle, .key(.character("q"))) == [.quit])
    }

    @Test("a signal quits at once")
    func interruptedQuits() {
        var (model, _) = modelWaitingForApproval()
        #expect(send(&model, .interrupted(signal: SIGTERM)) == [.quit])
        #expect(model.quitting)
        #expect(model.interruptedBy == SIGTERM)
    }

    @Test("Tab cycles the run view's panes; j/k scroll the focused one")
    func panes() {
        var (model, _) = modelWaitingForApproval()
        send(&model, .key(.escape))
        let order = (0..<4).map { _ in
            defer { send(&model, .key(.tab)) }
            return model.runFocus
        }
        #expect(order == [.steps, .graph, .state, .log])
        #expect(model.runFocus == .steps)
        send(&model, .key(.tab), .key(.character("j")), .key(.character("j")))
        #expect(model.runs[0].scroll[.graph] == 2)
        send(&model, .key(.backTab))
        #expect(model.runFocus == .steps)
    }

    @Test("m shows Mermaid and s asks to save it; ? shows help; Esc closes")
    func overlays() {
        var model = exampleModel()
        send(&model, .key(.character("m")))
        guard case .mermaid(let name, let text) = model.overlay else {
            Issue.record("no Mermaid overlay")
            return
        }
        #expect(name == "refund-workflow")
        #expect(send(&model, .key(.character("s"))) == [.saveMermaid(workflow: name, text: text)])
        send(&model, .key(.character("?")))
        #expect(model.overlay == .help)
        send(&model, .key(.escape))
        #expect(model.overlay == nil)
    }

    @Test("Esc goes home to the run list; Enter there reopens the run and its waiting prompt")
    func homeAndBack() {
        var (model, _) = modelWaitingForApproval()
        send(&model, .key(.escape), .key(.escape))
        #expect(model.screen == .home)
        #expect(model.homeFocus == .runs)
        send(&model, .key(.enter))
        #expect(model.screen == .run(1))
        #expect(model.prompt?.runKey == 1)
    }

    @Test("[ and ] switch runs; n goes to the catalog to start another")
    func switchRuns() {
        var (model, _) = modelWaitingForApproval()
        send(&model, .key(.escape))
        send(&model, .runStarted(key: 2, runID: "run2", catalogIndex: 0, state: AnyState(JSONValue.object([:])), at: model.now))
        #expect(model.screen == .run(2))
        send(&model, .key(.character("]")))
        #expect(model.screen == .run(1))
        #expect(model.prompt?.runKey == 1, "switching to a waiting run pops its prompt")
        send(&model, .key(.escape), .key(.character("[")))
        #expect(model.screen == .run(2))
        send(&model, .key(.character("n")))
        #expect(model.screen == .home)
        #expect(model.homeFocus == .catalog)
    }

    @Test("the log scrolls back with up and PgUp, forward with down, within its length")
    func logScrolling() {
        var (model, request) = modelWaitingForApproval()
        send(&model, .key(.escape), .key(.backTab))
        #expect(model.runFocus == .log)
        for _ in 0..<3 {
            send(&model, .event(runKey: 1, .stepStarted(StepStartedEvent(
                workflowName: "approval-refund", runID: request.runID, stepName: "notify_customer", stepIndex: 2,
                state: request.state, startedAt: model.now))))
        }
        send(&model, .key(.up))
        #expect(model.runs[0].scroll[.log] == 1)
        send(&model, .key(.pageUp))
        #expect(model.runs[0].scroll[.log] == model.runs[0].log.count - 1)
        send(&model, .key(.pageDown))
        #expect(model.runs[0].scroll[.log] == 0)
    }

    @Test("workflowStarted, workflowFinished and childWorkflowFinished update the run")
    func lifecycleEvents() {
        var (model, request) = modelWaitingForApproval()
        send(&model, .event(runKey: 1, .childWorkflowStarted(ChildWorkflowStartedEvent(
            workflowName: "approval-refund", runID: request.runID, stepName: "prepare_refund",
            childWorkflowName: "fraud-check", childRunID: "c1"))))
        let childResult = WorkflowResult<AnyState>(
            workflowName: "fraud-check", runID: "c1", state: request.state, status: .failed, steps: [],
            startedAt: model.now, finishedAt: model.now)
        send(&model, .event(runKey: 1, .childWorkflowFinished(ChildWorkflowFinishedEvent(
            workflowName: "approval-refund", runID: request.runID, stepName: "prepare_refund", result: childResult))))
        #expect(model.runs[0].steps[0].children.first?.status == .failed)
        let skipped = StepResult.skipped("notify_customer", requiresApproval: false, reason: "not reached because workflow failed")
        let final = WorkflowResult<AnyState>(
            workflowName: "approval-refund", runID: request.runID, state: request.state, status: .failed,
            steps: [skipped], startedAt: model.now, finishedAt: model.now)
        send(&model, .event(runKey: 1, .workflowFinished(WorkflowFinishedEvent(
            workflowName: "approval-refund", runID: request.runID, state: request.state, result: final))))
        #expect(model.runs[0].status == .failed)
        #expect(model.runs[0].steps[2].status == .skipped)
        #expect(model.runs[0].waiting == nil)
        send(&model, .event(runKey: 1, .workflowStarted(WorkflowStartedEvent(
            workflowName: "approval-refund", runID: request.runID, state: request.state, startedAt: model.now))))
        #expect(model.runs[0].status == .running)
    }

    @Test("keys in a terminal below the minimum size only quit")
    func tinyTerminalKeys() {
        var model = exampleModel(width: 30, height: 10)
        send(&model, .key(.enter))
        #expect(model.editor == nil)
        #expect(send(&model, .key(.character("q"))) == [.quit])
    }

    @Test("home: Home/End jump, Shift-Tab switches lists, m on the catalog shows Mermaid")
    func remainingHomeKeys() {
        var model = exampleModel()
        send(&model, .key(.end))
        #expect(model.catalogSelection == model.catalog.count - 1)
        send(&model, .key(.home))
        #expect(model.catalogSelection == 0)
        send(&model, .runStarted(key: 1, runID: "r1", catalogIndex: 0, state: AnyState(JSONValue.object([:])), at: model.now))
        send(&model, .key(.escape))
        #expect(model.homeFocus == .runs)
        send(&model, .key(.backTab))
        #expect(model.homeFocus == .catalog)
        send(&model, .key(.tab))
        #expect(model.homeFocus == .runs)
    }

    @Test("run view: h goes home, space folds, PgUp/PgDn scroll the graph, m shows the run's Mermaid")
    func remainingRunKeys() {
        var (model, _) = modelWaitingForApproval()
        send(&model, .key(.escape))
        send(&model, .key(.character(" ")))
        #expect(!model.runs[0].steps[0].expanded)
        send(&model, .key(.tab), .key(.pageDown))
        #expect(model.runs[0].scroll[.graph] == 10)
        send(&model, .key(.pageUp), .key(.pageUp))
        #expect(model.runs[0].scroll[.graph] == 0)
        send(&model, .key(.character("m")))
        #expect(model.overlay == .mermaid(workflow: "approval-refund", text: model.catalog[4].graph.mermaid()))
        send(&model, .key(.character("m")))
        #expect(model.overlay == nil)
        send(&model, .key(.character("h")))
        #expect(model.screen == .home)
    }

    @Test("editor: arrows, Home and End move the cursor; typing lands at the cursor")
    func remainingEditorKeys() {
        var model = exampleModel()
        model.editor = StateEditor(catalogIndex: 0, text: "ab\ncd")
        send(&model, .key(.down), .key(.end), .key(.character("!")))
        #expect(model.editor?.lines == ["ab", "cd!"])
        send(&model, .key(.home), .key(.character(">")))
        #expect(model.editor?.lines == ["ab", ">cd!"])
        // Up keeps the column (1), right moves to 2: the end of "ab".
        send(&model, .key(.up), .key(.right), .key(.character("-")))
        #expect(model.editor?.lines == ["ab-", ">cd!"])
        send(&model, .key(.left), .key(.left), .key(.character("[")))
        #expect(model.editor?.lines == ["a[b-", ">cd!"])
        send(&model, .key(.home), .key(.backspace))
        #expect(model.editor?.lines == ["a[b-", ">cd!"], "backspace at the start of the first line does nothing")
    }

    @Test("prompt: Tab or Enter end the reason field, backspace edits it, Esc leaves it")
    func remainingPromptKeys() {
        var (model, _) = modelWaitingForApproval()
        send(&model, .key(.character("r")), .key(.character("x")), .key(.character("y")), .key(.backspace))
        #expect(model.prompt?.reason == "x")
        send(&model, .key(.tab))
        #expect(model.prompt?.editingReason == false)
        send(&model, .key(.character("r")), .key(.escape))
        #expect(model.prompt?.editingReason == false)
        #expect(model.prompt != nil, "Esc inside the field leaves the field, not the prompt")
        #expect(send(&model, .key(.character("x"))).isEmpty, "other keys never decide")
    }

    @Test("help closes with ?, q or Esc; the quit question closes with Esc")
    func overlayClosingKeys() {
        for key in [Key.character("?"), .character("q"), .escape] {
            var model = exampleModel()
            send(&model, .key(.character("?")), .key(key))
            #expect(model.overlay == nil)
        }
        var (model, _) = modelWaitingForApproval()
        send(&model, .key(.escape), .key(.character("q")), .key(.escape))
        #expect(model.overlay == nil)
        #expect(!model.quitting)
    }

    @Test("the event log keeps only its newest lines")
    func boundedLog() {
        var log = BoundedLog<String>(capacity: 3)
        for line in ["a", "b", "c", "d", "e"] { log.append(line) }
        #expect(log.entries == ["c", "d", "e"])
        #expect(log.suffix(2) == ["d", "e"])
        #expect(log.suffix(2, skippingNewest: 1) == ["c", "d"])
        #expect(log.dropped == 2)
    }
}
