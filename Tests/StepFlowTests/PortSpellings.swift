import StepFlow

/// The Python-port spellings, reached through a protocol so the tests that pin
/// them down compile without deprecation warnings (only the witnesses are deprecated).
protocol PortSpellings: Sendable {
    /// The reference's `export_workflow_graph`.
    func exportGraph<W: Workflow>(_ workflow: W) throws(WorkflowDefinitionError) -> WorkflowGraph
    /// The reference's `END`.
    var end: RouteTarget { get }
}

/// The deprecated aliases a port from stepflow-agent still compiles against.
struct ReferenceSpellings: PortSpellings {
    @available(*, deprecated)
    func exportGraph<W: Workflow>(_ workflow: W) throws(WorkflowDefinitionError) -> WorkflowGraph {
        try exportWorkflowGraph(workflow)
    }

    @available(*, deprecated)
    var end: RouteTarget { END }
}

/// The port spellings as the tests call them.
let reference: any PortSpellings = ReferenceSpellings()
