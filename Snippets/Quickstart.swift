// snippet.hide
// Laid out for reading in the README (aligned comments), so not reformatted.
// swift-format-ignore-file
// snippet.show
import StepFlow

struct RefundState: Codable, Sendable {
    var orderID: String
    var amount: Double
    var orderFound = false
    var policyOK = false
    var responseText = ""
}

struct RefundWorkflow: Workflow {
    var steps: [Step<RefundState>] {
        Step("check_order") { state in
            state.orderFound = true
            return "Order \(state.orderID) located."
        }
        Step("verify_policy") { state in
            state.policyOK = state.orderFound && state.amount <= 100.0
            return "Refund policy check completed."
        }
        Step("generate_response") { state in
            state.responseText = state.policyOK
                ? "Refund approved for \(state.orderID)."
                : "Refund denied for \(state.orderID)."
            return state.responseText
        }
    }
}

let result = await RefundWorkflow().run(RefundState(orderID: "ord_123", amount: 42.50))
print(result.status)                        // succeeded
print(result.state.responseText)            // Refund approved for ord_123.
print(result.steps.last?.output ?? "none")  // Refund approved for ord_123.
