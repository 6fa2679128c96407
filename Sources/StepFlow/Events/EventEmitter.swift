/// Delivers a run's events to its audit log (a recorded run's), its event
/// stream and then its hooks, in order.
struct EventEmitter: Sendable {
    let hooks: [WorkflowHook]
    let stream: EventSink?
    /// The recorded run's store link, whose audit log gets every event.
    let recorder: RunRecorder?
    /// Whether anyone listens; when nobody does, events are not even built.
    ///
    /// Stored, because the run loop asks twice per step.
    let isActive: Bool
    /// Whether hooks or a stream listen: when only the audit log does, the
    /// engine writes its step entries without building the events.
    let hasListeners: Bool

    init(hooks: [WorkflowHook], stream: EventSink?, recorder: RunRecorder? = nil) {
        self.hooks = hooks
        self.stream = stream
        self.recorder = recorder
        self.hasListeners = stream != nil || !hooks.isEmpty
        self.isActive = hasListeners || recorder != nil
    }

    /// Emits an event; the first hook that throws stops delivery and its error is
    /// returned wrapped, for the run loop to apply the SPEC §6 rule.
    func emit(_ event: WorkflowEvent) async -> HookExecutionError? {
        recorder?.log(event)
        return await deliver(event)
    }

    /// Emits an event to the stream and the hooks only: one whose log entry was
    /// written already (with the run's row, or with its approval request).
    func deliver(_ event: WorkflowEvent) async -> HookExecutionError? {
        stream?.continuation.yield(event)
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

    func eventName(_ event: WorkflowEvent) -> String {
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

/// Where a run's events are streamed (a handle's `events`; children share their parent's).
///
/// A class around the continuation: `AsyncStream.Continuation` comes from a
/// library-evolution module, so its size is unknown at compile time, and every
/// struct that held it inline (run options, the emitter, the engine) was
/// copied through runtime value witnesses.
final class EventSink: Sendable {
    let continuation: AsyncStream<WorkflowEvent>.Continuation

    init(_ continuation: AsyncStream<WorkflowEvent>.Continuation) {
        self.continuation = continuation
    }
}
