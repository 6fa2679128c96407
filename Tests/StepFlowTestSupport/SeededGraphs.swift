import StepFlow

// Workflow graphs for the drawing tests and the graph benchmark: graphs written
// as step lists, and seeded random ones that are the same on every platform, so
// a golden drawing or a benchmark case names its graph by a seed.

/// One step of a test graph: its routes (`"END"` for the end), or none for a linear step.
package struct DrawingStep {
    /// The step's name, unique in its graph.
    package var name: String
    /// Route keys and target step names (`"END"` for the end); nil for a linear step.
    package var routes: [(key: String, target: String)]?
    /// Whether the step needs an approval.
    package var approval = false

    /// A step with these routes (none: it runs on to the next step).
    package init(_ name: String, routes: [(key: String, target: String)]? = nil, approval: Bool = false) {
        self.name = name
        self.routes = routes
        self.approval = approval
    }
}

/// The graph SPEC §8 exports for these steps: step nodes, END if a route leads
/// there, route edges in order, or a linear edge to the next step.
package func drawingGraph(_ name: String, _ steps: [DrawingStep]) -> WorkflowGraph {
    var nodes = steps.enumerated().map { index, step in
        WorkflowGraph.Node(id: "step_\(index)", label: step.name, kind: .step, requiresApproval: step.approval)
    }
    let indexByName = Dictionary(uniqueKeysWithValues: steps.enumerated().map { ($1.name, $0) })
    if steps.contains(where: { $0.routes?.contains { $0.target == "END" } ?? false }) {
        nodes.append(WorkflowGraph.Node(id: "end_0", label: "END", kind: .end))
    }
    var edges: [WorkflowGraph.Edge] = []
    for (index, step) in steps.enumerated() {
        if let routes = step.routes {
            for route in routes {
                let target: String
                if route.target == "END" {
                    target = "end_0"
                } else if let targetIndex = indexByName[route.target] {
                    target = "step_\(targetIndex)"
                } else {
                    preconditionFailure("route target '\(route.target)' names no step")
                }
                edges.append(
                    WorkflowGraph.Edge(source: "step_\(index)", target: target, kind: .route, routeKey: route.key))
            }
        } else if index + 1 < steps.count {
            edges.append(WorkflowGraph.Edge(source: "step_\(index)", target: "step_\(index + 1)", kind: .linear))
        }
    }
    return WorkflowGraph(workflowName: name, nodes: nodes, edges: edges)
}

/// SplitMix64: the same numbers on every platform, for reproducible graphs.
package struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    /// A generator whose numbers are fixed by `seed`.
    package init(seed: UInt64) { state = seed }

    /// The next number of the sequence.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random forward-only workflow graph: some steps (`routeChance`) route to
/// later steps (at most `maxSkip` ahead) or END (`endChance` a route), 1 to 3
/// routes each; the others run on to the next step.
package func randomDrawingGraph(
    steps count: Int, seed: UInt64, routeChance: Double = 0.35, endChance: Double = 0.2, maxSkip: Int? = nil
) -> WorkflowGraph {
    var random = SeededGenerator(seed: seed)
    let words = [
        "check", "refund", "review", "notify", "approve", "deny", "ship", "bill", "audit", "score",
        "triage", "escalate", "archive", "retry", "close",
    ]
    let keys = ["yes", "no", "approve", "deny", "retry_later", "escalate", "ok", "manual review", "skip", "fraud"]
    var steps: [DrawingStep] = []
    for index in 0..<count {
        let parts = Int.random(in: 1...3, using: &random)
        let name =
            (0..<parts).map { _ in words[Int.random(in: words.indices, using: &random)] }.joined(separator: "_")
            + "_\(index)"
        steps.append(DrawingStep(name, approval: Double.random(in: 0..<1, using: &random) < 0.1))
    }
    for index in 0..<count where Double.random(in: 0..<1, using: &random) < routeChance {
        let routeCount = Int.random(in: 1...3, using: &random)
        var routes: [(key: String, target: String)] = []
        var usedKeys = Set<String>()
        for _ in 0..<routeCount {
            var key = keys[Int.random(in: keys.indices, using: &random)]
            while usedKeys.contains(key) { key += "_" }
            usedKeys.insert(key)
            let last = maxSkip.map { min(count - 1, index + $0) } ?? (count - 1)
            if index + 1 > last || Double.random(in: 0..<1, using: &random) < endChance {
                routes.append((key, "END"))
            } else {
                routes.append((key, steps[Int.random(in: (index + 1)...last, using: &random)].name))
            }
        }
        steps[index].routes = routes
    }
    return drawingGraph("random-\(count)-\(seed)", steps)
}
