import Foundation
import StepFlowExamples
import Testing

@testable import StepFlow
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
func modelWaitingForApproval(_ given: ApprovalRequest? = nil) throws -> (ConsoleModel, ApprovalRequest) {
    var model = exampleModel()
    let index = try #require(model.catalog.firstIndex { $0.name == "approval-refund" })
    send(
        &model,
        .runStarted(
            key: 1, runID: "run0001abcd", catalogIndex: index, state: AnyState(JSONValue.object(["amount": 250])),
            at: model.now))
    let request =
        given
        ?? ApprovalRequest(
            workflowName: "approval-refund", stepName: "issue_refund", runID: "run0001abcd",
            state: AnyState(JSONValue.object(["amount": 250])),
            message: "Approve this refund?", metadata: ["auto_limit": 100])
    send(&model, .event(runKey: 1, .approvalRequested(request)), .approvalNeeded(runKey: 1, approvalID: 7, request))
    return (model, request)
}

/// A fraud-check child workflow starting under approval-refund's prepare_refund step, as the run's event.
func fraudCheckStarted(for request: ApprovalRequest, childRunID: String = "child01") -> ConsoleMessage {
    .event(
        runKey: 1,
        .childWorkflowStarted(
            ChildWorkflowStartedEvent(
                workflowName: "approval-refund", runID: request.runID, stepName: "prepare_refund",
                childWorkflowName: "fraud-check", childRunID: childRunID)))
}

/// The index of the example workflow with this name in the example catalog.
func exampleIndex(_ name: String) throws -> Int {
    try #require(ExampleCatalog.catalog.entries.firstIndex { $0.name == name })
}

@Suite("Console update")
struct ConsoleUpdateTests {
    @Test("j/k and arrows move the catalog selection within bounds; g/G jump")
    func homeMovement() {
        var store = ConsoleTestStore(exampleModel())
        let last = store.model.catalog.count - 1
        store.send(.key(.down)) { $0.catalogSelection = 1 }
        store.send(.key("j")) { $0.catalogSelection = 2 }
        store.send(.key(.down)) { $0.catalogSelection = 3 }
        store.send(.key(.up)) { $0.catalogSelection = 2 }
        store.send(.key("k")) { $0.catalogSelection = 1 }
        store.send(.key("G")) { $0.catalogSelection = last }
        store.send(.key(.down))  // at the end: nothing moves
        store.send(.key("g")) { $0.catalogSelection = 0 }
        store.send(.key(.up))
    }

    @Test("Enter opens the state editor prefilled with the default; Esc closes it")
    func editorOpens() {
        var store = ConsoleTestStore(exampleModel())
        let text = store.model.catalog[0].defaultStateText
        store.send(.key(.enter)) { $0.editor = StateEditor(catalogIndex: 0, text: text) }
        store.send(.key(.escape)) { $0.editor = nil }
    }

    @Test("the editor refuses invalid JSON before running, and runs valid JSON")
    func editorValidates() {
        var model = exampleModel()
        send(&model, .key(.enter), .key("x"))
        // The problem's wording is Foundation's; its prefix is ours.
        #expect(send(&model, .key(.control("r"))).isEmpty)
        #expect(model.editor?.error?.hasPrefix("not valid JSON") == true)
        var store = ConsoleTestStore(model)
        store.send(.key(.backspace)) {
            $0.editor?.lines[0].removeFirst()
            $0.editor?.column = 0
        }
        let text = model.catalog[0].defaultStateText
        store.send(.key(.control("r")), commands: [.startRun(catalogIndex: 0, stateJSON: text)]) {
            $0.editor?.error = nil
        }
    }

    @Test("typing in the editor inserts at the cursor and Enter splits the line")
    func editorTyping() {
        var model = exampleModel()
        model.editor = StateEditor(catalogIndex: 0, text: "{}")
        var store = ConsoleTestStore(model)
        store.send(.key(.right)) { $0.editor?.column = 1 }
        store.send(.key(.enter)) {
            $0.editor?.lines = ["{", "}"]
            $0.editor?.row = 1
            $0.editor?.column = 0
        }
        store.send(.key("1")) {
            $0.editor?.lines = ["{", "1}"]
            $0.editor?.column = 1
        }
        store.send(.key(.backspace)) {
            $0.editor?.lines = ["{", "}"]
            $0.editor?.column = 0
        }
        store.send(.key(.backspace)) {
            $0.editor?.lines = ["{}"]
            $0.editor?.row = 0
            $0.editor?.column = 1
        }
    }

    @Test("a run start closes the editor and opens its run view with every step pending; its time moves the clock")
    func runStarted() throws {
        let approvalRefundIndex = try exampleIndex("approval-refund")
        var model = exampleModel()
        model.editor = StateEditor(catalogIndex: approvalRefundIndex, text: "{}")
        var store = ConsoleTestStore(model)
        let state = AnyState(JSONValue.object(["amount": 250]))
        let at = model.now.addingTimeInterval(5)
        store.send(.runStarted(key: 1, runID: "run1", catalogIndex: approvalRefundIndex, state: state, at: at)) {
            $0.runs = [
                RunView(
                    key: 1, runID: "run1", workflowName: "approval-refund", catalogIndex: approvalRefundIndex,
                    startedAt: at,
                    steps: [
                        StepRow(name: "prepare_refund", gated: false), StepRow(name: "issue_refund", gated: true),
                        StepRow(name: "notify_customer", gated: false),
                    ],
                    state: state)
            ]
            $0.editor = nil
            $0.screen = .run(1)
            $0.now = at
        }
    }

    @Test("a rejected start opens the editor on the text with the problem, or keeps the open one")
    func runStartRejected() {
        var store = ConsoleTestStore(exampleModel())
        store.send(.runStartRejected(catalogIndex: 2, stateJSON: "{}", reason: "missing key 'amount'")) {
            $0.editor = StateEditor(catalogIndex: 2, text: "{}")
            $0.editor?.error = "missing key 'amount'"
        }
        store.send(.runStartRejected(catalogIndex: 2, stateJSON: "{}", reason: "still missing")) {
            $0.editor?.error = "still missing"
        }
    }

    @Test("an approval on the visible run pops the prompt; Enter never approves")
    func promptOpensAndEnterIsHarmless() throws {
        var (model, request) = try modelWaitingForApproval()
        model.prompt = nil
        model.runs[0].pendingApprovals = []
        var store = ConsoleTestStore(model)
        store.send(.approvalNeeded(runKey: 1, approvalID: 7, request)) {
            $0.runs[0].pendingApprovals = [PendingApproval(id: 7, request: request)]
            $0.prompt = ApprovalPrompt(runKey: 1)
        }
        store.send(.key(.enter))
    }

    @Test("an approval of a run out of sight waits behind the badge")
    func approvalOutOfSight() throws {
        var (model, request) = try modelWaitingForApproval()
        model.prompt = nil
        model.runs[0].pendingApprovals = []
        model.screen = .home
        var store = ConsoleTestStore(model)
        store.send(.approvalNeeded(runKey: 1, approvalID: 7, request)) {
            $0.runs[0].pendingApprovals = [PendingApproval(id: 7, request: request)]
        }
        store.send(.approvalNeeded(runKey: 9, approvalID: 8, request))  // an unknown run: nothing
    }

    @Test("a approves with the typed reason; d denies; p postpones")
    func promptDecisions() throws {
        var store = try ConsoleTestStore(modelWaitingForApproval().0)
        store.send(.key("r")) { $0.prompt?.editingReason = true }
        for character in "receipt ok" {
            store.send(.key(.character(character))) { $0.prompt?.reason.append(character) }
        }
        store.send(.key(.enter)) { $0.prompt?.editingReason = false }
        store.send(.key("a"), commands: [.answer(approvalID: 7, approved: true, reason: "receipt ok")]) {
            $0.prompt = nil
            $0.runs[0].pendingApprovals = []
        }

        var denying = try ConsoleTestStore(modelWaitingForApproval().0)
        denying.send(.key("d"), commands: [.answer(approvalID: 7, approved: false, reason: nil)]) {
            $0.prompt = nil
            $0.runs[0].pendingApprovals = []
        }

        var postponing = try ConsoleTestStore(modelWaitingForApproval().0)
        postponing.send(.key("p"), commands: [.postpone(approvalID: 7)]) {
            $0.prompt = nil
            $0.runs[0].pendingApprovals = []
        }
    }

    @Test("two approvals of one run at once (child workflows): each is answered by its own id, oldest first")
    func twoApprovalsOfOneRun() throws {
        let (model, first) = try modelWaitingForApproval()
        let second = ApprovalRequest(
            workflowName: "child", stepName: "sign_off", runID: "child0002", state: AnyState(JSONValue.object([:])),
            message: "Sign off?", metadata: [:])
        var store = ConsoleTestStore(model)
        store.send(.approvalNeeded(runKey: 1, approvalID: 8, second)) {
            $0.runs[0].pendingApprovals.append(PendingApproval(id: 8, request: second))
        }
        #expect(store.model.run(1)?.waiting == first)
        // The prompt moves on to the second request at once.
        store.send(.key("a"), commands: [.answer(approvalID: 7, approved: true, reason: nil)]) {
            $0.runs[0].pendingApprovals = [PendingApproval(id: 8, request: second)]
        }
        store.send(.key("d"), commands: [.answer(approvalID: 8, approved: false, reason: nil)]) {
            $0.runs[0].pendingApprovals = []
            $0.prompt = nil
        }
    }

    @Test("typing a reason does not trigger the decision keys")
    func reasonFieldSwallowsKeys() throws {
        var store = try ConsoleTestStore(modelWaitingForApproval().0)
        store.send(.key("r")) { $0.prompt?.editingReason = true }
        store.send(.key("a")) { $0.prompt?.reason = "a" }
        store.send(.key("d")) { $0.prompt?.reason = "ad" }
        store.send(.key("q")) { $0.prompt?.reason = "adq" }
        store.send(.key("?")) { $0.prompt?.reason = "adq?" }
    }

    @Test("Esc closes the prompt without deciding; a reopens it; the badge counts the waiting run")
    func promptEscAndReopen() throws {
        var store = try ConsoleTestStore(modelWaitingForApproval().0)
        store.send(.key(.escape)) { $0.prompt = nil }
        #expect(store.model.waitingCount == 1)
        store.send(.key("a")) { $0.prompt = ApprovalPrompt(runKey: 1) }
    }

    @Test("live events do not disturb an open prompt; each is logged at its arrival time")
    func eventsKeepThePrompt() throws {
        let (model, request) = try modelWaitingForApproval()
        var store = ConsoleTestStore(model)
        store.send(.key("r")) { $0.prompt?.editingReason = true }
        store.send(.key("x")) { $0.prompt?.reason = "x" }
        let event = WorkflowEvent.stepFinished(
            StepFinishedEvent(
                workflowName: request.workflowName, runID: request.runID, stepName: "prepare_refund", stepIndex: 0,
                state: request.state, result: StepResult(stepName: "prepare_refund", status: .succeeded, attempts: 1)))
        let arrival = model.now.addingTimeInterval(1)
        store.send(.event(runKey: 1, event, at: arrival)) {
            $0.runs[0].log.append(LogEntry(time: arrival, event: event))
            $0.runs[0].steps[0].status = .succeeded
            $0.runs[0].steps[0].attempts = 1
            $0.runs[0].steps[0].durationMs = 0
            $0.now = arrival
        }
        store.send(.tick(arrival.addingTimeInterval(0.25))) { $0.now = arrival.addingTimeInterval(0.25) }
        // A late arrival keeps its own time in the log but never turns the clock back.
        store.send(.event(runKey: 1, event, at: arrival)) {
            $0.runs[0].log.append(LogEntry(time: arrival, event: event))
        }
        store.send(.event(runKey: 5, event, at: arrival))  // an unknown run: nothing
    }

    @Test("engine events update step rows: status, attempts, retry countdown, route, decision, children")
    func eventsUpdateRows() throws {
        let (model, request) = try modelWaitingForApproval()
        let now = model.now
        var store = ConsoleTestStore(model)
        let retry = WorkflowEvent.retryScheduled(
            RetryScheduledEvent(
                workflowName: "approval-refund", runID: request.runID, stepName: "notify_customer", failedAttempt: 1,
                delay: .seconds(3), error: StepTimeoutError("slow")))
        store.send(.event(runKey: 1, retry, at: now)) {
            $0.runs[0].log.append(LogEntry(time: now, event: retry))
            $0.runs[0].steps[2].attempts = 1
            $0.runs[0].steps[2].lastError = "StepTimeoutError: slow"
            $0.runs[0].steps[2].retryAt = now.addingTimeInterval(3)
        }
        let decided = WorkflowEvent.approvalDecided(
            ApprovalDecidedEvent(
                workflowName: "approval-refund", runID: request.runID, stepName: "issue_refund",
                decision: .approve(reason: "fine", by: "ana")))
        // Decided while the prompt still asked (elsewhere first, in a recorded run): the prompt closes.
        store.send(.event(runKey: 1, decided, at: now)) {
            $0.runs[0].log.append(LogEntry(time: now, event: decided))
            $0.runs[0].steps[1].decision = "approved by ana: fine"
            $0.runs[0].steps[1].status = .running
            $0.runs[0].pendingApprovals = []
            $0.prompt = nil
        }
        let child = WorkflowEvent.childWorkflowStarted(
            ChildWorkflowStartedEvent(
                workflowName: "approval-refund", runID: request.runID, stepName: "issue_refund",
                childWorkflowName: "fraud-check", childRunID: "child01"))
        store.send(.event(runKey: 1, child, at: now)) {
            $0.runs[0].log.append(LogEntry(time: now, event: child))
            $0.runs[0].steps[1].children = [ChildRow(runID: "child01", name: "fraud-check", status: .running)]
        }
        let childStep = WorkflowEvent.stepFinished(
            StepFinishedEvent(
                workflowName: "fraud-check", runID: "child01", stepName: "score_risk", stepIndex: 0,
                state: request.state,
                result: StepResult(stepName: "score_risk", status: .succeeded, attempts: 1)))
        store.send(.event(runKey: 1, childStep, at: now)) {
            $0.runs[0].log.append(LogEntry(time: now, event: childStep))
            $0.runs[0].steps[1].children[0].steps = ["score_risk succeeded"]
        }
    }

    @Test("Enter on a step folds and unfolds its child workflows")
    func foldChildren() throws {
        var store = try ConsoleTestStore(modelWaitingForApproval().0)
        store.send(.key(.escape)) { $0.prompt = nil }
        store.send(.key(.enter)) { $0.runs[0].steps[0].expanded = false }
        store.send(.key(.enter)) { $0.runs[0].steps[0].expanded = true }
    }

    @Test("a finished run records status and checkpoint, and closes its prompt")
    func runFinished() throws {
        let (model, _) = try modelWaitingForApproval()
        var store = ConsoleTestStore(model)
        store.send(.runFinished(runKey: 1, status: .paused, checkpointPath: "/tmp/x.json", at: model.now)) {
            $0.prompt = nil
            $0.runs[0].status = .paused
            $0.runs[0].checkpointPath = "/tmp/x.json"
            $0.runs[0].finishedAt = model.now
            $0.runs[0].pendingApprovals = []
            $0.notice = "approval-refund paused; checkpoint saved to /tmp/x.json"
        }
    }

    @Test("q asks first while a run is active; y quits, n stays; idle q quits at once")
    func quitConfirmation() throws {
        var store = try ConsoleTestStore(modelWaitingForApproval().0)
        store.send(.key(.escape)) { $0.prompt = nil }
        store.send(.key("q")) { $0.overlay = .confirmQuit }
        store.send(.key("n")) { $0.overlay = nil }
        store.send(.key("q")) { $0.overlay = .confirmQuit }
        store.send(.key("y"), commands: [.quit]) {
            $0.overlay = nil
            $0.quitting = true
        }

        var idle = ConsoleTestStore(exampleModel())
        idle.send(.key("q"), commands: [.quit]) { $0.quitting = true }
    }

    @Test("a signal quits at once")
    func interruptedQuits() throws {
        var store = try ConsoleTestStore(modelWaitingForApproval().0)
        store.send(.interrupted(signal: SIGTERM), commands: [.quit]) {
            $0.quitting = true
            $0.interruptedBy = SIGTERM
        }
    }

    @Test("Tab cycles the run view's panes; j/k scroll the focused one")
    func panes() throws {
        var store = try ConsoleTestStore(modelWaitingForApproval().0)
        store.send(.key(.escape)) { $0.prompt = nil }
        for pane in [RunPane.graph, .state, .log, .steps] {
            store.send(.key(.tab)) { $0.runFocus = pane }
        }
        store.send(.key(.tab)) { $0.runFocus = .graph }
        store.send(.key("j")) { $0.runs[0].scroll[.graph] = 1 }
        store.send(.key("j")) { $0.runs[0].scroll[.graph] = 2 }
        store.send(.key(.backTab)) { $0.runFocus = .steps }
        store.send(.key(.backTab)) { $0.runFocus = .log }
    }

    @Test("m shows Mermaid and s asks to save it; ? shows help; Esc closes")
    func overlays() {
        var store = ConsoleTestStore(exampleModel())
        let item = store.model.catalog[0]
        #expect(item.name == "refund-workflow")
        store.send(.key("m")) { $0.overlay = .mermaid(workflow: item.name, text: item.graph.mermaid()) }
        store.send(.key("s"), commands: [.saveMermaid(workflow: item.name, text: item.graph.mermaid())]) {
            $0.overlay = nil
        }
        store.send(.key("?")) { $0.overlay = .help }
        store.send(.key(.escape)) { $0.overlay = nil }
    }

    @Test("saving Mermaid reports where it went, or why it could not")
    func mermaidSaveResults() {
        var store = ConsoleTestStore(exampleModel())
        store.send(.mermaidSaved(path: "/tmp/refund-workflow.mmd")) {
            $0.notice = "Mermaid saved to /tmp/refund-workflow.mmd"
        }
        store.send(.mermaidNotSaved(path: "/ro/x.mmd", reason: "read-only")) {
            $0.notice = "cannot save /ro/x.mmd: read-only"
        }
        store.send(.notice("disk full")) { $0.notice = "disk full" }
    }

    @Test("ticks come four times a second while a step runs, each second while a run waits, never when idle")
    func ticksWhileSomethingMoves() throws {
        var (model, request) = try modelWaitingForApproval()
        #expect(ConsoleUpdate.tickInterval(for: exampleModel()) == nil)
        #expect(ConsoleUpdate.tickInterval(for: model) == .seconds(1))
        send(
            &model,
            .event(
                runKey: 1,
                .stepStarted(
                    StepStartedEvent(
                        workflowName: "approval-refund", runID: request.runID, stepName: "notify_customer",
                        stepIndex: 2,
                        state: request.state, startedAt: model.now))))
        #expect(ConsoleUpdate.tickInterval(for: model) == .milliseconds(250))
        send(&model, .runFinished(runKey: 1, status: .succeeded, checkpointPath: nil, at: model.now))
        #expect(ConsoleUpdate.tickInterval(for: model) == nil)
    }

    @Test("Esc goes home to the run list; Enter there reopens the run and its waiting prompt")
    func homeAndBack() throws {
        var store = try ConsoleTestStore(modelWaitingForApproval().0)
        store.send(.key(.escape)) { $0.prompt = nil }
        store.send(.key(.escape)) {
            $0.screen = .home
            $0.homeFocus = .runs
        }
        store.send(.key(.enter)) {
            $0.screen = .run(1)
            $0.prompt = ApprovalPrompt(runKey: 1)
        }
    }

    @Test("[ and ] switch runs; n goes to the catalog to start another")
    func switchRuns() throws {
        let (model, _) = try modelWaitingForApproval()
        var store = ConsoleTestStore(model)
        store.send(.key(.escape)) { $0.prompt = nil }
        let state = AnyState(JSONValue.object([:]))
        store.send(.runStarted(key: 2, runID: "run2", catalogIndex: 0, state: state, at: model.now)) {
            $0.runs.append(
                RunView(
                    key: 2, runID: "run2", workflowName: "refund-workflow", catalogIndex: 0, startedAt: model.now,
                    steps: model.catalog[0].graph.nodes.filter { $0.kind == .step }.map {
                        StepRow(name: $0.label, gated: $0.requiresApproval)
                    },
                    state: state))
            $0.screen = .run(2)
        }
        // Switching to a waiting run pops its prompt.
        store.send(.key("]")) {
            $0.screen = .run(1)
            $0.prompt = ApprovalPrompt(runKey: 1)
        }
        store.send(.key(.escape)) { $0.prompt = nil }
        store.send(.key("[")) { $0.screen = .run(2) }
        store.send(.key("n")) {
            $0.screen = .home
            $0.homeFocus = .catalog
        }
    }

    @Test("the log scrolls back with up and PgUp, forward with down, within its length")
    func logScrolling() throws {
        var (model, request) = try modelWaitingForApproval()
        send(&model, .key(.escape), .key(.backTab))
        #expect(model.runFocus == .log)
        for _ in 0..<3 {
            send(
                &model,
                .event(
                    runKey: 1,
                    .stepStarted(
                        StepStartedEvent(
                            workflowName: "approval-refund", runID: request.runID, stepName: "notify_customer",
                            stepIndex: 2,
                            state: request.state, startedAt: model.now))))
        }
        var store = ConsoleTestStore(model)
        store.send(.key(.up)) { $0.runs[0].scroll[.log] = 1 }
        store.send(.key(.pageUp)) { $0.runs[0].scroll[.log] = 3 }
        store.send(.key(.pageUp))
        store.send(.key(.down)) { $0.runs[0].scroll[.log] = 2 }
        store.send(.key(.pageDown)) { $0.runs[0].scroll[.log] = 0 }
    }

    @Test("workflowStarted, workflowFinished and childWorkflowFinished update the run")
    func lifecycleEvents() throws {
        var (model, request) = try modelWaitingForApproval()
        send(&model, fraudCheckStarted(for: request, childRunID: "c1"))
        let childResult = WorkflowResult<AnyState>(
            workflowName: "fraud-check", runID: "c1", state: request.state, status: .failed, steps: [],
            startedAt: model.now, finishedAt: model.now)
        send(
            &model,
            .event(
                runKey: 1,
                .childWorkflowFinished(
                    ChildWorkflowFinishedEvent(
                        workflowName: "approval-refund", runID: request.runID, stepName: "prepare_refund",
                        result: childResult))))
        #expect(model.runs[0].steps[0].children.first?.status == .failed)
        let skipped = StepResult.skipped(
            "notify_customer", requiresApproval: false, reason: "not reached because workflow failed")
        let final = WorkflowResult<AnyState>(
            workflowName: "approval-refund", runID: request.runID, state: request.state, status: .failed,
            steps: [skipped], startedAt: model.now, finishedAt: model.now)
        send(
            &model,
            .event(
                runKey: 1,
                .workflowFinished(
                    WorkflowFinishedEvent(
                        workflowName: "approval-refund", runID: request.runID, state: request.state, result: final))))
        #expect(model.runs[0].status == .failed)
        #expect(model.runs[0].steps[2].status == .skipped)
        #expect(model.runs[0].waiting == nil)
        send(
            &model,
            .event(
                runKey: 1,
                .workflowStarted(
                    WorkflowStartedEvent(
                        workflowName: "approval-refund", runID: request.runID, state: request.state,
                        startedAt: model.now))))
        #expect(model.runs[0].status == .running)
    }

    @Test("keys in a terminal below the minimum size only quit")
    func tinyTerminalKeys() {
        var store = ConsoleTestStore(exampleModel(width: 30, height: 10))
        store.send(.key(.enter))
        store.send(.key("?"))
        store.send(.key("q"), commands: [.quit]) { $0.quitting = true }
    }

    @Test("home: Home/End jump, Shift-Tab switches lists, m on the catalog shows Mermaid")
    func remainingHomeKeys() {
        let model = exampleModel()
        var store = ConsoleTestStore(model)
        store.send(.key(.end)) { $0.catalogSelection = model.catalog.count - 1 }
        store.send(.key(.home)) { $0.catalogSelection = 0 }
        store.send(.key(.tab))  // no runs yet: the catalog keeps the focus
        let state = AnyState(JSONValue.object([:]))
        store.send(.runStarted(key: 1, runID: "r1", catalogIndex: 0, state: state, at: model.now)) {
            $0.runs = [
                RunView(
                    key: 1, runID: "r1", workflowName: "refund-workflow", catalogIndex: 0, startedAt: model.now,
                    steps: model.catalog[0].graph.nodes.filter { $0.kind == .step }.map {
                        StepRow(name: $0.label, gated: $0.requiresApproval)
                    },
                    state: state)
            ]
            $0.screen = .run(1)
        }
        store.send(.key(.escape)) {
            $0.screen = .home
            $0.homeFocus = .runs
        }
        store.send(.key(.backTab)) { $0.homeFocus = .catalog }
        store.send(.key(.tab)) { $0.homeFocus = .runs }
        store.send(.key("m")) {
            $0.overlay = .mermaid(workflow: "refund-workflow", text: model.catalog[0].graph.mermaid())
        }
    }

    @Test("run view: h goes home, space folds, PgUp/PgDn scroll the graph, m shows the run's Mermaid")
    func remainingRunKeys() throws {
        let approvalRefundIndex = try exampleIndex("approval-refund")
        let (model, _) = try modelWaitingForApproval()
        var store = ConsoleTestStore(model)
        store.send(.key(.escape)) { $0.prompt = nil }
        store.send(.key(" ")) { $0.runs[0].steps[0].expanded = false }
        store.send(.key(.tab)) { $0.runFocus = .graph }
        store.send(.key(.pageDown)) { $0.runs[0].scroll[.graph] = 10 }
        store.send(.key(.pageUp)) { $0.runs[0].scroll[.graph] = 0 }
        store.send(.key(.pageUp))
        let text = model.catalog[approvalRefundIndex].graph.mermaid()
        store.send(.key("m")) { $0.overlay = .mermaid(workflow: "approval-refund", text: text) }
        store.send(.key("m")) { $0.overlay = nil }
        store.send(.key("h")) {
            $0.screen = .home
            $0.homeFocus = .runs
        }
    }

    @Test("editor: arrows, Home and End move the cursor; typing lands at the cursor")
    func remainingEditorKeys() {
        var model = exampleModel()
        model.editor = StateEditor(catalogIndex: 0, text: "ab\ncd")
        var store = ConsoleTestStore(model)
        store.send(.key(.down)) { $0.editor?.row = 1 }
        store.send(.key(.end)) { $0.editor?.column = 2 }
        store.send(.key("!")) {
            $0.editor?.lines = ["ab", "cd!"]
            $0.editor?.column = 3
        }
        store.send(.key(.home)) { $0.editor?.column = 0 }
        store.send(.key(">")) {
            $0.editor?.lines = ["ab", ">cd!"]
            $0.editor?.column = 1
        }
        // Up keeps the column (1), right moves to 2: the end of "ab".
        store.send(.key(.up)) { $0.editor?.row = 0 }
        store.send(.key(.right)) { $0.editor?.column = 2 }
        store.send(.key(.right))  // already at the end of the line
        store.send(.key("-")) {
            $0.editor?.lines = ["ab-", ">cd!"]
            $0.editor?.column = 3
        }
        store.send(.key(.left)) { $0.editor?.column = 2 }
        store.send(.key(.left)) { $0.editor?.column = 1 }
        store.send(.key("[")) {
            $0.editor?.lines = ["a[b-", ">cd!"]
            $0.editor?.column = 2
        }
        store.send(.key(.home)) { $0.editor?.column = 0 }
        store.send(.key(.backspace))  // at the start of the first line: nothing
        store.send(.key("q")) {
            $0.editor?.lines = ["qa[b-", ">cd!"]
            $0.editor?.column = 1
        }
    }

    @Test("prompt: Tab or Enter end the reason field, backspace edits it, Esc leaves it")
    func remainingPromptKeys() throws {
        var store = try ConsoleTestStore(modelWaitingForApproval().0)
        store.send(.key("r")) { $0.prompt?.editingReason = true }
        store.send(.key("x")) { $0.prompt?.reason = "x" }
        store.send(.key("y")) { $0.prompt?.reason = "xy" }
        store.send(.key(.backspace)) { $0.prompt?.reason = "x" }
        store.send(.key(.tab)) { $0.prompt?.editingReason = false }
        store.send(.key("r")) { $0.prompt?.editingReason = true }
        // Esc inside the field leaves the field, not the prompt.
        store.send(.key(.escape)) { $0.prompt?.editingReason = false }
        store.send(.key("x"))  // other keys never decide
        store.send(.key(.enter))
    }

    @Test("help closes with ?, q or Esc; the quit question closes with Esc")
    func overlayClosingKeys() throws {
        for key in [Key.character("?"), .character("q"), .escape] {
            var store = ConsoleTestStore(exampleModel())
            store.send(.key("?")) { $0.overlay = .help }
            store.send(.key("j"))  // help takes the keys
            store.send(.key(key)) { $0.overlay = nil }
        }
        var store = try ConsoleTestStore(modelWaitingForApproval().0)
        store.send(.key(.escape)) { $0.prompt = nil }
        store.send(.key("q")) { $0.overlay = .confirmQuit }
        store.send(.key(.escape)) { $0.overlay = nil }
    }

    @Test("the test store fails on a change or a command the test did not state, naming the field")
    func storeIsExhaustive() {
        var store = ConsoleTestStore(exampleModel())
        withKnownIssue {
            store.send(.key(.down))
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("model.catalogSelection: expected 0, got 1") }
        }
        withKnownIssue {
            store.send(.key("q")) { $0.quitting = true }
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("returned [StepFlowTUI.ConsoleCommand.quit], expected []") }
        }
        withKnownIssue {
            store.send(.key("?")) { $0.overlay = .confirmQuit }
        } matching: { issue in
            issue.comments.contains {
                $0.rawValue.contains(
                    "model.overlay: expected StepFlowTUI.Overlay.confirmQuit, got StepFlowTUI.Overlay.help")
            }
        }
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
