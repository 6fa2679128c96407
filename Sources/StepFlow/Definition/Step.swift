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
    let body: StepBody<State>

    init(
        name: String, description: String?, retry: RetryPolicy?,
        routes: KeyValuePairs<String, RouteTarget>?, approval: ApprovalGate?, body: StepBody<State>
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
            body: StepBody(
                .output { [recorder = OutputRecorder<Output>(step: name)] state, context in
                    try recorder.record(try await body(&state, context))
                }))
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
            body: StepBody(
                .output { [recorder = OutputRecorder<Output>(step: name)] state, _ in
                    try recorder.record(try await body(&state))
                }))
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
            body: StepBody(.withContext(body)))
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
            body: StepBody(.stateOnly(body)))
    }
}

extension Step {
    // The same four shapes with a gate whose message is built from the state:
    // `approval: .required(message: { state in … })` needs a contextual type
    // that knows `State`, which the non-generic `ApprovalGate` cannot give.

    /// A step whose body takes the state and the run context and returns an
    /// output, gated by an approval whose message is built from the state.
    public init<Output: Encodable & Sendable>(
        _ name: String,
        description: String? = nil,
        retry: RetryPolicy? = nil,
        routes: KeyValuePairs<String, RouteTarget>? = nil,
        approval: StateApprovalGate<State>,
        _ body: @escaping @Sendable (inout State, RunContext) async throws -> Output
    ) {
        self.init(name, description: description, retry: retry, routes: routes, approval: approval.gate, body)
    }

    /// A step whose body takes the state and returns an output, gated by an
    /// approval whose message is built from the state.
    public init<Output: Encodable & Sendable>(
        _ name: String,
        description: String? = nil,
        retry: RetryPolicy? = nil,
        routes: KeyValuePairs<String, RouteTarget>? = nil,
        approval: StateApprovalGate<State>,
        _ body: @escaping @Sendable (inout State) async throws -> Output
    ) {
        self.init(name, description: description, retry: retry, routes: routes, approval: approval.gate, body)
    }

    /// A step whose body takes the state and the run context and returns
    /// nothing, gated by an approval whose message is built from the state.
    public init(
        _ name: String,
        description: String? = nil,
        retry: RetryPolicy? = nil,
        routes: KeyValuePairs<String, RouteTarget>? = nil,
        approval: StateApprovalGate<State>,
        _ body: @escaping @Sendable (inout State, RunContext) async throws -> Void
    ) {
        self.init(name, description: description, retry: retry, routes: routes, approval: approval.gate, body)
    }

    /// A step whose body takes the state and returns nothing, gated by an
    /// approval whose message is built from the state.
    public init(
        _ name: String,
        description: String? = nil,
        retry: RetryPolicy? = nil,
        routes: KeyValuePairs<String, RouteTarget>? = nil,
        approval: StateApprovalGate<State>,
        _ body: @escaping @Sendable (inout State) async throws -> Void
    ) {
        self.init(name, description: description, retry: retry, routes: routes, approval: approval.gate, body)
    }
}

/// A step's body in the shape its author wrote it.
///
/// Bodies without an output are kept as written, so the run loop calls them
/// directly instead of through a wrapper closure (one async frame fewer per
/// step) and builds no ``RunContext`` for a body that does not take one. A
/// class, so the non-generic ``StepPlan`` can hold it.
final class StepBody<State: Sendable>: Sendable {
    enum Shape: Sendable {
        case stateOnly(@Sendable (inout State) async throws -> Void)
        case withContext(@Sendable (inout State, RunContext) async throws -> Void)
        /// The output already converted to JSON.
        case output(@Sendable (inout State, RunContext) async throws -> JSONValue?)
    }

    let shape: Shape

    init(_ shape: Shape) {
        self.shape = shape
    }

    /// Runs the body; `context` is only built for bodies that take it.
    @inline(__always)
    func run(_ state: inout State, context: () -> RunContext) async throws -> JSONValue? {
        switch shape {
        case .stateOnly(let body):
            try await body(&state)
            return nil
        case .withContext(let body):
            try await body(&state, context())
            return nil
        case .output(let body):
            return try await body(&state, context())
        }
    }
}

/// Converts a step's outputs to JSON; an output that cannot be encoded fails the step.
///
/// What kind of type `Output` is gets decided once, when the step is declared:
/// trying every kind by dynamic casts on every call was most of a
/// String-returning step's overhead; now a call makes at most one cast.
private struct OutputRecorder<Output: Encodable>: Sendable {
    private enum Kind {
        case string, json, optional, other
    }

    private let step: String
    private let kind: Kind

    init(step: String) {
        self.step = step
        kind =
            if Output.self == String.self {
                .string
            } else if Output.self == JSONValue.self {
                .json
            } else if Output.self is any OptionalProtocol.Type {
                .optional
            } else {
                .other
            }
    }

    func record(_ output: Output) throws -> JSONValue? {
        // These casts cannot fail: `kind` says `Output` is exactly that type.
        // (`as?` then a trap costs what `as!` does: one dynamic cast.)
        switch kind {
        case .string:
            guard let string = output as? String else { preconditionFailure("Output is String by its kind") }
            return .string(string)
        case .json:
            guard let json = output as? JSONValue else { preconditionFailure("Output is JSONValue by its kind") }
            return json
        case .optional where (output as? any OptionalProtocol)?.isNone == true:
            return nil
        case .optional, .other:
            do {
                return try JSONValue(encoding: output)
            } catch {
                throw StepExecutionError(
                    "Step '\(step)' returned an output that cannot be encoded as JSON: \(errorMessage(error))",
                    cause: error)
            }
        }
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
