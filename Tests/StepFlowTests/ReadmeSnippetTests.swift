import Foundation
import Testing

@testable import StepFlow

// The README's "More of the SDK" snippets, nearly verbatim, so the README cannot drift
// from the API.

private struct TimeoutError: Error {}

private struct RefundState: Codable, Sendable {
    var orderID = "ord_1"
    var amount = 42.0
    var attempts = 0
}

private struct ChildState: Codable, Sendable {}

private struct ChildWorkflow: Workflow {
    var steps: [Step<ChildState>] { Step("child_step") { _ in } }
}

private struct SnippetWorkflow: Workflow {
    var steps: [Step<RefundState>] {
        Step("moderate", retry: RetryPolicy(retries: 2, retryOn: [TimeoutError.self], delay: .milliseconds(1),
                                            backoff: Backoff(multiplier: 2, maxDelay: .seconds(5), jitter: 0.2),
                                            timeout: .seconds(30))) { state in
            state.attempts += 1
            if state.attempts == 1 { throw TimeoutError() }
        }
        Step("decide", routes: ["approve": "approve_refund", "deny": .end]) { state in
            state.amount <= 100 ? "approve" : "deny"
        }
        Step("approve_refund", approval: .required(message: "Refund over limit", metadata: ["limit": 100])) { _ in
            "approved"
        }
        Step("delegate") { state, context in
            let child = try await context.runChild(ChildWorkflow(), state: ChildState())
            return child.status.rawValue
        }
    }
}

@Suite("README snippets")
struct ReadmeSnippetTests {
    fileprivate let workflow = SnippetWorkflow()
    fileprivate let state = RefundState()

    @Test("retries, routes, an approval handler and a child workflow, as the README writes them")
    func handlerRun() async throws {
        let result = await workflow.run(state, approvalHandler: ApprovalHandler { request in
            ApprovalDecision.approve(reason: "checked the receipt", by: "ana")
        })
        #expect(result.status == .succeeded)
        #expect(result.step("moderate")?.attempts == 2)
        #expect(result.step("approve_refund")?.approvalDecision?.decidedBy == "ana")
        #expect(result.step("delegate")?.output == "succeeded")
        try await workflow.run(state, approvalHandler: .always(true)).throwIfFailed()
    }

    @Test("a pause written to a file and resumed from it, as the README writes it")
    func pauseThroughAFile() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        let paused = await workflow.run(state, pauseOnApproval: true)
        try paused.checkpoint!.jsonData().write(to: url)
        let checkpoint = try ApprovalPause<RefundState>(jsonData: Data(contentsOf: url))
        let resumed = await SnippetWorkflow().resume(from: checkpoint, decision: .approve(by: "ana"))
        #expect(resumed.status == .succeeded)
    }

    @Test("a hook and the event stream, as the README writes them")
    func hookAndStream() async throws {
        let logger = WorkflowHook { event in _ = (event.workflowName, event) }
        let run = try workflow.start(state, options: RunOptions(approvalHandler: .always(true), hooks: [logger]))
        var count = 0
        for await _ in run.events { count += 1 }
        let final = await run.result
        #expect(final.status == .succeeded)
        #expect(count > 8)
        #expect(try SnippetWorkflow().graph().mermaid().hasPrefix("flowchart TD"))
    }
}
