/// A lifecycle hook: called with every event of a run, in order.
///
/// Return values are ignored. A hook that throws fails the run as SPEC §6 says
/// (its error is wrapped in a ``HookExecutionError``).
///
/// ```swift
/// let logger = WorkflowHook { event in
///     if case .stepFinished(let finished) = event {
///         print(finished.stepName, finished.result.status)
///     }
/// }
/// ```
public struct WorkflowHook: Sendable {
    let handle: @Sendable (WorkflowEvent) async throws -> Void

    /// Creates a hook from a closure.
    public init(_ handle: @escaping @Sendable (WorkflowEvent) async throws -> Void) {
        self.handle = handle
    }
}
