/// One routed step's choice, as recorded in a run's route trace.
public struct RouteDecision: Sendable, Hashable, Codable {
    /// The routed step.
    public let stepName: String
    /// The key the step returned.
    public let routeKey: String
    /// The step the route leads to, or `nil` when it leads to END.
    @ExplicitNull public private(set) var nextStep: String?
    /// Whether the route ended the workflow.
    public let ended: Bool

    /// Creates a route decision.
    public init(stepName: String, routeKey: String, nextStep: String?, ended: Bool) {
        self.stepName = stepName
        self.routeKey = routeKey
        self.nextStep = nextStep
        self.ended = ended
    }

    private enum CodingKeys: String, CodingKey {
        case stepName = "step_name"
        case routeKey = "route_key"
        case nextStep = "next_step"
        case ended
    }
}
