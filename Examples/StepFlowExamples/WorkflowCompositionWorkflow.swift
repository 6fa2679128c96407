import StepFlow

/// An order handled by a parent workflow that delegates to two children (seed example 8).
public struct OrderState: Codable, Sendable, Equatable {
    /// The order.
    public var orderID: String
    /// Its value.
    public var amount: Double
    /// Where it ships.
    public var country: String
    /// Whether the fraud check held the order.
    public var heldForReview = false
    /// The fraud check's score, copied from the child.
    public var riskScore = 0.0
    /// The shipping label, copied from the child.
    public var labelID = ""
    /// The final status.
    public var status = ""

    /// Creates an order.
    public init(orderID: String, amount: Double, country: String) {
        self.orderID = orderID
        self.amount = amount
        self.country = country
    }
}

/// The fraud check's own state.
public struct FraudCheckState: Codable, Sendable, Equatable {
    /// The order's value.
    public var amount: Double
    /// Where it ships.
    public var country: String
    /// A risk score from 0 to 1.
    public var score = 0.0
}

/// The fraud check found the order too risky.
public struct FraudSuspectedError: Error, CustomStringConvertible {
    /// The score that was too high.
    public let score: Double
    /// The message.
    public var description: String { "risk score \(score) is above the 0.8 limit" }
}

/// A child workflow: scores an order's risk and fails when it is too high.
public struct FraudCheckWorkflow: Workflow {
    /// Creates the workflow.
    public init() {}
    /// Its name.
    public var name: String { "fraud-check" }
    /// Score, then decide.
    public var steps: [Step<FraudCheckState>] {
        Step("score_risk") { state in
            let countryRisk = ["US": 0.1, "DE": 0.1, "GB": 0.15][state.country] ?? 0.5
            state.score = min(1, countryRisk + state.amount / 2000)
            return state.score
        }
        Step("decide") { state in
            if state.score > 0.8 { throw FraudSuspectedError(score: state.score) }
            return "cleared"
        }
    }
}

/// The shipping child's own state.
public struct ShippingState: Codable, Sendable, Equatable {
    /// The order.
    public var orderID: String
    /// Where it ships.
    public var country: String
    /// The chosen carrier.
    public var carrier = ""
    /// The printed label.
    public var labelID = ""
}

/// A child workflow: picks a carrier and prints a label.
public struct ShippingLabelWorkflow: Workflow {
    /// Creates the workflow.
    public init() {}
    /// Its name.
    public var name: String { "shipping-label" }
    /// Pick, print.
    public var steps: [Step<ShippingState>] {
        Step("pick_carrier") { state in
            state.carrier = state.country == "US" ? "UPS" : "DHL"
            return state.carrier
        }
        Step("print_label") { state in
            state.labelID = "\(state.carrier)-\(state.orderID)"
            return state.labelID
        }
    }
}

/// Example 8: a parent step running a child workflow, nested child results on
/// the step result, and manual inspection with the fail-parent opt-out.
public struct WorkflowCompositionWorkflow: Workflow {
    /// Creates the workflow.
    public init() {}

    /// The catalog name.
    public var name: String { "workflow-composition" }

    /// Validate, fraud check (child, inspected by hand), shipping (child), confirm.
    public var steps: [Step<OrderState>] {
        Step("validate_order", description: "Basic checks") { order in
            "Order \(order.orderID) for \(formatAmount(order.amount)) to \(order.country) is valid."
        }
        Step("run_fraud_check", description: "Child workflow fraud-check; a failure holds the order") {
            order, context in
            let check = try await context.runChild(
                FraudCheckWorkflow(), state: FraudCheckState(amount: order.amount, country: order.country),
                failParentOnFailure: false)
            order.riskScore = check.state.score
            guard check.status == .succeeded else {
                order.heldForReview = true
                return "Held for review: \(check.error.map { String(describing: $0) } ?? "fraud check failed")."
            }
            return "Fraud check passed (score \(check.state.score))."
        }
        Step("create_shipping_label", description: "Child workflow shipping-label") { order, context in
            if order.heldForReview { return "No label: the order is held." }
            let shipping = try await context.runChild(
                ShippingLabelWorkflow(), state: ShippingState(orderID: order.orderID, country: order.country))
            order.labelID = shipping.state.labelID
            return "Label \(order.labelID) created."
        }
        Step("confirm_order", description: "Set the final status") { order in
            order.status = order.heldForReview ? "on hold" : "ready to ship"
            return "Order \(order.status)."
        }
    }
}
