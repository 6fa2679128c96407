import StepFlow

/// A support ticket as it moves through triage (seed example 2).
public struct SupportTicket: Codable, Sendable, Equatable {
    /// The ticket id.
    public var ticketID: String
    /// The customer's plan: `free`, `pro` or `enterprise`.
    public var customerTier: String
    /// The subject line.
    public var subject: String
    /// The message body.
    public var body: String
    /// The category found by classification.
    public var category = ""
    /// `low`, `normal`, `high` or `urgent`.
    public var priority = ""
    /// The queue the ticket is assigned to.
    public var queue = ""
    /// Who triaged it (workflow, run and step), from the run context.
    public var triagedBy = ""

    /// Creates a ticket.
    public init(ticketID: String, customerTier: String, subject: String, body: String) {
        self.ticketID = ticketID
        self.customerTier = customerTier
        self.subject = subject
        self.body = body
    }
}

/// Example 2: a typed ticket state, a step using the run context, a queue
/// assigned from computed state, readable per-step results.
public struct SupportTriageWorkflow: Workflow {
    /// Creates the workflow.
    public init() {}

    /// The catalog name.
    public var name: String { "support-triage" }

    /// Classify, prioritise, assign.
    public var steps: [Step<SupportTicket>] {
        Step("classify_ticket", description: "Find the category from the words used") { ticket, context in
            let text = (ticket.subject + " " + ticket.body).lowercased()
            ticket.category =
                if ["refund", "charge", "invoice", "billing"].contains(where: text.contains) {
                    "billing"
                } else if ["error", "crash", "bug", "broken"].contains(where: text.contains) {
                    "technical"
                } else if ["password", "login", "locked"].contains(where: text.contains) { "account" } else {
                    "general"
                }
            ticket.triagedBy = "\(context.workflowName)/\(context.stepName) run \(context.runID.prefix(8))"
            return "Classified as \(ticket.category) (attempt \(context.attempt))."
        }
        Step("assess_priority", description: "Weigh tier and urgency words") { ticket in
            let urgent = ticket.body.lowercased().contains("urgent") || ticket.subject.lowercased().contains("down")
            ticket.priority =
                switch (ticket.customerTier, urgent) {
                case ("enterprise", true): "urgent"
                case ("enterprise", false), (_, true): "high"
                case ("pro", false): "normal"
                default: "low"
                }
            return "Priority \(ticket.priority)."
        }
        Step("assign_queue", description: "Route to a queue from category and priority") { ticket in
            ticket.queue =
                ticket.priority == "urgent" ? "escalations" : "\(ticket.category)-\(ticket.priority)"
            return "Assigned to \(ticket.queue)."
        }
    }
}
