/// The status of a workflow or of one step; raw values match the reference's.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not started yet.
    case pending
    /// Running now.
    case running
    /// Finished without error.
    case succeeded
    /// Finished with an error.
    case failed
    /// Never ran (routed workflows list such steps with a reason).
    case skipped
    /// Waiting for an approval decision; resumable from a checkpoint.
    case paused
}

/// The status of a workflow run.
public typealias WorkflowStatus = RunStatus
/// The status of one step.
public typealias StepStatus = RunStatus
