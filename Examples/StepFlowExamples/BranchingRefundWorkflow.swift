import StepFlow

/// A refund that can take one of several paths (seed example 4).
public struct BranchingRefundState: Codable, Sendable, Equatable {
    /// The order being refunded.
    public var orderID: String
    /// The refund amount.
    public var amount: Double
    /// Whether the customer has refunded often (sends the request to review).
    public var frequentRefunder: Bool
    /// What happened, step by step.
    public var notes: [String] = []
    /// The final outcome: `refunded`, `denied` or `rejected in review`.
    public var outcome = ""

    /// Creates a request.
    public init(orderID: String, amount: Double, frequentRefunder: Bool = false) {
        self.orderID = orderID
        self.amount = amount
        self.frequentRefunder = frequentRefunder
    }
}

/// Example 4: a decision step routing to different later steps, explicit END
/// paths, the route trace and skipped results.
public struct BranchingRefundWorkflow: Workflow {
    /// Creates the workflow.
    public init() {}

    /// The catalog name.
    public var name: String { "branching-refund" }

    /// Evaluate, maybe review, refund, notify.
    public var steps: [Step<BranchingRefundState>] {
        Step(
            "evaluate_refund", description: "Small refunds pass, large ones are denied, the rest are reviewed",
            routes: ["auto_approve": "issue_refund", "review": "manual_review", "deny": .end]
        ) { state in
            if state.amount > 1000 {
                state.outcome = "denied"
                state.notes.append("Denied: \(state.amount) is over the 1000.00 ceiling.")
                return "deny"
            }
            if state.amount <= 100 && !state.frequentRefunder {
                state.notes.append("Auto-approved: small refund, good history.")
                return "auto_approve"
            }
            state.notes.append("Sent to manual review.")
            return "review"
        }
        Step(
            "manual_review", description: "A reviewer's rule: frequent refunders are rejected",
            routes: ["approve": "issue_refund", "reject": .end]
        ) { state in
            if state.frequentRefunder {
                state.outcome = "rejected in review"
                state.notes.append("Review rejected: frequent refunder.")
                return "reject"
            }
            state.notes.append("Review approved.")
            return "approve"
        }
        Step("issue_refund", description: "Send the money back") { state in
            state.outcome = "refunded"
            state.notes.append("Refunded \(state.amount) for \(state.orderID).")
            return "refund issued"
        }
        Step("notify_customer", description: "Tell the customer") { state in
            "Customer told: \(state.outcome)."
        }
    }
}
