import Foundation
import StepFlow
import StepFlowExamples
import StepFlowTestSupport
import Synchronization
import Testing

@Suite("The nine seed examples")
struct ExampleWorkflowTests {
    @Test("refund workflow: linear steps build the reply from earlier decisions")
    func refund() async {
        let result = await RefundWorkflow().run(RefundState(orderID: "ord_123", amount: 42.50))
        #expect(result.status == .succeeded)
        #expect(result.steps.map(\.stepName) == ["check_order", "verify_policy", "generate_response"])
        #expect(result.state.orderFound && result.state.policyOK)
        #expect(result.state.responseText == "Refund approved for ord_123.")
        #expect(result.steps.last?.output == "Refund approved for ord_123.")

        let denied = await RefundWorkflow().run(RefundState(orderID: "ord_124", amount: 100.01))
        #expect(denied.state.responseText == "Refund denied for ord_124.")
    }

    @Test("support triage: the context tags the ticket and the queue comes from computed state")
    func supportTriage() async {
        let ticket = SupportTicket(
            ticketID: "T-1", customerTier: "enterprise", subject: "Dashboard down", body: "Urgent: error on load")
        let result = await SupportTriageWorkflow().run(ticket)
        #expect(result.status == .succeeded)
        #expect(result.state.category == "technical")
        #expect(result.state.priority == "urgent")
        #expect(result.state.queue == "escalations")
        #expect(result.state.triagedBy == "support-triage/classify_ticket run \(result.runID.prefix(8))")
        #expect(
            result.steps.map(\.output) == [
                "Classified as technical (attempt 1).", "Priority urgent.", "Assigned to escalations.",
            ])

        let billing = await SupportTriageWorkflow().run(
            SupportTicket(
                ticketID: "T-2", customerTier: "pro", subject: "Invoice", body: "Please refund the extra charge"))
        #expect(billing.state.queue == "billing-normal")
    }

    @Test("content review: a timeout on the first attempt, success on the retry")
    func contentReview() async {
        let result = await ContentReviewWorkflow().run(ContentReviewState(text: "Garden tips", transientFailures: 1))
        #expect(result.status == .succeeded)
        #expect(result.step("moderate_content")?.attempts == 2)
        #expect(result.step("record_decision")?.attempts == 1)
        #expect(result.state.decision == "publish")

        let spam = await ContentReviewWorkflow().run(ContentReviewState(text: "Buy SPAM now", transientFailures: 2))
        #expect(spam.step("moderate_content")?.attempts == 3)
        #expect(spam.state.decision == "reject")

        let down = await ContentReviewWorkflow().run(ContentReviewState(text: "x", transientFailures: 3))
        #expect(down.status == .failed)
        #expect(down.step("moderate_content")?.attempts == 3)
        #expect(down.error is ModerationTimeoutError)
    }

    @Test("branching refund: routes, END paths, the route trace and skipped steps")
    func branchingRefund() async {
        let small = await BranchingRefundWorkflow().run(BranchingRefundState(orderID: "o1", amount: 42.5))
        #expect(small.status == .succeeded)
        #expect(small.steps.map(\.status) == [.succeeded, .skipped, .succeeded, .succeeded])
        #expect(small.step("manual_review")?.skippedReason == "not reached because workflow ended")
        #expect(
            small.routeTrace == [
                RouteDecision(
                    stepName: "evaluate_refund", routeKey: "auto_approve", nextStep: "issue_refund", ended: false)
            ])
        #expect(small.state.outcome == "refunded")

        let review = await BranchingRefundWorkflow().run(
            BranchingRefundState(orderID: "o2", amount: 300, frequentRefunder: true))
        #expect(review.routeTrace.map(\.routeKey) == ["review", "reject"])
        #expect(review.routeTrace.last?.ended == true)
        #expect(review.steps.map(\.status) == [.succeeded, .succeeded, .skipped, .skipped])
        #expect(review.state.outcome == "rejected in review")

        let reviewedOK = await BranchingRefundWorkflow().run(BranchingRefundState(orderID: "o3", amount: 300))
        #expect(reviewedOK.routeTrace.map(\.routeKey) == ["review", "approve"])
        #expect(reviewedOK.steps.map(\.status) == [.succeeded, .succeeded, .succeeded, .succeeded])

        let denied = await BranchingRefundWorkflow().run(BranchingRefundState(orderID: "o4", amount: 5000))
        #expect(denied.status == .succeeded)
        #expect(denied.step("evaluate_refund")?.routeKey == "deny")
        #expect(denied.step("evaluate_refund")?.nextStep == nil)
        #expect(denied.steps.dropFirst().allSatisfy { $0.status == .skipped && $0.attempts == 0 })
    }

    @Test("approval refund: the handler sees message and metadata; both decisions are recorded")
    func approvalRefund() async throws {
        let approved = await ApprovalRefundWorkflow().run(
            ApprovalRefundState(orderID: "o1", amount: 250, reason: "damaged"),
            approvalHandler: ApprovalRefundWorkflow.policyApprover)
        #expect(approved.status == .succeeded)
        let decision = try #require(approved.step("issue_refund")?.approvalDecision)
        #expect(decision.approved && decision.decidedBy == "policy-bot")
        #expect(decision.reason == "within the 500.00 approval limit")
        #expect(approved.state.refunded)

        let denied = await ApprovalRefundWorkflow().run(
            ApprovalRefundState(orderID: "o2", amount: 900, reason: "changed mind"),
            approvalHandler: ApprovalRefundWorkflow.policyApprover)
        #expect(denied.status == .failed)
        #expect(denied.step("issue_refund")?.attempts == 0)
        #expect(denied.step("issue_refund")?.approvalDecision?.approved == false)
        #expect(!denied.state.refunded)

        let seen = try await firstRequest(of: ApprovalRefundWorkflow())
        #expect(seen.message == "Approve this refund?")
        #expect(seen.metadata == ["policy": "refunds need a human decision", "auto_limit": 100])
    }

    @Test("persistent approval: pause with a checkpoint, resume later from its JSON")
    func persistentApproval() async throws {
        let state = ApprovalRefundState(orderID: "o1", amount: 640, reason: "wrong size")
        let paused = await PersistentApprovalWorkflow().run(state, pauseOnApproval: true)
        #expect(paused.status == .paused)
        let checkpoint = try #require(paused.checkpoint)
        #expect(checkpoint.stepName == "issue_refund")
        let data = try checkpoint.jsonData()

        let approved = await PersistentApprovalWorkflow().resume(
            from: try ApprovalPause<ApprovalRefundState>(jsonData: data), decision: .approve(by: "ana"))
        #expect(approved.status == .succeeded)
        #expect(approved.runID == paused.runID)
        #expect(approved.state.responseText == "Your refund for o1 is on its way.")
        #expect(approved.step("issue_refund")?.approvalDecision?.decidedBy == "ana")

        let denied = await PersistentApprovalWorkflow().resume(
            from: try ApprovalPause<ApprovalRefundState>(jsonData: data), decision: .deny(reason: "no receipt"))
        #expect(denied.status == .failed)
        #expect(denied.error is ApprovalRequiredError)
    }

    @Test("workflow hooks: the logging hook writes one line per lifecycle event")
    func workflowHooks() async {
        let lines = LineCollector()
        let result = await WorkflowHooksWorkflow().run(
            FulfilmentState(orderID: "o1", items: ["mug"]), hooks: [WorkflowHooksWorkflow.loggingHook(lines.add)])
        #expect(result.status == .succeeded)
        #expect(result.state.trackingNumber == "TRK-O1")
        let logged = lines.all
        #expect(logged.count == 8)
        #expect(logged.first == "[hook] workflow started: workflow-hooks (run \(result.runID.prefix(8)))")
        #expect(logged[1] == "[hook]   step started: reserve_items")
        #expect(logged[2].hasPrefix("[hook]   step finished: reserve_items -> succeeded in "))
        #expect(logged.last == "[hook] workflow finished: workflow-hooks -> succeeded")
    }

    @Test("workflow composition: nested child results and the fail-parent opt-out")
    func workflowComposition() async throws {
        let safe = await WorkflowCompositionWorkflow().run(OrderState(orderID: "o1", amount: 120, country: "DE"))
        #expect(safe.status == .succeeded)
        let fraud = try #require(safe.step("run_fraud_check")?.childWorkflows.first)
        #expect(fraud.workflowName == "fraud-check")
        #expect(fraud.status == .succeeded)
        #expect(fraud.steps.map(\.stepName) == ["score_risk", "decide"])
        let shipping = try #require(safe.step("create_shipping_label")?.childWorkflows.first)
        #expect(try shipping.state.as(ShippingState.self).labelID == "DHL-o1")
        #expect(safe.state.labelID == "DHL-o1")
        #expect(safe.state.status == "ready to ship")

        let risky = await WorkflowCompositionWorkflow().run(OrderState(orderID: "o2", amount: 1900, country: "ZZ"))
        #expect(risky.status == .succeeded, "the parent inspects the failed child instead of failing")
        let failedChild = try #require(risky.step("run_fraud_check")?.childWorkflows.first)
        #expect(failedChild.status == .failed)
        #expect(failedChild.error is FraudSuspectedError)
        #expect(risky.state.heldForReview)
        #expect(risky.step("create_shipping_label")?.childWorkflows.isEmpty == true)
        #expect(risky.state.status == "on hold")
    }

    @Test("graph export: nodes, route edges, the gated node and END, without running")
    func graphExport() throws {
        let graph = try GraphExportWorkflow().graph()
        #expect(graph.nodes.map(\.label) == ["evaluate_refund", "approve_refund", "notify", "END"])
        #expect(graph.nodes.map(\.requiresApproval) == [false, true, false, false])
        #expect(graph.edges.filter { $0.kind == .route }.map(\.routeKey) == ["approve", "deny"])
        #expect(
            graph.mermaid() == specMermaidExample)
    }

    private func firstRequest(of workflow: ApprovalRefundWorkflow) async throws -> ApprovalRequest {
        let paused = await workflow.run(
            ApprovalRefundState(orderID: "o", amount: 1, reason: "r"), pauseOnApproval: true)
        return try #require(paused.checkpoint?.request)
    }
}

/// Collects lines written from any task.
final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])
    @Sendable func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
