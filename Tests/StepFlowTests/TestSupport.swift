import Synchronization

@testable import StepFlow

/// Records strings from any task, in order.
final class Recorder: Sendable {
    let items = Mutex<[String]>([])
    func add(_ item: String) { items.withLock { $0.append(item) } }
    var all: [String] { items.withLock { $0 } }
}

/// One line per reference lifecycle event; nil for StepFlow's extra events.
func lifecycleLine(_ event: WorkflowEvent) -> String? {
    switch event {
    case .workflowStarted(let e): "workflowStarted \(e.workflowName)"
    case .stepStarted(let e): "stepStarted \(e.workflowName).\(e.stepName)"
    case .stepFinished(let e): "stepFinished \(e.workflowName).\(e.stepName) \(e.result.status.rawValue)"
    case .workflowFinished(let e): "workflowFinished \(e.workflowName) \(e.result.status.rawValue)"
    default: nil
    }
}

/// A hook that records the lifecycle events it sees.
func lifecycleHook(_ recorder: Recorder) -> WorkflowHook {
    WorkflowHook { event in
        if let line = lifecycleLine(event) { recorder.add(line) }
    }
}
