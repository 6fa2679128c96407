/// Delivers a run's events to its event stream and then to its hooks, in order.
struct EventEmitter: Sendable {
    let hooks: [WorkflowHook]
    let stream: AsyncStream<WorkflowEvent>.Continuation?
    /// Whether anyone listens; when nobody does, events are not even built.
    /// Stored, because the run loop asks twice per step.
    let isActive: Bool

    init(hooks: [WorkflowHook], stream: AsyncStream<WorkflowEvent>.Continuation?) {
        self.hooks = hooks
        self.stream = stream
        self.isActive = stream != nil || !hooks.isEmpty
    }

    /// Emits an event; the first hook that throws stops delivery and its error is
    /// returned wrapped, for the run loop to apply the SPEC §6 rule.
    func emit(_ event: WorkflowEvent) async -> HookExecutionError? {
        stream?.yield(event)
        for hook in hooks {
            do {
                try await hook.handle(event)
            } catch {
                return HookExecutionError(
                    "Hook failed while handling \(eventName(event)) for workflow '\(event.workflowName)': \(errorMessage(error))",
                    cause: error)
            }
        }
        return nil
    }

    private func eventName(_ event: WorkflowEvent) -> String {
        switch event {
        case .workflowStarted: "workflowStarted"
        case .stepStarted: "stepStarted"
        case .stepFinished: "stepFinished"
        case .workflowFinished: "workflowFinished"
        case .retryScheduled: "retryScheduled"
        case .approvalRequested: "approvalRequested"
        case .approvalDecided: "approvalDecided"
        case .childWorkflowStarted: "childWorkflowStarted"
        case .childWorkflowFinished: "childWorkflowFinished"
        }
    }
}
