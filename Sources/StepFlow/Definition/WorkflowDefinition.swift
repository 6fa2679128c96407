/// A validated workflow, prepared once and ready to run any number of times.
///
/// Everything that depends only on the definition (validation, name index,
/// resolved retry settings, route tables, the fingerprint) is computed here,
/// so the run loop does none of it per step.
public struct WorkflowDefinition<State: Codable & Sendable>: Sendable {
    /// The workflow's name.
    public let name: String
    /// The steps in declaration order.
    public let steps: [Step<State>]
    /// Whether any step declares routes (then every step appears in results).
    public let hasRoutes: Bool
    /// A digest of step names, order, routes and approval gates; a checkpoint
    /// only resumes against a definition with the same fingerprint.
    public let fingerprint: String

    /// What the run loop reads of each step, in step order.
    let plans: [StepPlan]
    let indexByName: [String: Int]

    /// Validates the steps (SPEC §1) and prepares them.
    public init(name: String, defaults: RetryPolicy = RetryPolicy(), steps: [Step<State>])
        throws(WorkflowDefinitionError)
    {
        try DefinitionValidator.validate(name: name, defaults: defaults, steps: steps)
        var indexByName: [String: Int] = [:]
        indexByName.reserveCapacity(steps.count)
        for index in steps.indices { indexByName[steps[index].name] = index }
        self.name = name
        self.steps = steps
        self.indexByName = indexByName
        self.hasRoutes = steps.contains { $0.routes != nil }
        self.plans = steps.map { step in
            StepPlan(
                name: step.name, body: step.body, approval: step.approval,
                retry: ResolvedRetry((step.retry ?? RetryPolicy()).inheriting(from: defaults)),
                routeTable: step.routes.map { routes in
                    Dictionary(
                        routes.map { route -> (String, RouteDestination) in
                            switch route.target {
                            case .end: return (route.key, .end)
                            case .step(let target):
                                guard let index = indexByName[target] else {
                                    preconditionFailure("validation checked that route target '\(target)' is a step")
                                }
                                return (route.key, .step(index, target))
                            }
                        }, uniquingKeysWith: { first, _ in first })
                })
        }
        self.fingerprint = DefinitionFingerprint.compute(name: name, steps: steps)
    }

    /// The index of the step with this name.
    public func index(ofStep name: String) -> Int? {
        indexByName[name]
    }
}

/// What the run loop reads of one step, resolved once per definition.
///
/// Not generic and a class: the loop takes a step's plan with one retain,
/// where copying a `Step<State>` out of its array in unspecialised generic
/// code goes through value witnesses and a metadata lookup.
final class StepPlan: Sendable {
    let name: String
    /// The step's `StepBody<State>`, held untyped so this class need not be
    /// generic; ``body(as:)`` gives it back.
    private let untypedBody: AnyObject & Sendable
    let approval: ApprovalGate?
    let retry: ResolvedRetry
    /// Route key → destination, or `nil` for a step that continues to the next one.
    let routeTable: [String: RouteDestination]?

    init<State>(
        name: String, body: StepBody<State>, approval: ApprovalGate?, retry: ResolvedRetry,
        routeTable: [String: RouteDestination]?
    ) {
        self.name = name
        self.untypedBody = body
        self.approval = approval
        self.retry = retry
        self.routeTable = routeTable
    }

    /// The step's body.
    ///
    /// `State` must be the state type of the definition that made this plan; the
    /// engine, the only caller, runs plans of its own definition. Unchecked,
    /// because a checked cast costs a metadata lookup and a dynamic cast per
    /// step: 20% more instructions per no-op step.
    @inline(__always)
    func body<State>(as state: State.Type) -> StepBody<State> {
        unsafeDowncast(untypedBody, to: StepBody<State>.self)
    }
}

extension StepPlan {
    /// Resolves a successful step's output to one of its routes (SPEC §5).
    @inline(__always)
    func route(for output: JSONValue?) -> RouteResolution {
        guard let routeTable else { return .unrouted }
        guard case .string(let key)? = output else {
            return .refused(RouteResolutionError("Step '\(name)' returned a non-string route key."))
        }
        guard let destination = routeTable[key] else {
            return .refused(RouteResolutionError("Step '\(name)' returned unknown route key '\(key)'."))
        }
        let decision =
            switch destination {
            case .end: RouteDecision(stepName: name, routeKey: key, nextStep: nil, ended: true)
            case .step(_, let next): RouteDecision(stepName: name, routeKey: key, nextStep: next, ended: false)
            }
        return .taken(decision, destination)
    }
}

/// A route key's resolved destination.
enum RouteDestination: Sendable, Equatable {
    /// The step at this index, with this name.
    case step(Int, String)
    case end
}

/// Where a step's output leads.
enum RouteResolution {
    /// The step has no routes: the run continues with the next declared step.
    case unrouted
    /// The output named a route: the decision for the route trace, and where it leads.
    case taken(RouteDecision, RouteDestination)
    /// The output is not a string, or not one of the step's keys: the step fails.
    case refused(RouteResolutionError)
}

/// The checks of SPEC §1, each failing with a message that says what is wrong.
enum DefinitionValidator {
    static func validate<State>(name: String, defaults: RetryPolicy, steps: [Step<State>])
        throws(WorkflowDefinitionError)
    {
        guard !steps.isEmpty else {
            throw WorkflowDefinitionError("Workflow '\(name)' must define at least one step.")
        }
        try validate(defaults, owner: "Workflow '\(name)'")
        var seen: [String: Int] = [:]
        seen.reserveCapacity(steps.count)
        for index in steps.indices {
            let step = steps[index]
            if step.name.isEmpty {
                throw WorkflowDefinitionError("Step \(index + 1) of workflow '\(name)' has an empty name.")
            }
            if step.name == "run" {
                throw WorkflowDefinitionError("Step name 'run' is reserved; choose another name.")
            }
            if seen[step.name] != nil {
                throw WorkflowDefinitionError("Duplicate step name '\(step.name)' in workflow '\(name)'.")
            }
            seen[step.name] = index
            if let retry = step.retry { try validate(retry, owner: "Step '\(step.name)'") }
            if let message = step.approval?.message, message.isEmpty {
                throw WorkflowDefinitionError(
                    "Step '\(step.name)' has an empty approval message; omit it or write one.")
            }
            if let deadline = step.approval?.deadline, deadline.duration <= .zero {
                throw WorkflowDefinitionError("Step '\(step.name)' has an approval deadline that is not positive.")
            }
            if step.approval?.approvers.contains(where: \.isEmpty) == true {
                throw WorkflowDefinitionError("Step '\(step.name)' lists an empty approver name.")
            }
        }
        for index in steps.indices {
            guard let routes = steps[index].routes else { continue }
            try validate(routes: routes, of: steps[index].name, at: index, indexByName: seen)
        }
    }

    private static func validate(
        routes: [Route], of step: String, at index: Int, indexByName: [String: Int]
    ) throws(WorkflowDefinitionError) {
        guard !routes.isEmpty else {
            throw WorkflowDefinitionError(
                "Step '\(step)' declares an empty route map; omit routes or add at least one.")
        }
        var keys: Set<String> = []
        for route in routes {
            if route.key.isEmpty {
                throw WorkflowDefinitionError("Step '\(step)' has an empty route key.")
            }
            if !keys.insert(route.key).inserted {
                throw WorkflowDefinitionError("Step '\(step)' declares route key '\(route.key)' twice.")
            }
            guard case .step(let target) = route.target else { continue }
            guard let targetIndex = indexByName[target] else {
                throw WorkflowDefinitionError(
                    "Route '\(route.key)' of step '\(step)' targets '\(target)', which does not match a workflow step.")
            }
            if targetIndex <= index {
                throw WorkflowDefinitionError(
                    "Route '\(route.key)' of step '\(step)' targets '\(target)'; a route must point to a later step.")
            }
        }
    }

    private static func validate(_ policy: RetryPolicy, owner: String) throws(WorkflowDefinitionError) {
        if let retries = policy.retries, retries < 0 {
            throw WorkflowDefinitionError("\(owner) has a negative retry count (\(retries)).")
        }
        if let delay = policy.delay, delay < .zero {
            throw WorkflowDefinitionError("\(owner) has a negative retry delay.")
        }
        if let timeout = policy.timeout, timeout <= .zero {
            throw WorkflowDefinitionError("\(owner) has a timeout that is not positive.")
        }
        if let backoff = policy.backoff {
            if !(backoff.multiplier >= 1) {
                throw WorkflowDefinitionError("\(owner) has a backoff multiplier below 1.")
            }
            if !(0...1).contains(backoff.jitter) {
                throw WorkflowDefinitionError("\(owner) has a backoff jitter outside 0...1.")
            }
            if let cap = backoff.maxDelay, cap < .zero {
                throw WorkflowDefinitionError("\(owner) has a negative maximum backoff delay.")
            }
        }
    }
}

/// A stable digest of what a checkpoint depends on: step names, order, routes and gates.
///
/// FNV-1a over a canonical text: the same in every process (unlike `Hasher`).
enum DefinitionFingerprint {
    static func compute<State>(name: String, steps: [Step<State>]) -> String {
        var hash = FNV1a()
        hash.field("workflow", name)
        for step in steps {
            hash.field("step", step.name)
            hash.field("approval", step.approval != nil ? "1" : "0")
            guard let routes = step.routes else {
                hash.field("linear", "")
                continue
            }
            for route in routes {
                hash.field("route", route.key)
                switch route.target {
                case .end: hash.field("end", "")
                case .step(let target): hash.field("to", target)
                }
            }
        }
        let hex = String(hash.value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// 64-bit FNV-1a over length-prefixed fields, so no two definitions share an input.
    private struct FNV1a {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325

        mutating func field(_ tag: String, _ text: String) {
            add(tag.utf8)
            add(String(text.utf8.count).utf8)
            add(CollectionOfOne(UInt8(ascii: ":")))
            add(text.utf8)
        }

        private mutating func add<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
            for byte in bytes {
                value ^= UInt64(byte)
                value = value &* 0x100_0000_01b3
            }
        }
    }
}
