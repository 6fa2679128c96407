/// A workflow's shape read from its definition alone: nodes for steps (and END),
/// edges for linear order and routes (SPEC §8).
public struct WorkflowGraph: Sendable, Hashable, Codable {
    /// The workflow's name.
    public let workflowName: String
    /// Step nodes in declaration order, then the END node if any route leads there.
    public let nodes: [Node]
    /// Edges, step by step: route edges in route-map order, or one linear edge.
    public let edges: [Edge]

    /// Creates a graph.
    public init(workflowName: String, nodes: [Node], edges: [Edge]) {
        self.workflowName = workflowName
        self.nodes = nodes
        self.edges = edges
    }

    /// A node of the graph (the reference's `WorkflowGraphNode`).
    public struct Node: Sendable, Hashable, Codable {
        /// `step_<index>` or `end_0`.
        public let id: String
        /// The step's name, or `END`.
        public let label: String
        /// Whether this is a step or the END node.
        public let kind: Kind
        /// Whether the step has an approval gate.
        public let requiresApproval: Bool
        /// The step's description.
        public let description: String?

        /// The kinds of node.
        public enum Kind: String, Sendable, Hashable, Codable {
            /// A workflow step.
            case step
            /// The END of the workflow.
            case end
        }

        /// Creates a node.
        public init(id: String, label: String, kind: Kind, requiresApproval: Bool = false, description: String? = nil) {
            self.id = id
            self.label = label
            self.kind = kind
            self.requiresApproval = requiresApproval
            self.description = description
        }

        private enum CodingKeys: String, CodingKey {
            case id, label, kind
            case requiresApproval = "requires_approval"
            case description
        }

        /// Writes every field, `null` for a missing description.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(label, forKey: .label)
            try c.encode(kind, forKey: .kind)
            try c.encode(requiresApproval, forKey: .requiresApproval)
            try c.encode(description, forKey: .description)
        }
    }

    /// An edge of the graph (the reference's `WorkflowGraphEdge`).
    public struct Edge: Sendable, Hashable, Codable {
        /// The source node's id.
        public let source: String
        /// The target node's id.
        public let target: String
        /// A linear edge or a route edge.
        public let kind: Kind
        /// The route key (route edges only).
        public let routeKey: String?

        /// The kinds of edge.
        public enum Kind: String, Sendable, Hashable, Codable {
            /// To the next declared step.
            case linear
            /// A route-map entry.
            case route
        }

        /// Creates an edge.
        public init(source: String, target: String, kind: Kind, routeKey: String? = nil) {
            self.source = source
            self.target = target
            self.kind = kind
            self.routeKey = routeKey
        }

        private enum CodingKeys: String, CodingKey {
            case source, target, kind
            case routeKey = "route_key"
        }

        /// Writes every field, `null` for a missing route key.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(source, forKey: .source)
            try c.encode(target, forKey: .target)
            try c.encode(kind, forKey: .kind)
            try c.encode(routeKey, forKey: .routeKey)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case workflowName = "workflow_name"
        case nodes, edges
    }

    /// The id of the END node.
    package static let endNodeID = "end_0"

    /// The id of the node for step number `index`.
    package static func stepNodeID(_ index: Int) -> String { "step_\(index)" }
}

extension WorkflowDefinition {
    /// The definition's graph (no step runs).
    public func graph() -> WorkflowGraph {
        var nodes = steps.enumerated().map { index, step in
            WorkflowGraph.Node(
                id: WorkflowGraph.stepNodeID(index), label: step.name, kind: .step,
                requiresApproval: step.approval != nil, description: step.description)
        }
        let routesToEnd = steps.contains { $0.routes?.contains { $0.target == .end } ?? false }
        if routesToEnd {
            nodes.append(WorkflowGraph.Node(id: WorkflowGraph.endNodeID, label: "END", kind: .end))
        }
        var edges: [WorkflowGraph.Edge] = []
        for (index, step) in steps.enumerated() {
            let source = WorkflowGraph.stepNodeID(index)
            if let routes = step.routes {
                for route in routes {
                    let target: String
                    switch route.target {
                    case .end:
                        target = WorkflowGraph.endNodeID
                    case .step(let name):
                        guard let targetIndex = self.index(ofStep: name) else {
                            preconditionFailure("validation checked that route target '\(name)' is a step")
                        }
                        target = WorkflowGraph.stepNodeID(targetIndex)
                    }
                    edges.append(WorkflowGraph.Edge(source: source, target: target, kind: .route, routeKey: route.key))
                }
            } else if index + 1 < steps.count {
                edges.append(
                    WorkflowGraph.Edge(source: source, target: WorkflowGraph.stepNodeID(index + 1), kind: .linear))
            }
        }
        return WorkflowGraph(workflowName: name, nodes: nodes, edges: edges)
    }
}
