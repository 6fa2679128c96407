import StepFlow

/// The state of the graph example's workflow (it is never run by the example).
public struct RefundDecisionState: Codable, Sendable, Equatable {
    /// The refund amount.
    public var amount: Double
    /// What happened.
    public var outcome = ""

    /// Creates a state.
    public init(amount: Double) {
        self.amount = amount
    }
}

/// Example 9: a workflow with a route to a gated step and a route to END, whose
/// graph is exported from metadata alone (the SPEC §8 Mermaid example).
public struct GraphExportWorkflow: Workflow {
    /// Creates the workflow.
    public init() {}

    /// The catalog name.
    public var name: String { "graph-export" }

    /// Evaluate (routes), approve (gated), notify.
    public var steps: [Step<RefundDecisionState>] {
        Step(
            "evaluate_refund", description: "Approve small refunds, deny the rest",
            routes: ["approve": "approve_refund", "deny": .end]
        ) { state in
            state.amount <= 100 ? "approve" : "deny"
        }
        Step(
            "approve_refund", description: "A person confirms the refund",
            approval: .required(message: "Confirm the refund?")
        ) { state in
            state.outcome = "refunded"
            return "approved"
        }
        Step("notify", description: "Tell the customer") { state in
            "Customer notified: \(state.outcome)."
        }
    }
}
