import Foundation
import Synchronization
import Testing

@testable import StepFlow

// The gate options operators asked for (a message built from the state, a
// deadline, who may approve), in runs without a store.

private struct RefundState: Codable, Sendable, Equatable {
    var orderID = "A-7"
    var amount = 120
    var log: [String] = []
}

private struct GatedRefund: Workflow {
    var name: String { "GatedRefund" }
    var approval: ApprovalGate = .required
    var steps: [Step<RefundState>] {
        Step("check") { state in state.log.append("check") }
        Step("issue_refund", approval: approval) { state in state.log.append("issue_refund") }
        Step("notify") { state in state.log.append("notify") }
    }
}

private struct StateMessageRefund: Workflow {
    var name: String { "StateMessageRefund" }
    var steps: [Step<RefundState>] {
        Step("check") { state in
            state.amount += 5
            return "checked"
        }
        Step(
            "issue_refund",
            approval: .required(
                message: { state in "Refund \(state.amount) for \(state.orderID)" }, metadata: ["team": "support"],
                approvers: ["ana"])
        ) { state in state.log.append("issue_refund") }
    }
}

/// The requests a handler was asked.
private final class Asked: Sendable {
    let requests = Mutex<[ApprovalRequest]>([])
    var first: ApprovalRequest? { requests.withLock { $0.first } }
}

/// A handler that records what it was asked and answers as `approver`.
private func answering(_ approved: Bool, as approver: String?, asked: Asked) -> ApprovalHandler {
    ApprovalHandler { (request: ApprovalRequest) -> ApprovalDecision in
        asked.requests.withLock { $0.append(request) }
        return ApprovalDecision(approved: approved, decidedBy: approver)
    }
}

@Suite("Gate options without a store")
struct GateOptionsTests {
    @Test("a message built from the state as it is when the gate is reached")
    func messageFromState() async throws {
        let asked = Asked()
        let result = await StateMessageRefund().run(
            RefundState(), options: RunOptions(approvalHandler: answering(true, as: "ana", asked: asked)))
        #expect(result.status == .succeeded)
        let request = try #require(asked.first)
        #expect(request.message == "Refund 125 for A-7")
        #expect(request.metadata == ["team": "support"] && request.approvers == ["ana"])
        // No store: nothing of the store's is on the request.
        #expect(request.requestID == nil && request.routePreview == nil && request.deadline == nil)
    }

    @Test("the approvers list is checked against the handler's decidedBy")
    func approversChecked() async throws {
        let asked = Asked()
        let gate = ApprovalGate.required(approvers: ["ana", "bo"])
        let allowed = await GatedRefund(approval: gate).run(
            RefundState(), options: RunOptions(approvalHandler: answering(true, as: "bo", asked: asked)))
        #expect(allowed.status == .succeeded && allowed.state.log == ["check", "issue_refund", "notify"])
        #expect(allowed.step("issue_refund")?.approvalDecision?.decidedBy == "bo")

        let refused = await GatedRefund(approval: gate).run(
            RefundState(), options: RunOptions(approvalHandler: answering(true, as: "carl", asked: asked)))
        #expect(refused.status == .failed && refused.state.log == ["check"])
        let step = try #require(refused.step("issue_refund"))
        #expect(step.status == .failed && step.attempts == 0 && step.approvalDecision == nil)
        #expect(step.error is ApprovalRequiredError)
        #expect(
            (step.error as? ApprovalRequiredError)?.message
                == "Approval for step 'issue_refund' was refused: 'carl' may not decide it (allowed: ana, bo).")
    }

    @Test("a handler that names nobody decides as the OS user")
    func anonymousHandlerIsTheOSUser() async throws {
        let asked = Asked()
        let mine = await GatedRefund(approval: .required(approvers: [ProcessIdentity.userName])).run(
            RefundState(), options: RunOptions(approvalHandler: answering(true, as: nil, asked: asked)))
        #expect(mine.status == .succeeded)
        let others = await GatedRefund(approval: .required(approvers: ["someone-else"])).run(
            RefundState(), options: RunOptions(approvalHandler: answering(true, as: nil, asked: asked)))
        #expect(others.status == .failed)
    }

    @Test("self-approval refused: the starter may deny but not approve; others may approve")
    func selfApproval() async throws {
        let asked = Asked()
        let gate = ApprovalGate.required(refusesSelfApproval: true)
        var options = RunOptions(approvalHandler: answering(true, as: "ana", asked: asked))
        options.startedBy = "ana"
        let approvedBySelf = await GatedRefund(approval: gate).run(RefundState(), options: options)
        #expect(approvedBySelf.status == .failed)
        #expect(
            (approvedBySelf.error as? ApprovalRequiredError)?.message
                == "Approval for step 'issue_refund' was refused: 'ana' started the run and may not approve it.")

        options.approvalHandler = answering(false, as: "ana", asked: asked)
        let deniedBySelf = await GatedRefund(approval: gate).run(RefundState(), options: options)
        #expect(deniedBySelf.status == .failed)
        #expect((deniedBySelf.error as? ApprovalRequiredError)?.message == "Approval denied for step 'issue_refund'.")
        #expect(deniedBySelf.step("issue_refund")?.approvalDecision?.decidedBy == "ana")

        options.approvalHandler = answering(true, as: "bo", asked: asked)
        #expect(await GatedRefund(approval: gate).run(RefundState(), options: options).status == .succeeded)

        // The starter defaults to the OS user, as the approver does.
        let anonymous = await GatedRefund(approval: gate).run(
            RefundState(), options: RunOptions(approvalHandler: answering(true, as: nil, asked: asked)))
        #expect(anonymous.status == .failed)
    }

    @Test("a decision given to resume is checked against the approvers too")
    func resumeDecisionChecked() async throws {
        let gate = ApprovalGate.required(approvers: ["ana"])
        let paused = await GatedRefund(approval: gate).run(RefundState(), pauseOnApproval: true)
        #expect(paused.status == .paused)
        let refused = await GatedRefund(approval: gate).resume(paused, decision: .approve(by: "carl"))
        #expect(refused.status == .failed && refused.state.log == ["check"])
        let resumed = await GatedRefund(approval: gate).resume(paused, decision: .approve(by: "ana"))
        #expect(resumed.status == .succeeded && resumed.state.log == ["check", "issue_refund", "notify"])
    }

    @Test("without a store a deadline is not applied: the handler decides whenever it answers")
    func deadlineNeedsAStore() async throws {
        let asked = Asked()
        let gate = ApprovalGate.required(deadline: .init(after: .milliseconds(1), then: .deny))
        let result = await GatedRefund(approval: gate).run(
            RefundState(), options: RunOptions(approvalHandler: answering(true, as: "ana", asked: asked)))
        #expect(result.status == .succeeded)
        #expect(asked.first != nil && asked.first?.deadline == nil)
        #expect(result.step("issue_refund")?.approvalDecision?.identitySource == nil)
    }

    @Test("the existing spellings keep working, and gates compare by their settings")
    func spellings() throws {
        let plain: ApprovalGate = .required
        let described: ApprovalGate = .required(message: "Go?", metadata: ["limit": 5])
        #expect(plain == ApprovalGate() && described == ApprovalGate(message: "Go?", metadata: ["limit": 5]))
        #expect(described != .required(message: "Go?", metadata: ["limit": 5], approvers: ["ana"]))
        #expect(!plain.buildsMessageFromState)
        let built = StateApprovalGate<RefundState>.required(message: { "\($0.amount)" }).gate
        #expect(built.buildsMessageFromState && built.message(for: RefundState()) == "120")
        #expect(built != .required)
    }

    @Test("a deadline that is not positive and an empty approver name are definition errors")
    func validation() {
        #expect(throws: WorkflowDefinitionError.self) {
            try GatedRefund(approval: .required(deadline: .init(after: .zero, then: .approve))).definition()
        }
        #expect(throws: WorkflowDefinitionError.self) {
            try GatedRefund(approval: .required(approvers: ["ana", ""])).definition()
        }
    }

    @Test("the route preview follows the path the definition gives, to END, a branch, or a cut")
    func routePreview() throws {
        let linear = try GatedRefund().definition()
        #expect(linear.routePreview(forGateAt: 1).ifApproved == "issue_refund → notify → END")
        #expect(linear.routePreview(forGateAt: 1).ifDenied == "the run fails at issue_refund")
        #expect(
            linear.routePreview(forGateAt: 1).summary
                == "approve → issue_refund → notify → END; deny → the run fails at issue_refund")

        let routed = try WorkflowDefinition<RefundState>(
            name: "Routed",
            steps: [
                Step("gate", approval: .required) { (_: inout RefundState) in },
                Step("pay", approval: .required) { (_: inout RefundState) in },
                Step("route", routes: ["big": .step("review"), "small": .end]) { (_: inout RefundState) in "small" },
                Step("review") { (_: inout RefundState) in },
            ])
        #expect(
            routed.routePreview(forGateAt: 0).ifApproved
                == "gate → pay (approval) → route → (big: review | small: END)")

        let long = try WorkflowDefinition<RefundState>(
            name: "Long",
            steps: [Step("gate", approval: .required) { (_: inout RefundState) in }]
                + (1...12).map { index in Step("s\(index)") { (_: inout RefundState) in } })
        #expect(long.routePreview(forGateAt: 0).ifApproved == "gate → s1 → s2 → s3 → s4 → s5 → s6 → s7 → …")
    }

    @Test("decisions and requests written without a store read and write as before")
    func codingUnchanged() throws {
        let decision = ApprovalDecision(approved: true, reason: "ok", decidedBy: "ana")
        let json = String(decoding: try StepFlowJSON.encoder.encode(decision), as: UTF8.self)
        #expect(json == #"{"approved":true,"decided_at":null,"decided_by":"ana","metadata":{},"reason":"ok"}"#)
        let recorded = ApprovalDecision(
            approved: false, decidedBy: "bo", identitySource: .claimed, receipt: DecisionReceipt(value: "abc"))
        let back = try StepFlowJSON.decoder.decode(
            ApprovalDecision.self, from: try StepFlowJSON.encoder.encode(recorded))
        #expect(back == recorded)

        let request = ApprovalRequest(
            workflowName: "W", stepName: "s", runID: "r", state: AnyState(JSONValue.object([:])), message: nil,
            metadata: [:])
        let requestJSON = String(decoding: try StepFlowJSON.encoder.encode(request), as: UTF8.self)
        #expect(
            requestJSON
                == #"{"message":null,"metadata":{},"run_id":"r","state":{},"step_name":"s","workflow_name":"W"}"#
        )
    }
}
