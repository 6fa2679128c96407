/// What every StepFlow error offers: a sentence for people and the error behind it.
public protocol StepFlowError: Error, CustomStringConvertible {
    /// One sentence saying what went wrong.
    var message: String { get }
    /// The error that caused this one, if any.
    var cause: (any Error)? { get }
}

extension StepFlowError {
    /// The message.
    public var description: String { message }
}

/// The name StepFlow uses for an error's type in messages ("due to T").
///
/// An error read back from JSON keeps the name of the type it was recorded from,
/// and StepFlow's own errors go by their kind's name (`StepExecutionError`).
package func errorTypeName(_ error: any Error) -> String {
    (error as? any SelfNamedError)?.typeName ?? String(describing: type(of: error))
}

/// The human-readable text of any error.
package func errorMessage(_ error: any Error) -> String {
    String(describing: error)
}

/// An error that names its type itself, where the Swift spelling of its type
/// is not the name to show: a recorded error, or one of StepFlow's own.
protocol SelfNamedError: Error {
    /// The name ``errorTypeName(_:)`` gives.
    var typeName: String { get }
}
