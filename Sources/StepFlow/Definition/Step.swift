/// One step of a workflow: a name, its settings, and the body that does the work.
///
/// ```swift
/// Step("verify_policy") { state in
///     state.policyOK = state.orderFound && state.amount <= 100
///     return "Refund policy check completed."
/// }
/// ```
///
/// The body mutates the shared state and may return any `Encodable` output,
/// which the result keeps as JSON. A body that also takes a ``RunContext`` can
/// read the run's identity and run child workflows.
public struct Step<State: Sendable>: Sendable {
    /// The body with its output already converted to JSON.
    typealias Body = @Sendable (inout State, RunContext) async throws -> JSONValue?

    /// The step's public name, unique in its workflow.
    public let name: String
    /// What the step does, for graphs and the console.
    public let description: String?
    /// Retry settings; unset fields inherit the workflow's.
    public let retry: RetryPolicy?
    /// The ordered route map, or `nil` for a step that continues to the next one.
    public let routes: [Route]?
    /// The approval gate, or `nil` when the step runs without asking.
    public let approval: ApprovalGate?
    let body: Body

    init(
        name: String, description: String?, retry: RetryPolicy?,
        routes: KeyValuePairs<String, RouteTarget>?, approval: ApprovalGate?, body: @escaping Body
    ) {
        self.name = name
        self.description = description
        self.retry = retry
        self.routes = routes.map { $0.map { Route(key: $0.key, target: $0.value) } }
        self.approval = approval
        self.body = body
    }

    /// A step whose body takes the state and the run context and returns an output.
    public init<Output: Encodable & Sendable>(
        _ name: String,
        description: String? = nil,
        retry: RetryPolicy? = nil,
        routes: KeyValuePairs<String, RouteTarget>? = nil,
        approval: ApprovalGate? = nil,
        _ body: @escaping @Sendable (inout State, RunContext) async throws -> Output
    ) {
        self.init(
            name: name, description: description, retry: retry, routes: routes, approval: approval,
            body: { state, context in try recordOutput(try await body(&state, context), of: name) })
    }

    /// A step whose body takes the state and returns an output.
    public init<Output: Encodable & Sendable>(
        _ name: String,
        description: String? = nil,
        retry: RetryPolicy? = nil,
        routes: KeyValuePairs<String, RouteTarget>? = nil,
        approval: ApprovalGate? = nil,
        _ body: @escaping @Sendable (inout State) async throws -> Output
    ) {
        self.init(
            name: name, description: description, retry: retry, routes: routes, approval: approval,
            body: { state, _ in try recordOutput(try await body(&state), of: name) })
    }

    /// A step whose body takes the state and the run context and returns nothing.
    public init(
        _ name: String,
        description: String? = nil,
        retry: RetryPolicy? = nil,
        routes: KeyValuePairs<String, RouteTarget>? = nil,
        approval: ApprovalGate? = nil,
        _ body: @escaping @Sendable (inout State, RunContext) async throws -> Void
    ) {
        self.init(
            name: name, description: description, retry: retry, routes: routes, approval: approval,
            body: { state, context in
                try await body(&state, context)
                return nil
            })
    }

    /// A step whose body takes the state and returns nothing.
    public init(
        _ name: String,
        description: String? = nil,
        retry: RetryPolicy? = nil,
        routes: KeyValuePairs<String, RouteTarget>? = nil,
        approval: ApprovalGate? = nil,
        _ body: @escaping @Sendable (inout State) async throws -> Void
    ) {
        self.init(
            name: name, description: description, retry: retry, routes: routes, approval: approval,
            body: { state, _ in
                try await body(&state)
                return nil
            })
    }
}

/// Converts a step's output to JSON; an output that cannot be encoded fails the step.
private func recordOutput<Output: Encodable>(_ output: Output, of step: String) throws -> JSONValue? {
    if let optional = output as? any OptionalProtocol, optional.isNone { return nil }
    do {
        return try JSONValue(encoding: output)
    } catch {
        throw StepExecutionError(
            "Step '\(step)' returned an output that cannot be encoded as JSON: \(errorMessage(error))",
            cause: error)
    }
}

/// Lets a generic `Output` that is an `Optional` be checked for `nil`.
private protocol OptionalProtocol {
    var isNone: Bool { get }
}

extension Optional: OptionalProtocol {
    var isNone: Bool { self == nil }
}

/// Builds a workflow's ordered step list from a block of `Step` expressions.
///
/// `if`, `if`/`else` and `for` loops are allowed, so step lists can be generated.
@resultBuilder
public enum StepsBuilder<State: Sendable> {
    /// One step.
    public static func buildExpression(_ step: Step<State>) -> [Step<State>] { [step] }
    /// An array of steps, spliced in order.
    public static func buildExpression(_ steps: [Step<State>]) -> [Step<State>] { steps }
    /// A block of one statement.
    public static func buildBlock(_ part: [Step<State>]) -> [Step<State>] { part }
    /// Steps in declaration order.
    public static func buildBlock(_ parts: [Step<State>]...) -> [Step<State>] { parts.flatMap { $0 } }
    /// Steps inside an `if` without `else`.
    public static func buildOptional(_ part: [Step<State>]?) -> [Step<State>] { part ?? [] }
    /// The first branch of an `if`/`else`.
    public static func buildEither(first part: [Step<State>]) -> [Step<State>] { part }
    /// The second branch of an `if`/`else`.
    public static func buildEither(second part: [Step<State>]) -> [Step<State>] { part }
    /// Steps made by a `for` loop.
    public static func buildArray(_ parts: [[Step<State>]]) -> [Step<State>] {
        var steps: [Step<State>] = []
        steps.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { steps.append(contentsOf: part) }
        return steps
    }
}
