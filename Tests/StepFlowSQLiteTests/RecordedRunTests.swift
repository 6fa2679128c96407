import Foundation
import StepFlowSQLite
import StepFlowStoreContract
import StepFlowTestSupport
import Synchronization
import Testing

@testable import StepFlow

/// A store file, a step log beside it, and a second instance of the store on
/// the same file: "elsewhere" (a console, another process's decision).
private struct Fixture {
    let site: SQLiteSite
    let store: any RunStore
    let elsewhere: any RunStore
    let log: StepLog

    init(clock: StoreClock = .system) async throws {
        site = try SQLiteSite()
        store = try await site.open(clock: clock)
        elsewhere = try await site.open(clock: clock)
        log = StepLog(path: site.folder.appendingPathComponent("steps.log").path)
    }

    /// Decides `request` from the other instance.
    @discardableResult
    func decide(
        _ request: ApprovalRequestRecord, _ outcome: ApprovalOutcome = .approve, by approver: String = "bo",
        seen: String? = nil
    ) async throws -> DecisionResult {
        try await elsewhere.decide(
            DecisionDraft(
                requestID: request.id, outcome: outcome, reason: "looked at it", approver: approver,
                identitySource: .claimed, seenStateHash: seen ?? request.stateHash))
    }

    func kinds(_ runID: String) async throws -> [String] {
        try await store.events(of: runID).map(\.kind.rawValue)
    }
}

/// Things a test waits for, signalled from inside a run: values sent are
/// buffered until taken, in order.
private final class Signal: Sendable {
    private struct State {
        var values: [String] = []
        var waiter: CheckedContinuation<String, Never>?
    }

    private let state = Mutex(State())

    func send(_ value: String = "") {
        let waiter = state.withLock { state -> CheckedContinuation<String, Never>? in
            guard let waiter = state.waiter else {
                state.values.append(value)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: value)
    }

    /// The next value sent (waits for it).
    func next() async -> String {
        await withCheckedContinuation { continuation in
            let value = state.withLock { state -> String? in
                guard state.values.isEmpty else { return state.values.removeFirst() }
                state.waiter = continuation
                return nil
            }
            if let value { continuation.resume(returning: value) }
        }
    }
}

/// A workflow whose bodies read the store: what each step sees of the steps before it.
private struct Inspecting: Workflow {
    let store: any RunStore
    var name: String { "inspecting" }
    var steps: [Step<RefundOrder>] {
        for name in ["a", "b", "c"] {
            Step(name) { [store] (state: inout RefundOrder, context: RunContext) in
                let run = try await store.run(context.runID)
                let recorded = try await store.stepResults(of: context.runID).count
                state.notes.append("\(name): index \(run?.stepIndex ?? -1), recorded \(recorded)")
            }
        }
    }
}

private struct Failing: Workflow {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "boom" }
    }
    var name: String { "failing" }
    var steps: [Step<RefundOrder>] {
        Step("a") { (state: inout RefundOrder) in state.notes.append("a") }
        Step("b") { (_: inout RefundOrder) in throw Boom() }
        Step("c") { (state: inout RefundOrder) in state.notes.append("c") }
    }
}

@Suite("Recorded runs", .timeLimit(.minutes(1)))
struct RecordedRunTests {
    @Test("the row is written before the first step; each step is recorded before the next starts; events in order")
    func recordedRun() async throws {
        let fixture = try await Fixture()
        let seen = Mutex<[String]>([])
        let hook = WorkflowHook { [store = fixture.store] event in
            guard case .stepStarted(let started) = event, let run = try await store.run(started.runID) else { return }
            seen.withLock {
                $0.append("\(started.stepName) \(run.status.rawValue) \(run.stepIndex) \(run.stepCount)")
            }
        }
        let workflow = Inspecting(store: fixture.store)
        let result = await workflow.run(
            RefundOrder(), options: RunOptions(store: fixture.store, startedBy: "ana", hooks: [hook]))
        #expect(result.status == .succeeded)
        #expect(seen.withLock { $0 } == ["a running 0 0", "b running 1 1", "c running 2 2"])
        #expect(result.state.notes == ["a: index 0, recorded 0", "b: index 1, recorded 1", "c: index 2, recorded 2"])

        let run = try #require(try await fixture.store.run(result.runID))
        let fingerprint = try workflow.definition().fingerprint
        #expect(run.workflowName == "inspecting" && run.definitionFingerprint == fingerprint)
        #expect(run.status == .succeeded && run.owner == nil && run.startedBy == "ana" && run.stepIndex == 3)
        #expect(try run.state.decode(as: RefundOrder.self) == result.state)
        let steps = try await fixture.store.stepResults(of: result.runID).map { try $0.decode(as: StepResult.self) }
        // As JSON keeps them: times to the millisecond.
        let expected = try result.steps.map { try StoredJSON(encoding: $0).decode(as: StepResult.self) }
        #expect(steps == expected)
        #expect(
            try await fixture.kinds(result.runID) == [
                "workflow_started", "step_started", "step_finished", "step_started", "step_finished", "step_started",
                "step_finished", "workflow_finished",
            ])
        let finished = try await fixture.store.events(of: result.runID).last
        #expect(finished?.payload.value["status"] == "succeeded")
    }

    @Test("a routed run without hooks: its last step and route trace are written with the finish")
    func routedRunWithoutHooks() async throws {
        let fixture = try await Fixture()
        struct Routed: Workflow {
            var name: String { "routed" }
            var steps: [Step<RefundOrder>] {
                Step("triage", routes: ["small": .step("auto"), "big": .step("manual")]) { (_: inout RefundOrder) in
                    "small"
                }
                Step("manual") { (state: inout RefundOrder) in state.notes.append("manual") }
                Step("auto", routes: ["done": .end]) { (state: inout RefundOrder) in
                    state.notes.append("auto")
                    return "done"
                }
            }
        }
        let result = await Routed().run(RefundOrder(), options: RunOptions(store: fixture.store))
        #expect(result.status == .succeeded && result.routeTrace.count == 2)
        let run = try #require(try await fixture.store.run(result.runID))
        #expect(run.status == .succeeded && run.routeTrace == result.routeTrace && run.stepCount == 2)
        let steps = try await fixture.store.stepResults(of: result.runID).map { try $0.decode(as: StepResult.self) }
        #expect(steps.map(\.stepName) == ["triage", "auto"] && steps.map(\.routeKey) == ["small", "done"])
        #expect(try run.state.decode(as: RefundOrder.self).notes == ["auto"])
        #expect(
            try await fixture.kinds(result.runID) == [
                "workflow_started", "step_started", "step_finished", "step_started", "step_finished",
                "workflow_finished",
            ])
    }

    @Test("a failed run records the failed step with the finish, and its error")
    func failedRun() async throws {
        let fixture = try await Fixture()
        let result = await Failing().run(RefundOrder(), options: RunOptions(store: fixture.store))
        #expect(result.status == .failed && result.state.notes == ["a"])
        let run = try #require(try await fixture.store.run(result.runID))
        #expect(run.status == .failed && run.error == "boom" && run.startedBy == ProcessIdentity.userName)
        let steps = try await fixture.store.stepResults(of: result.runID).map { try $0.decode(as: StepResult.self) }
        #expect(steps.map(\.stepName) == ["a", "b"] && steps.last?.status == .failed)
        #expect(steps.last?.error.map(RecordedError.init) == RecordedError(typeName: "Boom", message: "boom"))
        #expect(try await fixture.kinds(result.runID).suffix(2) == ["step_finished", "workflow_finished"])
        #expect(try await StoreInvariants.violations(in: fixture.store).isEmpty)
    }

    @Test("a run taken over while a step runs stops there: failed with fencedOut, nothing more written")
    func fencedOut() async throws {
        let clock = ManualClock()
        let fixture = try await Fixture(clock: clock.storeClock)
        let runID = Mutex<String?>(nil)
        struct TakenOver: Workflow {
            let takeOver: @Sendable (String) async throws -> Void
            var name: String { "taken-over" }
            var steps: [Step<RefundOrder>] {
                Step("a") { (state: inout RefundOrder) in state.notes.append("a") }
                Step("b") { (state: inout RefundOrder, context: RunContext) in
                    try await takeOver(context.runID)
                    state.notes.append("b")
                }
                Step("c") { (state: inout RefundOrder) in state.notes.append("c") }
            }
        }
        let finished = Mutex<[WorkflowStatus]>([])
        let hook = WorkflowHook { event in
            if case .workflowFinished(let end) = event { finished.withLock { $0.append(end.result.status) } }
        }
        let workflow = TakenOver { [elsewhere = fixture.elsewhere] id in
            runID.withLock { $0 = id }
            // This process looks dead to the store: its lease ran out, and another worker claimed the run.
            clock.advance(by: .seconds(31))
            _ = try await elsewhere.claimRun(id, owner: "intruder", leaseDuration: .seconds(60))
        }
        let result = await workflow.run(RefundOrder(), options: RunOptions(store: fixture.store, hooks: [hook]))
        #expect(result.status == .failed && result.state.notes == ["a", "b"])
        #expect((result.error as? StoreError)?.code == .fencedOut)
        #expect(result.steps.map(\.stepName) == ["a", "b"] && result.steps.last?.status == .succeeded)
        #expect(finished.withLock { $0 } == [.failed])
        let takenID = try #require(runID.withLock { $0 })
        let run = try #require(try await fixture.store.run(takenID))
        #expect(run.owner == "intruder" && run.status == .running && run.stepIndex == 1 && run.stepCount == 1)
        #expect(WorkflowExecutionError.describing(result).message.contains("outside step execution"))
    }

    @Test("a run whose row cannot be written runs nothing and emits nothing")
    func duplicateRunID() async throws {
        let fixture = try await Fixture()
        let lease = try await StoreFixtures(store: fixture.store).createRun(workflow: "logged-refund")
        let events = Mutex(0)
        var options = RunOptions(store: fixture.store, hooks: [WorkflowHook { _ in events.withLock { $0 += 1 } }])
        options.runID = lease.runID
        let result = await LoggedRefund(log: fixture.log).run(RefundOrder(), options: options)
        #expect(result.status == .failed && result.steps.isEmpty)
        #expect((result.error as? StoreError)?.code == .duplicateRun)
        #expect(events.withLock { $0 } == 0 && fixture.log.lines().isEmpty)
    }

    // MARK: Gates

    @Test("a gate writes its request before anyone hears of it, waits, and continues with the decision made elsewhere")
    func waitsForTheStore() async throws {
        let fixture = try await Fixture()
        let atRequest = Mutex<[String]>([])
        let hook = WorkflowHook { [store = fixture.store] event in
            guard case .approvalRequested(let request) = event, let id = request.requestID else { return }
            let stored = try await store.approvalRequest(id)
            let run = try await store.run(request.runID)
            atRequest.withLock {
                $0.append("\(stored?.status.rawValue ?? "missing") \(run?.status.rawValue ?? "?")")
            }
        }
        let workflow = LoggedRefund(log: fixture.log)
        let run = try workflow.start(RefundOrder(), options: RunOptions(store: fixture.store, hooks: [hook]))
        let request = try await fixture.store.pendingRequest(of: run.runID)
        #expect(request.message == "Refund 120 for A-1042" && request.metadata == ["team": "support"])
        #expect(request.stepName == "issue_refund" && request.stepIndex == 1)
        let shown = RefundOrder(notes: ["checked"])
        let shownJSON = try StoredJSON(encoding: shown)
        #expect(request.state == shownJSON && request.stateHash == request.state.sha256)
        #expect(request.routePreview?.ifApproved == "issue_refund → notify → END")
        #expect(request.routePreview?.ifDenied == "the run fails at issue_refund")
        let waiting = try #require(try await fixture.store.run(run.runID))
        #expect(waiting.status == .waiting && waiting.owner == ProcessIdentity.ownerID && waiting.stepCount == 1)

        let receipt = try #require(try await fixture.decide(request, by: "bo").decision?.receipt)
        let result = await run.result
        #expect(result.status == .succeeded && result.state.notes == ["checked", "refunded", "notified"])
        #expect(atRequest.withLock { $0 } == ["pending waiting"])
        let decision = try #require(result.step("issue_refund")?.approvalDecision)
        #expect(decision.approved && decision.decidedBy == "bo" && decision.reason == "looked at it")
        #expect(decision.identitySource == .claimed && decision.receipt == receipt)
        #expect(fixture.log.steps(of: run.runID) == ["check", "issue_refund", "notify"])
        let kinds = try await fixture.kinds(run.runID)
        let requested = try #require(kinds.firstIndex(of: "approval_requested"))
        let decided = try #require(kinds.firstIndex(of: "approval_decided"))
        let applied = try #require(kinds.firstIndex(of: "approval_applied"))
        #expect(requested < decided && decided < applied)
        #expect(try await StoreInvariants.violations(in: fixture.store).isEmpty)
    }

    @Test("an in-process handler's answer is decided through the store, with a receipt")
    func handlerDecidesThroughTheStore() async throws {
        let fixture = try await Fixture()
        let handler = ApprovalHandler { (_: ApprovalRequest) -> ApprovalDecision in
            ApprovalDecision(approved: true, reason: "fine", metadata: ["ticket": 7], decidedBy: "ana")
        }
        let result = await LoggedRefund(log: fixture.log).run(
            RefundOrder(), options: RunOptions(store: fixture.store, approvalHandler: handler))
        #expect(result.status == .succeeded)
        let request = try #require(try await fixture.store.approvalRequests(of: result.runID).first)
        let stored = try #require(try await fixture.store.decision(for: request.id))
        #expect(stored.approver == "ana" && stored.reason == "fine" && stored.hasValidReceipt)
        #expect(stored.identitySource == (ProcessIdentity.userName == "ana" ? .osUser : .claimed))
        let decision = try #require(result.step("issue_refund")?.approvalDecision)
        #expect(decision.receipt == stored.receipt && decision.metadata == ["ticket": 7])
        #expect(decision.decidedAt == stored.decidedAt)
    }

    @Test("a decision made elsewhere first ends the wait and cancels the handler")
    func elsewhereWinsAndCancelsTheHandler() async throws {
        let fixture = try await Fixture()
        let cancelled = Signal()
        let handler = ApprovalHandler { (_: ApprovalRequest) -> ApprovalDecision in
            do {
                try await Task.sleep(for: .seconds(3_600))
            } catch {
                cancelled.send()
                throw error
            }
            return .approve(by: "never")
        }
        let run = try LoggedRefund(log: fixture.log).start(
            RefundOrder(), options: RunOptions(store: fixture.store, approvalHandler: handler))
        try await fixture.decide(try await fixture.store.pendingRequest(of: run.runID), by: "bo")
        let result = await run.result
        #expect(result.status == .succeeded && result.step("issue_refund")?.approvalDecision?.decidedBy == "bo")
        #expect(await cancelled.next() == "")
    }

    @Test("a handler that answers after someone else decided: the run continues with the winner's decision")
    func handlerLosesTheRace() async throws {
        let fixture = try await Fixture()
        let answer = Signal()
        let handler = ApprovalHandler { (_: ApprovalRequest) -> ApprovalDecision in
            _ = await answer.next()
            return .deny(reason: "too late", by: "carl")
        }
        let run = try LoggedRefund(log: fixture.log).start(
            RefundOrder(), options: RunOptions(store: fixture.store, approvalHandler: handler))
        let request = try await fixture.store.pendingRequest(of: run.runID)
        // The handler's answer cannot be submitted before this decision: it waits for the signal.
        #expect(try await fixture.decide(request, by: "bo").isRecorded)
        answer.send()
        let result = await run.result
        // Either the wait saw bo's decision first, or carl's submission was told "already decided": bo wins.
        #expect(result.status == .succeeded && result.step("issue_refund")?.approvalDecision?.decidedBy == "bo")
        #expect(fixture.log.count("issue_refund", run: run.runID) == 1)
    }

    @Test("approvers: a handler's answer from someone not allowed is refused and logged; the run waits for one who is")
    func approversInTheStore() async throws {
        let fixture = try await Fixture()
        let handler = ApprovalHandler { (_: ApprovalRequest) -> ApprovalDecision in .approve(by: "carl") }
        let run = try LoggedRefund(log: fixture.log, approvers: ["ana", "bo"]).start(
            RefundOrder(), options: RunOptions(store: fixture.store, approvalHandler: handler))
        let request = try await fixture.store.pendingRequest(of: run.runID)
        #expect(request.allowedApprovers == ["ana", "bo"])
        try await fixture.store.waitUntil("carl's refusal in the log") {
            try await fixture.store.events(of: run.runID).contains {
                $0.kind == .decisionRefused && $0.payload.value["refused"] == "approver_not_allowed"
            }
        }
        #expect(try await fixture.store.run(run.runID)?.status == .waiting)
        #expect(try await fixture.decide(request, by: "dora").code == "approver_not_allowed")
        #expect(try await fixture.decide(request, by: "ana").isRecorded)
        let result = await run.result
        #expect(result.status == .succeeded && result.step("issue_refund")?.approvalDecision?.decidedBy == "ana")
    }

    @Test("self-approval refused: the starter's approval is refused, another approver's accepted")
    func selfApprovalInTheStore() async throws {
        let fixture = try await Fixture()
        let handler = ApprovalHandler { (_: ApprovalRequest) -> ApprovalDecision in .approve(by: "ana") }
        let run = try LoggedRefund(log: fixture.log, refusesSelfApproval: true).start(
            RefundOrder(), options: RunOptions(store: fixture.store, startedBy: "ana", approvalHandler: handler))
        let request = try await fixture.store.pendingRequest(of: run.runID)
        #expect(request.refusesSelfApproval && request.startedBy == "ana")
        try await fixture.store.waitUntil("ana's refusal in the log") {
            try await fixture.store.events(of: run.runID).contains {
                $0.kind == .decisionRefused && $0.payload.value["refused"] == "self_approval_refused"
            }
        }
        #expect(try await fixture.decide(request, by: "bo").isRecorded)
        #expect(await run.result.step("issue_refund")?.approvalDecision?.decidedBy == "bo")
    }

    @Test("a decision retried with its idempotency key gets the same receipt; the run continues once")
    func idempotentRetry() async throws {
        let fixture = try await Fixture()
        let run = try LoggedRefund(log: fixture.log).start(RefundOrder(), options: RunOptions(store: fixture.store))
        let request = try await fixture.store.pendingRequest(of: run.runID)
        let draft = DecisionDraft(
            requestID: request.id, outcome: .approve, approver: "bo", identitySource: .claimed,
            seenStateHash: request.stateHash, idempotencyKey: "console-click-1")
        let first = try await fixture.elsewhere.decide(draft)
        // The console lost the reply and sends the same decision again.
        let retry = try await fixture.elsewhere.decide(draft)
        #expect(first.code == "decided" && retry.code == "already_recorded")
        #expect(retry.decision?.receipt == first.decision?.receipt)
        let result = await run.result
        #expect(
            result.status == .succeeded
                && result.step("issue_refund")?.approvalDecision?.receipt == first.decision?.receipt)
        #expect(fixture.log.count("issue_refund", run: run.runID) == 1)
    }

    @Test("a stale view is refused and the run keeps waiting")
    func staleView() async throws {
        let fixture = try await Fixture()
        let run = try LoggedRefund(log: fixture.log).start(RefundOrder(), options: RunOptions(store: fixture.store))
        let request = try await fixture.store.pendingRequest(of: run.runID)
        let stale = try StoredJSON(encoding: RefundOrder(amount: 1)).sha256
        #expect(try await fixture.decide(request, by: "bo", seen: stale).code == "stale_state")
        #expect(try await fixture.store.run(run.runID)?.status == .waiting)
        #expect(try await fixture.decide(request, .deny, by: "bo").isRecorded)
        let result = await run.result
        #expect(result.status == .failed && fixture.log.count("issue_refund", run: run.runID) == 0)
        #expect((result.error as? ApprovalRequiredError)?.message == "Approval denied for step 'issue_refund'.")
        let stored = try #require(try await fixture.store.run(run.runID))
        #expect(stored.status == .failed && stored.error == "Approval denied for step 'issue_refund'.")
        #expect(try await StoreInvariants.violations(in: fixture.store).isEmpty)
    }

    @Test(
        "a deadline decides its default outcome, recorded as timed out (an injected clock)",
        arguments: [ApprovalOutcome.approve, .deny])
    func deadline(_ outcome: ApprovalOutcome) async throws {
        let clock = ManualClock()
        let fixture = try await Fixture(clock: clock.storeClock)
        let requested = Signal()
        let hook = WorkflowHook { event in
            if case .approvalRequested(let request) = event {
                requested.send(request.deadline.map { StepFlowJSON.formatDate($0) } ?? "none")
            }
        }
        let run = try LoggedRefund(log: fixture.log, deadline: .init(after: .seconds(3_600), then: outcome)).start(
            RefundOrder(), options: RunOptions(store: fixture.store, hooks: [hook]))
        let request = try await fixture.store.pendingRequest(of: run.runID)
        #expect(request.deadline == request.requestedAt.addingTimeInterval(3_600) && request.defaultOutcome == outcome)
        #expect(await requested.next() == request.deadline.map { StepFlowJSON.formatDate($0) })
        clock.advance(by: .seconds(3_601))
        // What a worker does each pass; the waiting run wakes on the change.
        #expect(try await fixture.elsewhere.decideExpiredApprovals().count == 1)
        let result = await run.result
        #expect(result.status == (outcome == .approve ? .succeeded : .failed))
        let decision = try #require(result.step("issue_refund")?.approvalDecision)
        #expect(decision.identitySource == .timeout && decision.decidedBy == "timeout")
        #expect(decision.decidedAt == request.deadline)
        #expect(fixture.log.count("issue_refund", run: run.runID) == (outcome == .approve ? 1 : 0))
    }

    @Test("cancelling a waiting run fails it and closes its request")
    func cancelWhileWaiting() async throws {
        let fixture = try await Fixture()
        let run = try LoggedRefund(log: fixture.log).start(RefundOrder(), options: RunOptions(store: fixture.store))
        let request = try await fixture.store.pendingRequest(of: run.runID)
        run.cancel()
        let result = await run.result
        #expect(result.status == .failed && result.error is CancellationError)
        let stored = try await fixture.store.finishedRun(run.runID)
        #expect(stored.status == .failed && stored.owner == nil)
        #expect(try await fixture.store.approvalRequest(request.id)?.status == .cancelled)
        #expect(try await fixture.decide(request, by: "bo").code == "request_closed")
        #expect(try await StoreInvariants.violations(in: fixture.store).isEmpty)
    }

    // MARK: Pause mode, workers, checkpoints

    @Test("pause mode leaves the request pending and lets go; a worker continues the run once it is decided")
    func pauseThenWorker() async throws {
        let fixture = try await Fixture()
        let workflow = LoggedRefund(log: fixture.log)
        let paused = await workflow.run(RefundOrder(), options: RunOptions(store: fixture.store, pauseOnApproval: true))
        #expect(paused.status == .paused && paused.checkpoint?.stepName == "issue_refund")
        let run = try #require(try await fixture.store.run(paused.runID))
        #expect(run.status == .waiting && run.owner == nil && run.stepIndex == 1)
        #expect(
            try await fixture.kinds(paused.runID).suffix(3) == ["step_finished", "workflow_finished", "run_released"])

        let worker = Worker(store: fixture.elsewhere, workflows: [try AnyWorkflow(workflow)])
        #expect(try await worker.runPending().isEmpty)
        let request = try await fixture.store.pendingRequest(of: paused.runID)
        try await fixture.decide(request, by: "bo")
        let results = try await worker.runPending()
        #expect(results.map(\.status) == [.succeeded] && results.first?.runID == paused.runID)
        #expect(results.first?.step("issue_refund")?.approvalDecision?.decidedBy == "bo")
        #expect(fixture.log.steps(of: paused.runID) == ["check", "issue_refund", "notify"])
        let finished = try #require(try await fixture.store.run(paused.runID))
        #expect(finished.status == .succeeded && finished.owner == nil)
        let steps = try await fixture.store.stepResults(of: paused.runID).map { try $0.decode(as: StepResult.self) }
        #expect(steps.map(\.stepName) == ["check", "issue_refund", "notify"])
        #expect(try await worker.runPending().isEmpty)
        #expect(try await StoreInvariants.violations(in: fixture.store).isEmpty)
    }

    @Test("a handler that postpones pauses the recorded run like pause mode")
    func postponed() async throws {
        let fixture = try await Fixture()
        let result = await LoggedRefund(log: fixture.log).run(
            RefundOrder(),
            options: RunOptions(store: fixture.store, approvalHandler: .answering { _ in .postponed }))
        #expect(result.status == .paused)
        let run = try #require(try await fixture.store.run(result.runID))
        #expect(run.status == .waiting && run.owner == nil)
    }

    @Test("a running worker wakes on a decision made elsewhere and applies passed deadlines")
    func workerServes() async throws {
        let clock = ManualClock()
        let fixture = try await Fixture(clock: clock.storeClock)
        let workflow = LoggedRefund(log: fixture.log, deadline: .init(after: .seconds(60), then: .deny))
        let options = RunOptions(store: fixture.store, pauseOnApproval: true)
        let decided = await workflow.run(RefundOrder(orderID: "decided"), options: options)
        let timedOut = await workflow.run(RefundOrder(orderID: "timed-out"), options: options)
        let events = Mutex<[String]>([])
        let worker = Worker(
            store: fixture.elsewhere, workflows: [try AnyWorkflow(workflow)], pollInterval: .seconds(3_600)
        ) { event in
            switch event {
            case .continued(let result): events.withLock { $0.append("continued \(result.status.rawValue)") }
            case .deadlinesApplied(let decisions): events.withLock { $0.append("deadlines \(decisions.count)") }
            default: break
            }
        }
        let service = Task { try await worker.run() }
        try await fixture.decide(try await fixture.store.pendingRequest(of: decided.runID), by: "bo")
        #expect(try await fixture.store.finishedRun(decided.runID).status == .succeeded)
        clock.advance(by: .seconds(61))
        // The worker's clock is the store's: a change to the store wakes it, and it applies the deadline.
        try await fixture.decide(try await StoreFixtures(store: fixture.store).waitingRun().request, by: "nudge")
        #expect(try await fixture.store.finishedRun(timedOut.runID).status == .failed)
        service.cancel()
        try await service.value
        #expect(events.withLock { $0 } == ["continued succeeded", "deadlines 1", "continued failed"])
        #expect(fixture.log.count("issue_refund", run: timedOut.runID) == 0)
    }

    @Test("a worker does not continue a run whose definition changed: it reports it, and continueRun says why")
    func changedDefinition() async throws {
        let fixture = try await Fixture()
        let paused = await LoggedRefund(log: fixture.log).run(
            RefundOrder(), options: RunOptions(store: fixture.store, pauseOnApproval: true))
        try await fixture.decide(try await fixture.store.pendingRequest(of: paused.runID), by: "bo")
        struct Changed: Workflow {
            var name: String { "logged-refund" }
            var steps: [Step<RefundOrder>] {
                Step("check") { (_: inout RefundOrder) in }
                Step("issue_refund", approval: .required) { (_: inout RefundOrder) in }
                Step("audit") { (_: inout RefundOrder) in }
                Step("notify") { (_: inout RefundOrder) in }
            }
        }
        let reported = Mutex<[String]>([])
        let changed = try AnyWorkflow(Changed())
        let worker = Worker(store: fixture.elsewhere, workflows: [changed]) { event in
            if case .definitionChanged(let run, let fingerprint) = event {
                reported.withLock { $0.append("\(run.id) \(fingerprint)") }
            }
        }
        #expect(try await worker.runPending().isEmpty)
        #expect(reported.withLock { $0 } == ["\(paused.runID) \(changed.fingerprint)"])
        await #expect {
            _ = try await worker.continueRun(paused.runID)
        } throws: { error in
            (error as? ApprovalResumeError)?.message.contains("Workflow 'logged-refund' has changed since run") == true
        }
        #expect(try await fixture.store.run(paused.runID)?.status == .waiting)
        #expect(fixture.log.count("issue_refund", run: paused.runID) == 0)
    }

    @Test("a checkpoint resumed into the store continues once; a second resume is told who decided, and nothing runs")
    func checkpointResumedOnce() async throws {
        let fixture = try await Fixture()
        let workflow = LoggedRefund(log: fixture.log)
        let paused = await workflow.run(RefundOrder(), pauseOnApproval: true)
        let data = try #require(try paused.checkpoint?.jsonData())
        let worker = Worker(store: fixture.store, workflows: [try AnyWorkflow(workflow)])
        let first = try await worker.resume(checkpoint: data, decision: .approve(reason: "ok", by: "ana"))
        guard case .continued(let result) = first else {
            Issue.record("the first resume did not continue: \(first)")
            return
        }
        #expect(result.status == .succeeded && result.runID == paused.runID)
        #expect(result.steps.map(\.stepName) == ["check", "issue_refund", "notify"])
        #expect(fixture.log.steps(of: paused.runID) == ["check", "issue_refund", "notify"])
        let imported = try #require(try await fixture.store.run(paused.runID))
        let importedKinds = try await fixture.kinds(paused.runID)
        #expect(imported.status == .succeeded && importedKinds.first == "run_imported")

        let second = try await worker.resume(checkpoint: data, decision: .approve(by: "bo"))
        guard case .refused(let reason, let winner) = second else {
            Issue.record("the second resume was not refused: \(second)")
            return
        }
        #expect(reason.hasPrefix("Already decided by ana at ") && winner?.approver == "ana")
        // Through the typed API with a store, the same refusal, as a failed result.
        let typed = await workflow.resume(
            from: try #require(paused.checkpoint), decision: .deny(by: "carl"),
            options: RunOptions(store: fixture.store))
        #expect(typed.status == .failed)
        #expect((typed.error as? ApprovalResumeError)?.message.hasPrefix("Already decided by ana at ") == true)
        #expect(fixture.log.count("issue_refund", run: paused.runID) == 1)
        #expect(try await StoreInvariants.violations(in: fixture.store).isEmpty)
    }

    @Test("two resumes of one checkpoint at once: exactly one continues")
    func concurrentResumes() async throws {
        let fixture = try await Fixture()
        let workflow = LoggedRefund(log: fixture.log)
        let paused = await workflow.run(RefundOrder(), pauseOnApproval: true)
        let data = try #require(try paused.checkpoint?.jsonData())
        let workers = try [fixture.store, fixture.elsewhere].map {
            Worker(store: $0, workflows: [try AnyWorkflow(workflow)])
        }
        let outcomes = try await withThrowingTaskGroup(of: Worker.ResumeOutcome.self) { group in
            for (index, worker) in workers.enumerated() {
                group.addTask { try await worker.resume(checkpoint: data, decision: .approve(by: "approver-\(index)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let continued = outcomes.filter { if case .continued = $0 { true } else { false } }
        let refused = outcomes.filter { if case .refused = $0 { true } else { false } }
        #expect(continued.count == 1 && refused.count == 1)
        #expect(fixture.log.count("issue_refund", run: paused.runID) == 1)
    }

    @Test("a worker told to stop lets the running step finish and be recorded, then lets go; the next worker goes on")
    func gracefulStop() async throws {
        let fixture = try await Fixture()
        let entered = Signal()
        let release = Signal()
        let workflow = LoggedRefund(log: fixture.log) { _ in
            entered.send()
            _ = await release.next()
        }
        let paused = await workflow.run(RefundOrder(), options: RunOptions(store: fixture.store, pauseOnApproval: true))
        try await fixture.decide(try await fixture.store.pendingRequest(of: paused.runID), by: "bo")
        let worker = Worker(store: fixture.elsewhere, workflows: [try AnyWorkflow(workflow)])
        let service = Task { try await worker.run() }
        _ = await entered.next()
        service.cancel()
        release.send()
        try await service.value
        let run = try #require(try await fixture.store.run(paused.runID))
        #expect(run.status == .running && run.owner == nil && run.stepIndex == 2 && run.stepCount == 2)
        #expect(fixture.log.steps(of: paused.runID) == ["check", "issue_refund"])

        let next = Worker(store: fixture.store, workflows: [try AnyWorkflow(LoggedRefund(log: fixture.log))])
        #expect(try await next.runPending().map(\.status) == [.succeeded])
        #expect(fixture.log.steps(of: paused.runID) == ["check", "issue_refund", "notify"])
    }

    @Test("while a step runs longer than the lease, the lease is renewed and no worker can take the run")
    func heartbeat() async throws {
        let clock = ManualClock()
        let fixture = try await Fixture(clock: clock.storeClock)
        let workflow = LoggedRefund(log: fixture.log) { [store = fixture.elsewhere] runID in
            // The step outlasts the lease many times over; the heartbeat must have renewed it since.
            clock.advance(by: .seconds(100))
            try? await store.waitUntil("a renewal after the step outlasted its lease") {
                guard let until = try await store.run(runID)?.leaseExpiresAt else { return false }
                return until > clock.now
            }
        }
        let fingerprint = try workflow.definition().fingerprint
        let claimed = Mutex<[Bool]>([])
        let watcher = WorkflowHook { [store = fixture.elsewhere] event in
            guard case .stepFinished(let finished) = event, finished.stepName == "issue_refund" else { return }
            let stolen = try await store.claimNextRun(
                owner: "thief", workflows: ["logged-refund": fingerprint], leaseDuration: .seconds(60))
            claimed.withLock { $0.append(stolen != nil) }
        }
        let result = await workflow.run(
            RefundOrder(),
            options: RunOptions(
                store: fixture.store, approvalHandler: .always(true), hooks: [watcher],
                leaseDuration: .milliseconds(300)))
        #expect(result.status == .succeeded && claimed.withLock { $0 } == [false])
    }
}
