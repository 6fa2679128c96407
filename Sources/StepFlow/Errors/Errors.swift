// One error type per exception of the reference SDK. They share one shape,
// so callers can catch the kind they care about and still read message and cause.

/// A workflow definition is invalid (thrown before anything runs).
public struct WorkflowDefinitionError: StepFlowError {
    /// One sentence saying what went wrong.
    public let message: String
    /// The error that caused this one, if any.
    public let cause: (any Error)?

    /// Creates the error with its message and optional cause.
    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }
}

/// A workflow state could not be read or is not valid for its workflow.
public struct StateValidationError: StepFlowError {
    /// One sentence saying what went wrong.
    public let message: String
    /// The error that caused this one, if any.
    public let cause: (any Error)?

    /// Creates the error with its message and optional cause.
    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }
}

/// A step could not be executed or its output could not be recorded.
public struct StepExecutionError: StepFlowError {
    /// One sentence saying what went wrong.
    public let message: String
    /// The error that caused this one, if any.
    public let cause: (any Error)?

    /// Creates the error with its message and optional cause.
    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }
}

/// A workflow failed and the caller asked for failures to be thrown.
public struct WorkflowExecutionError: StepFlowError {
    /// One sentence saying what went wrong.
    public let message: String
    /// The error that caused this one, if any.
    public let cause: (any Error)?

    /// Creates the error with its message and optional cause.
    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }
}

/// A routed step returned an output that is not one of its route keys.
public struct RouteResolutionError: StepFlowError {
    /// One sentence saying what went wrong.
    public let message: String
    /// The error that caused this one, if any.
    public let cause: (any Error)?

    /// Creates the error with its message and optional cause.
    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }
}

/// A step needing approval was denied, or had nobody to ask.
public struct ApprovalRequiredError: StepFlowError {
    /// One sentence saying what went wrong.
    public let message: String
    /// The error that caused this one, if any.
    public let cause: (any Error)?

    /// Creates the error with its message and optional cause.
    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }
}

/// A paused run could not be resumed from what was given.
public struct ApprovalResumeError: StepFlowError {
    /// One sentence saying what went wrong.
    public let message: String
    /// The error that caused this one, if any.
    public let cause: (any Error)?

    /// Creates the error with its message and optional cause.
    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }
}

/// A lifecycle hook threw; the original error is the cause.
public struct HookExecutionError: StepFlowError {
    /// One sentence saying what went wrong.
    public let message: String
    /// The error that caused this one, if any.
    public let cause: (any Error)?

    /// Creates the error with its message and optional cause.
    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }
}

/// A child workflow failed, or could not be started, inside a parent step.
public struct ChildWorkflowExecutionError: StepFlowError {
    /// One sentence saying what went wrong.
    public let message: String
    /// The error that caused this one, if any.
    public let cause: (any Error)?

    /// Creates the error with its message and optional cause.
    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }
}

/// An attempt of a step ran longer than its per-attempt timeout.
public struct StepTimeoutError: StepFlowError {
    /// One sentence saying what went wrong.
    public let message: String
    /// The error that caused this one, if any.
    public let cause: (any Error)?

    /// Creates the error with its message and optional cause.
    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }
}
