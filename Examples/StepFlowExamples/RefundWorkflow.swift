import StepFlow

/// The state of a refund request (seed example 1 and the quickstart).
public struct RefundState: Codable, Sendable, Equatable {
    /// The order being refunded.
    public var orderID: String
    /// The refund amount.
    public var amount: Double
    /// Whether the order was found.
    public var orderFound = false
    /// Whether the refund is within policy.
    public var policyOK = false
    /// The reply to the customer.
    public var responseText = ""

    /// Creates a refund request.
    public init(orderID: String, amount: Double) {
        self.orderID = orderID
        self.amount = amount
    }
}

/// Example 1: linear steps, state mutated across steps, a final response built
/// from earlier decisions.
public struct RefundWorkflow: Workflow {
    /// Creates the workflow.
    public init() {}

    /// The catalog name.
    public var name: String { "refund-workflow" }

    /// Check the order, check the policy, answer the customer.
    public var steps: [Step<RefundState>] {
        Step("check_order", description: "Find the order") { state in
            state.orderFound = true
            return "Order \(state.orderID) located."
        }
        Step("verify_policy", description: "Refunds up to 100.00 are within policy") { state in
            state.policyOK = state.orderFound && state.amount <= 100.0
            return "Refund policy check completed."
        }
        Step("generate_response", description: "Write the reply") { state in
            state.responseText =
                state.policyOK
                ? "Refund approved for \(state.orderID)."
                : "Refund denied for \(state.orderID)."
            return state.responseText
        }
    }
}
