/// A run started in its own task: its event stream, its result, and a way to cancel it.
///
/// ```swift
/// let run = try RefundWorkflow().start(state)
/// for await event in run.events { print(event) }
/// let result = await run.result
/// ```
public final class WorkflowRun<State: Sendable>: Sendable {
    /// The workflow's name.
    public let workflowName: String
    /// The run's id, known before the run starts.
    public let runID: String
    /// Every event of the run (and of its child workflows), in order; it ends when the run ends.
    ///
    /// Events are buffered until read.
    public let events: AsyncStream<WorkflowEvent>
    private let task: Task<WorkflowResult<State>, Never>

    init(
        workflowName: String, runID: String, options: RunOptions,
        body: @escaping @Sendable (RunOptions) async -> WorkflowResult<State>
    ) {
        let (stream, continuation) = AsyncStream<WorkflowEvent>.makeStream(bufferingPolicy: .unbounded)
        var options = options
        options.eventStream = EventSink(continuation)
        options.runID = runID
        self.workflowName = workflowName
        self.runID = runID
        self.events = stream
        self.task = Task {
            let result = await body(options)
            continuation.finish()
            return result
        }
    }

    /// The run's result, once it has finished.
    public var result: WorkflowResult<State> {
        get async { await task.value }
    }

    /// Cancels the run: the running step fails with `CancellationError` and no later step runs.
    public func cancel() {
        task.cancel()
    }
}
