import StepFlow

/// The nine seed examples as a catalog, each with a default state.
public enum ExampleCatalog {
    /// The catalog `stepflow-tui` lists and runs.
    public static let catalog: WorkflowCatalog = {
        do {
            return WorkflowCatalog([
                try CatalogEntry(
                    RefundWorkflow(), summary: "Linear refund: check order, check policy, reply",
                    defaultState: RefundState(orderID: "ord_123", amount: 42.50)),
                try CatalogEntry(
                    SupportTriageWorkflow(), summary: "Triage a ticket: classify, prioritise, assign a queue",
                    defaultState: SupportTicket(
                        ticketID: "T-1001", customerTier: "pro", subject: "Charged twice",
                        body: "I was charged twice on this month's invoice, please refund one charge.")),
                try CatalogEntry(
                    ContentReviewWorkflow(), summary: "Moderation that times out once and succeeds on retry",
                    defaultState: ContentReviewState(text: "Ten tips for a greener garden.", transientFailures: 1)),
                try CatalogEntry(
                    BranchingRefundWorkflow(), summary: "Route a refund: auto-approve, review, or END",
                    defaultState: BranchingRefundState(orderID: "ord_456", amount: 42.50)),
                try CatalogEntry(
                    ApprovalRefundWorkflow(), summary: "A refund that waits for a person's approval",
                    defaultState: ApprovalRefundState(orderID: "ord_789", amount: 250, reason: "Arrived damaged")),
                try CatalogEntry(
                    PersistentApprovalWorkflow(), summary: "Pause for approval, resume later from a checkpoint",
                    defaultState: ApprovalRefundState(orderID: "ord_790", amount: 640, reason: "Wrong size")),
                try CatalogEntry(
                    WorkflowHooksWorkflow(), summary: "Fulfil an order while hooks log every event",
                    defaultState: FulfilmentState(orderID: "ord_321", items: ["mug", "teapot"])),
                try CatalogEntry(
                    WorkflowCompositionWorkflow(), summary: "A parent order run delegating to two child workflows",
                    defaultState: OrderState(orderID: "ord_555", amount: 120, country: "DE")),
                try CatalogEntry(
                    GraphExportWorkflow(), summary: "Routes, an approval gate and END, for graph export",
                    defaultState: RefundDecisionState(amount: 80)),
            ])
        } catch {
            preconditionFailure("an example workflow is invalid: \(error)")
        }
    }()
}
