/// A named collection of workflows that can be run from JSON state.
///
/// The console and the command-line runner list and run whatever catalog they
/// are given; each entry carries a default state so nobody has to type one.
public struct WorkflowCatalog: Sendable {
    /// The entries, in display order.
    public let entries: [CatalogEntry]

    /// Creates a catalog; entry names must be unique.
    public init(_ entries: [CatalogEntry]) {
        self.entries = entries
    }

    /// The entry whose workflow has this name.
    public func entry(named name: String) -> CatalogEntry? {
        entries.first { $0.name == name }
    }
}

/// One workflow of a catalog, with a summary and a default initial state.
public struct CatalogEntry: Sendable {
    /// The workflow, ready to run from JSON.
    public let workflow: AnyWorkflow
    /// One line saying what the workflow shows or does.
    public let summary: String
    /// A sensible initial state, as JSON.
    public let defaultState: JSONValue

    /// The workflow's name.
    public var name: String { workflow.name }
    /// The number of steps.
    public var stepCount: Int { workflow.stepCount }

    /// Creates an entry from a workflow and a typed default state.
    public init<W: Workflow>(_ workflow: W, summary: String, defaultState: W.State) throws {
        self.workflow = try AnyWorkflow(workflow)
        self.summary = summary
        self.defaultState = try JSONValue(encoding: defaultState)
    }
}
