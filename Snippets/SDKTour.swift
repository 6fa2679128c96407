// snippet.hide
// swift-format-ignore-file
// The README's "More of the SDK" tour, compiled and run by `ReadmeTests`:
// the lines between `snippet.hide` and `snippet.show` are scaffolding the
// README leaves out. Edit here, then run Scripts/sync-readme-snippets.
import Foundation
import StepFlow

// snippet.show
// Retries: workflow defaults, overridden field by field per step.
struct RateLimited: Error {}
// snippet.hide

struct RefundState: Codable, Sendable {
    var orderID = "ord_1"
    var amount = 42.0
    var attempts = 0
}

struct ChildState: Codable, Sendable {}

struct ChildWorkflow: Workflow {
    var steps: [Step<ChildState>] { Step("child_step") { _ in } }
}

struct RefundWorkflow: Workflow {
    var steps: [Step<RefundState>] {
        // snippet.show
Step("moderate", retry: RetryPolicy(retries: 2, retryOn: [RateLimited.self], delay: .milliseconds(200),
                                    backoff: Backoff(multiplier: 2, maxDelay: .seconds(5), jitter: 0.2),
                                    timeout: .seconds(30))) { state in
    state.attempts += 1
    if state.attempts == 1 { throw RateLimited() }  // the first call fails, the retry succeeds
}

// Routes: the step returns a route key; targets are later steps or .end.
Step("decide", routes: ["approve": "approve_refund", "deny": .end]) { state in
    state.amount <= 100 ? "approve" : "deny"
}

// Approvals: a gated step runs only once someone approves it.
Step("approve_refund", approval: .required(message: "Refund over limit", metadata: ["limit": 100])) { state in
    "refunded \(state.orderID)"
}

// Child workflows from the run context.
Step("delegate") { state, context in
    let child = try await context.runChild(ChildWorkflow(), state: ChildState())
    return child.status.rawValue
}
        // snippet.hide
    }
}

let workflow = RefundWorkflow()
let state = RefundState()
let url = FileManager.default.temporaryDirectory.appendingPathComponent("sdk-tour-\(ProcessInfo.processInfo.processIdentifier).json")
defer { try? FileManager.default.removeItem(at: url) }
// snippet.show

// An approval handler answers with a Bool or an ApprovalDecision...
let result = await workflow.run(state, approvalHandler: ApprovalHandler { request in
    ApprovalDecision.approve(reason: "checked the receipt", by: "ana")
})
print(result.status)                                      // succeeded

// ...or the run pauses, and is resumed later from a checkpoint (JSON; another process is fine).
let paused = await workflow.run(state, pauseOnApproval: true)
try paused.checkpoint?.jsonData().write(to: url)
let checkpoint = try ApprovalPause<RefundState>(jsonData: Data(contentsOf: url))
let resumed = await RefundWorkflow().resume(from: checkpoint, decision: .approve(by: "ana"))
print(paused.status, resumed.status)                      // paused succeeded

// Hooks see every event; a run started in a task streams its events live.
let logger = WorkflowHook { event in _ = event.workflowName }
let run = try workflow.start(state, options: RunOptions(approvalHandler: .always(true), hooks: [logger]))
for await event in run.events { _ = event.runID }  // draw it
let final = await run.result                              // or run.cancel()
print(final.step("moderate")?.attempts ?? 0)              // 2

// Failures thrown on request (the seed's raise_on_failure).
try await workflow.run(state, approvalHandler: .always(true)).throwIfFailed()

// The graph from the definition alone, as Mermaid or JSON.
print(try RefundWorkflow().graph().mermaid().split(separator: "\n")[0])  // flowchart TD
