// snippet.hide
// The README's "your own workflows in the console" example. The test runs it
// as `TeamConsole list` and compares its output with the snippet.output lines.
// snippet.arguments: list
// snippet.output: refund  1 step   Refund an order
// snippet.show
import StepFlow
import StepFlowTUI

struct RefundState: Codable, Sendable {
    var orderID = "ord_1"
    var refunded = false
}

struct RefundWorkflow: Workflow {
    var name: String { "refund" }
    var steps: [Step<RefundState>] {
        Step("issue_refund", approval: .required(message: "Refund this order?")) { state in
            state.refunded = true
        }
    }
}

@main
struct MyOps: StepFlowTool {
    static var catalog: WorkflowCatalog {
        get throws {
            try WorkflowCatalog([
                CatalogEntry(RefundWorkflow(), summary: "Refund an order", defaultState: RefundState())
            ])
        }
    }
}
