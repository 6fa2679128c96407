import Foundation
import StepFlow
import StepFlowSQLite

struct RefundState: Codable, Sendable {
    var orderID = "ord_7"
    var amount = 120
    var refunded = false
}

struct RefundWorkflow: Workflow {
    var name: String { "refund" }
    var steps: [Step<RefundState>] {
        Step(
            "issue_refund",
            approval: .required(
                message: { state in "Refund \(state.amount) for \(state.orderID)?" },
                deadline: .init(after: .seconds(3600), then: .deny),
                approvers: ["ana", "bo"], refusesSelfApproval: true)
        ) { state in
            state.refunded = true
        }
    }
}

// snippet.hide
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepflow-snippet-\(getpid())")
defer { try? FileManager.default.removeItem(at: folder) }
let store = try SQLiteRunStore(path: folder.appendingPathComponent("store.sqlite").path)
// snippet.show
// let store = try SQLiteRunStore.openDefault()  // $STEPFLOW_STORE, else ~/.local/state/stepflow/stepflow.sqlite

// A recorded run; in pause mode its gate writes the request and lets go of the run.
let options = RunOptions(store: store, startedBy: "ana", pauseOnApproval: true)
let paused = await RefundWorkflow().run(RefundState(), options: options)
print(paused.status)  // paused

// Any process may decide, through one guarded transaction: the first decision wins.
let request = try await store.pendingApprovals()[0]
print(request.message ?? "")  // Refund 120 for ord_7?
print(request.routePreview?.summary ?? "")  // approve → issue_refund → END; deny → the run fails at issue_refund
func decision(_ approver: String) -> DecisionDraft {
    DecisionDraft(
        requestID: request.id, outcome: .approve, approver: approver, identitySource: .claimed,
        seenStateHash: request.stateHash)
}
print(try await store.decide(decision("ana")).code)  // self_approval_refused
print(try await store.decide(decision("bo")).code)  // decided
print(try await store.decide(decision("ana")).code)  // already_decided

// A worker continues decided runs, and runs whose process died, exactly once.
let worker = Worker(store: store, workflows: [try AnyWorkflow(RefundWorkflow())])
let continued = try await worker.runPending()
print(continued[0].status)  // succeeded
print(continued[0].step("issue_refund")?.approvalDecision?.decidedBy ?? "")  // bo
print(try await worker.runPending().count)  // 0
