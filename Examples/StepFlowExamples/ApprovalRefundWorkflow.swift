import StepFlow

/// A refund that a person must approve (seed examples 5 and 6).
public struct ApprovalRefundState: Codable, Sendable, Equatable {
    /// The order being refunded.
    public var orderID: String
    /// The refund amount.
    public var amount: Double
    /// Why the customer asks.
    public var reason: String
    /// Whether the money was sent.
    public var refunded = false
    /// The reply to the customer.
    public var responseText = ""

    /// Creates a request.
    public init(orderID: String, amount: Double, reason: String) {
        self.orderID = orderID
        self.amount = amount
        self.reason = reason
    }
}

/// The steps shared by the approval examples: prepare, a gated refund, notify.
func approvalRefundSteps() -> [Step<ApprovalRefundState>] {
    [
        Step("prepare_refund", description: "Check the order and compute the refund") { state in
            "Refund of \(formatAmount(state.amount)) prepared for \(state.orderID)."
        },
        Step(
            "issue_refund", description: "Send the money back (needs a person's approval)",
            approval: .required(
                message: "Approve this refund?",
                metadata: ["policy": "refunds need a human decision", "auto_limit": 100])
        ) { state in
            state.refunded = true
            return "Refunded \(formatAmount(state.amount))."
        },
        Step("notify_customer", description: "Tell the customer") { state in
            state.responseText =
                state.refunded
                ? "Your refund for \(state.orderID) is on its way."
                : "Your refund for \(state.orderID) was not approved."
            return state.responseText
        },
    ]
}

/// Example 5: an approval handler, the request's message and metadata, the
/// decision recorded on the step result.
public struct ApprovalRefundWorkflow: Workflow {
    /// Creates the workflow.
    public init() {}

    /// The catalog name.
    public var name: String { "approval-refund" }

    /// Prepare, refund (gated), notify.
    public var steps: [Step<ApprovalRefundState>] {
        approvalRefundSteps()
    }

    /// The example's approver: refunds up to 500.00 are approved, larger ones denied.
    public static let policyApprover = ApprovalHandler { request in
        let amount = (try? request.state.as(ApprovalRefundState.self).amount) ?? .infinity
        return amount <= 500
            ? ApprovalDecision.approve(reason: "within the 500.00 approval limit", by: "policy-bot")
            : ApprovalDecision.deny(reason: "over the 500.00 approval limit", by: "policy-bot")
    }
}

/// Example 6: the same refund, paused for a decision that arrives later, from a
/// checkpoint file, in another process.
public struct PersistentApprovalWorkflow: Workflow {
    /// Creates the workflow.
    public init() {}

    /// The catalog name.
    public var name: String { "persistent-approval" }

    /// Prepare, refund (gated), notify.
    public var steps: [Step<ApprovalRefundState>] {
        approvalRefundSteps()
    }
}

/// An amount with two decimals.
func formatAmount(_ amount: Double) -> String {
    let cents = Int((amount * 100).rounded())
    let fraction = abs(cents % 100)
    return "\(cents / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}
