// The nine error types of the reference SDK. They share one shape (a message and
// an optional cause), so they are one generic struct; the kind parameter makes
// each a type of its own, so callers catch the one they care about and retry
// policies list it in `retryOn`.

/// A StepFlow error of one kind: one sentence saying what went wrong, and the error behind it.
///
/// Use it through its kinds' names: ``StepExecutionError``, ``RouteResolutionError``
/// and the others below. Each is a distinct type, so `catch let error as StepExecutionError`
/// and `retryOn: [StepTimeoutError.self]` match that kind only.
public struct StepFlowFailure<Kind: StepFlowErrorKind>: StepFlowError {
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

/// What tells one ``StepFlowFailure`` type from another: the name it goes by.
public protocol StepFlowErrorKind {
    /// The error type's name in messages, results and JSON, as the reference names it.
    static var typeName: String { get }
}

/// The kinds of StepFlow's own errors.
public enum StepFlowErrorKinds {
    /// The kind of ``WorkflowDefinitionError``.
    public enum WorkflowDefinition: StepFlowErrorKind {
        /// "WorkflowDefinitionError".
        public static var typeName: String { "WorkflowDefinitionError" }
    }

    /// The kind of ``StateValidationError``.
    public enum StateValidation: StepFlowErrorKind {
        /// "StateValidationError".
        public static var typeName: String { "StateValidationError" }
    }

    /// The kind of ``StepExecutionError``.
    public enum StepExecution: StepFlowErrorKind {
        /// "StepExecutionError".
        public static var typeName: String { "StepExecutionError" }
    }

    /// The kind of ``WorkflowExecutionError``.
    public enum WorkflowExecution: StepFlowErrorKind {
        /// "WorkflowExecutionError".
        public static var typeName: String { "WorkflowExecutionError" }
    }

    /// The kind of ``RouteResolutionError``.
    public enum RouteResolution: StepFlowErrorKind {
        /// "RouteResolutionError".
        public static var typeName: String { "RouteResolutionError" }
    }

    /// The kind of ``ApprovalRequiredError``.
    public enum ApprovalRequired: StepFlowErrorKind {
        /// "ApprovalRequiredError".
        public static var typeName: String { "ApprovalRequiredError" }
    }

    /// The kind of ``ApprovalResumeError``.
    public enum ApprovalResume: StepFlowErrorKind {
        /// "ApprovalResumeError".
        public static var typeName: String { "ApprovalResumeError" }
    }

    /// The kind of ``HookExecutionError``.
    public enum HookExecution: StepFlowErrorKind {
        /// "HookExecutionError".
        public static var typeName: String { "HookExecutionError" }
    }

    /// The kind of ``ChildWorkflowExecutionError``.
    public enum ChildWorkflowExecution: StepFlowErrorKind {
        /// "ChildWorkflowExecutionError".
        public static var typeName: String { "ChildWorkflowExecutionError" }
    }

    /// The kind of ``StepTimeoutError``.
    public enum StepTimeout: StepFlowErrorKind {
        /// "StepTimeoutError".
        public static var typeName: String { "StepTimeoutError" }
    }
}

/// A workflow definition is invalid (thrown before anything runs).
public typealias WorkflowDefinitionError = StepFlowFailure<StepFlowErrorKinds.WorkflowDefinition>

/// A workflow state could not be read or is not valid for its workflow.
public typealias StateValidationError = StepFlowFailure<StepFlowErrorKinds.StateValidation>

/// A step could not be executed or its output could not be recorded.
public typealias StepExecutionError = StepFlowFailure<StepFlowErrorKinds.StepExecution>

/// A workflow failed and the caller asked for failures to be thrown.
public typealias WorkflowExecutionError = StepFlowFailure<StepFlowErrorKinds.WorkflowExecution>

/// A routed step returned an output that is not one of its route keys.
public typealias RouteResolutionError = StepFlowFailure<StepFlowErrorKinds.RouteResolution>

/// A step needing approval was denied, or had nobody to ask.
public typealias ApprovalRequiredError = StepFlowFailure<StepFlowErrorKinds.ApprovalRequired>

/// A paused run could not be resumed from what was given.
public typealias ApprovalResumeError = StepFlowFailure<StepFlowErrorKinds.ApprovalResume>

/// A lifecycle hook threw; the original error is the cause.
public typealias HookExecutionError = StepFlowFailure<StepFlowErrorKinds.HookExecution>

/// A child workflow failed, or could not be started, inside a parent step.
public typealias ChildWorkflowExecutionError = StepFlowFailure<StepFlowErrorKinds.ChildWorkflowExecution>

/// An attempt of a step ran longer than its per-attempt timeout.
public typealias StepTimeoutError = StepFlowFailure<StepFlowErrorKinds.StepTimeout>

extension StepFlowFailure: SelfNamedError {
    var typeName: String { Kind.typeName }
}
