/// Where a route key leads: a later step by name, or the end of the workflow.
public enum RouteTarget: Sendable, Hashable, ExpressibleByStringLiteral {
    /// Jump to the step with this name (it must come later).
    case step(String)
    /// Stop the workflow; it ends `succeeded`.
    case end

    /// A string literal names a step.
    public init(stringLiteral name: String) {
        self = .step(name)
    }
}

// The Python reference's spelling, so ported code compiles; deprecated in favour of `.end`.
// swift-format-ignore: AlwaysUseLowerCamelCase
/// The end of a workflow as a route target: the reference's `END`, kept for ports.
@available(*, deprecated, renamed: "RouteTarget.end", message: "Write .end in a route map.")
public let END = RouteTarget.end

/// One entry of a step's route map: a key and where it leads.
public struct Route: Sendable, Hashable {
    /// The value the step returns to take this route.
    public let key: String
    /// Where the route leads.
    public let target: RouteTarget

    /// Creates a route entry.
    public init(key: String, target: RouteTarget) {
        self.key = key
        self.target = target
    }
}
