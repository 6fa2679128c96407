import Foundation

/// Everything a run reports, in the order it happens.
///
/// The first four cases are the reference's lifecycle events; a hook that handles
/// only those (`default: break` for the rest) sees exactly the reference sequence.
/// The others are StepFlow's additions for consoles and logs.
public enum WorkflowEvent: Sendable {
    /// A run started (again, after a resume).
    case workflowStarted(WorkflowStartedEvent)
    /// A step started.
    case stepStarted(StepStartedEvent)
    /// A step finished, with its result.
    case stepFinished(StepFinishedEvent)
    /// A run finished, with its result.
    case workflowFinished(WorkflowFinishedEvent)
    /// An attempt failed and another is scheduled after a delay.
    case retryScheduled(RetryScheduledEvent)
    /// A step asked for approval.
    case approvalRequested(ApprovalRequest)
    /// An approval decision was applied to a step.
    case approvalDecided(ApprovalDecidedEvent)
    /// A step started a child workflow.
    case childWorkflowStarted(ChildWorkflowStartedEvent)
    /// A child workflow finished.
    case childWorkflowFinished(ChildWorkflowFinishedEvent)

    /// The workflow the event belongs to (the child's, for a child's own events).
    public var workflowName: String {
        switch self {
        case .workflowStarted(let e): e.workflowName
        case .stepStarted(let e): e.workflowName
        case .stepFinished(let e): e.workflowName
        case .workflowFinished(let e): e.workflowName
        case .retryScheduled(let e): e.workflowName
        case .approvalRequested(let e): e.workflowName
        case .approvalDecided(let e): e.workflowName
        case .childWorkflowStarted(let e): e.workflowName
        case .childWorkflowFinished(let e): e.workflowName
        }
    }

    /// The run the event belongs to.
    public var runID: String {
        switch self {
        case .workflowStarted(let e): e.runID
        case .stepStarted(let e): e.runID
        case .stepFinished(let e): e.runID
        case .workflowFinished(let e): e.runID
        case .retryScheduled(let e): e.runID
        case .approvalRequested(let e): e.runID
        case .approvalDecided(let e): e.runID
        case .childWorkflowStarted(let e): e.runID
        case .childWorkflowFinished(let e): e.runID
        }
    }

    /// Whether this is one of the four reference lifecycle events.
    public var isLifecycleEvent: Bool {
        switch self {
        case .workflowStarted, .stepStarted, .stepFinished, .workflowFinished: true
        default: false
        }
    }
}

/// A run started (the reference's `WorkflowStartedEvent`).
public struct WorkflowStartedEvent: Sendable {
    /// The workflow's name.
    public let workflowName: String
    /// The run's id.
    public let runID: String
    /// The state at the start.
    public let state: AnyState
    /// When the run started (the original start, after a resume).
    public let startedAt: Date
}

/// A step started (the reference's `StepStartedEvent`).
public struct StepStartedEvent: Sendable {
    /// The workflow's name.
    public let workflowName: String
    /// The run's id.
    public let runID: String
    /// The step's name.
    public let stepName: String
    /// The step's index in declaration order.
    public let stepIndex: Int
    /// The state as the step starts.
    public let state: AnyState
    /// When the step started.
    public let startedAt: Date
}

/// A step finished (the reference's `StepFinishedEvent`).
public struct StepFinishedEvent: Sendable {
    /// The workflow's name.
    public let workflowName: String
    /// The run's id.
    public let runID: String
    /// The step's name.
    public let stepName: String
    /// The step's index in declaration order.
    public let stepIndex: Int
    /// The state after the step.
    public let state: AnyState
    /// The step's final result.
    public let result: StepResult
}

/// A run finished (the reference's `WorkflowFinishedEvent`).
public struct WorkflowFinishedEvent: Sendable {
    /// The workflow's name.
    public let workflowName: String
    /// The run's id.
    public let runID: String
    /// The final state.
    public let state: AnyState
    /// The run's result.
    public let result: WorkflowResult<AnyState>
}

/// An attempt failed with a retryable error; the next one waits `delay`.
public struct RetryScheduledEvent: Sendable {
    /// The workflow's name.
    public let workflowName: String
    /// The run's id.
    public let runID: String
    /// The step's name.
    public let stepName: String
    /// The attempt that failed (1-based).
    public let failedAttempt: Int
    /// The wait before the next attempt.
    public let delay: Duration
    /// The error of the failed attempt.
    public let error: any Error
}

/// A decision was applied to a gated step (by a handler or on resume).
public struct ApprovalDecidedEvent: Sendable {
    /// The workflow's name.
    public let workflowName: String
    /// The run's id.
    public let runID: String
    /// The step's name.
    public let stepName: String
    /// The decision.
    public let decision: ApprovalDecision
}

/// A step started a child workflow.
public struct ChildWorkflowStartedEvent: Sendable {
    /// The parent workflow's name.
    public let workflowName: String
    /// The parent run's id.
    public let runID: String
    /// The parent step's name.
    public let stepName: String
    /// The child workflow's name.
    public let childWorkflowName: String
    /// The child run's id.
    public let childRunID: String
}

/// A child workflow finished.
public struct ChildWorkflowFinishedEvent: Sendable {
    /// The parent workflow's name.
    public let workflowName: String
    /// The parent run's id.
    public let runID: String
    /// The parent step's name.
    public let stepName: String
    /// The child's result.
    public let result: WorkflowResult<AnyState>
}

extension WorkflowEvent: Equatable {}
extension WorkflowStartedEvent: Equatable {}
extension StepStartedEvent: Equatable {}
extension StepFinishedEvent: Equatable {}
extension WorkflowFinishedEvent: Equatable {}
extension ApprovalDecidedEvent: Equatable {}
extension ChildWorkflowStartedEvent: Equatable {}
extension ChildWorkflowFinishedEvent: Equatable {}

extension RetryScheduledEvent: Equatable {
    /// Field by field; the error compares by type name and message, as it is recorded.
    public static func == (lhs: RetryScheduledEvent, rhs: RetryScheduledEvent) -> Bool {
        lhs.workflowName == rhs.workflowName && lhs.runID == rhs.runID && lhs.stepName == rhs.stepName
            && lhs.failedAttempt == rhs.failedAttempt && lhs.delay == rhs.delay
            && RecordedError(lhs.error) == RecordedError(rhs.error)
    }
}
